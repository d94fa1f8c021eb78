import type { Decision, DecisionReason, PolicyState } from '../types.js';
import type { NamedPolicy } from './policies.js';

/** Values a decision takes in a script's reply: all allowed, then per policy allowed, remaining, reset, retry. */
export function replyWidth(policies: readonly NamedPolicy[]): number {
  return 1 + policies.length * 4;
}

/** What is the same for every decision a limiter reads from a reply. */
export interface DecisionContext {
  limiter: string;
  policies: readonly NamedPolicy[];
  shadow: boolean;
}

/**
 * The decision at `offset` of a script's reply (`{ now, then per decision: all allowed, then
 * per policy: allowed, remaining, reset ms, retry ms }`), where `now` is Redis time in ms; a
 * retry of `-1` means never (cost above the quota). Built in one pass, without intermediate
 * arrays: the states, then the binding one (the denying policy with the longest wait, else
 * the one with the least left).
 */
export function decisionAt(
  reply: readonly unknown[],
  offset: number,
  now: number,
  context: DecisionContext,
  cost: number,
  consume: boolean,
): Decision {
  const { policies } = context;
  const allowed = reply[offset] === 1;
  const states = new Array<PolicyState>(policies.length);
  let binding: PolicyState | undefined;
  for (let i = 0; i < policies.length; i += 1) {
    const policy = policies[i]!;
    const at = offset + 1 + i * 4;
    const retryMs = Number(reply[at + 3]);
    const state: PolicyState = {
      name: policy.name,
      algorithm: policy.algorithm,
      limit: policy.quota,
      windowMs: policy.windowMs,
      allowed: reply[at] === 1,
      remaining: Math.max(0, Number(reply[at + 1])),
      resetMs: Math.max(0, Number(reply[at + 2])),
      retryAfterMs: retryMs < 0 ? Number.POSITIVE_INFINITY : retryMs,
    };
    states[i] = state;
    if (binding === undefined || moreBinding(state, binding)) binding = state;
  }
  const reason: DecisionReason = allowed ? 'allowed' : context.shadow ? 'shadow' : 'limited';
  return {
    allowed: allowed || context.shadow,
    reason,
    limiter: context.limiter,
    cost,
    limit: binding!.limit,
    remaining: binding!.remaining,
    resetMs: binding!.resetMs,
    retryAfterMs: allowed ? 0 : binding!.retryAfterMs,
    policy: binding!.name,
    policies: states,
    consumed: consume && allowed,
    at: now,
  };
}

/** A script reply's decisions: `count` of them after `now`, or an error when its shape is not that. */
export function checkReply(reply: unknown, count: number, policies: readonly NamedPolicy[]): unknown[] {
  if (!Array.isArray(reply) || reply.length !== 1 + count * replyWidth(policies))
    throw new Error('unexpected reply from the rate-limit script');
  return reply;
}

/** Whether `a` binds more than `b`: the denying one with the longest wait, else the one with the least left. */
function moreBinding(a: PolicyState, b: PolicyState): boolean {
  if (a.allowed !== b.allowed) return !a.allowed;
  if (!a.allowed) return a.retryAfterMs > b.retryAfterMs;
  return a.remaining < b.remaining || (a.remaining === b.remaining && a.resetMs > b.resetMs);
}

/** A decision made without Redis (it failed or timed out), per the failure policy. */
export function failureDecision(
  limiter: string,
  cost: number,
  policy: NamedPolicy,
  failure: 'open' | 'closed',
  retryAfterMs: number,
): Decision {
  const open = failure === 'open';
  return {
    allowed: open,
    reason: open ? 'fail_open' : 'fail_closed',
    limiter,
    cost,
    limit: policy.quota,
    remaining: open ? policy.quota : 0,
    resetMs: open ? 0 : retryAfterMs,
    retryAfterMs: open ? 0 : retryAfterMs,
    policy: undefined,
    policies: [],
    consumed: false,
    at: undefined,
  };
}

/** Whether some policy has 80 % or more of its quota used. */
export function nearLimit(states: readonly PolicyState[]): boolean {
  for (const state of states) if ((state.limit - state.remaining) * 5 >= state.limit * 4) return true;
  return false;
}
