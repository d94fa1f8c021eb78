import type { Decision, DecisionReason, PolicyState } from '../types.js';
import type { NamedPolicy } from './policies.js';

/** Turns the script's reply into per-policy states; `-1` retry means never (cost above the quota). */
export function parseReply(
  reply: unknown,
  policies: readonly NamedPolicy[],
): { allowed: boolean; at: number; states: PolicyState[] } {
  if (!Array.isArray(reply) || reply.length !== 2 + policies.length * 4)
    throw new Error('unexpected reply from the rate-limit script');
  const values = reply.map(Number);
  const states = policies.map((policy, index): PolicyState => {
    const [allowed, remaining, resetMs, retryMs] = values.slice(2 + index * 4, 6 + index * 4) as [
      number,
      number,
      number,
      number,
    ];
    return {
      name: policy.name,
      algorithm: policy.algorithm,
      limit: policy.quota,
      windowMs: policy.windowMs,
      allowed: allowed === 1,
      remaining: Math.max(0, remaining),
      resetMs: Math.max(0, resetMs),
      retryAfterMs: retryMs < 0 ? Number.POSITIVE_INFINITY : retryMs,
    };
  });
  return { allowed: values[0] === 1, at: values[1]!, states };
}

/** The policy that decides what to report: the denying one with the longest wait, else the one with the least left. */
export function bindingState(states: readonly PolicyState[]): PolicyState | undefined {
  let best: PolicyState | undefined;
  for (const state of states) if (!best || moreBinding(state, best)) best = state;
  return best;
}

function moreBinding(a: PolicyState, b: PolicyState): boolean {
  if (a.allowed !== b.allowed) return !a.allowed;
  if (!a.allowed) return a.retryAfterMs > b.retryAfterMs;
  return a.remaining < b.remaining || (a.remaining === b.remaining && a.resetMs > b.resetMs);
}

export function redisDecision(
  limiter: string,
  cost: number,
  parsed: { allowed: boolean; at: number; states: PolicyState[] },
  consume: boolean,
  shadow: boolean,
): Decision {
  const binding = bindingState(parsed.states)!;
  const reason: DecisionReason = parsed.allowed ? 'allowed' : shadow ? 'shadow' : 'limited';
  return {
    allowed: parsed.allowed || shadow,
    reason,
    limiter,
    cost,
    limit: binding.limit,
    remaining: binding.remaining,
    resetMs: binding.resetMs,
    retryAfterMs: parsed.allowed ? 0 : binding.retryAfterMs,
    policy: binding.name,
    policies: parsed.states,
    consumed: consume && parsed.allowed,
    at: parsed.at,
  };
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
  return states.some((state) => (state.limit - state.remaining) * 5 >= state.limit * 4);
}
