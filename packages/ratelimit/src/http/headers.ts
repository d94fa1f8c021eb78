import type { ServerResponse } from 'node:http';
import type { NamedPolicy } from '../internal/policies.js';
import type { RateLimiter } from '../limiter.js';
import type { Decision, PolicyState } from '../types.js';

/**
 * Which IETF draft's fields to send:
 * - `draft-8` (default): `RateLimit-Policy: "burst";q=100;w=60, "daily";q=1000;w=86400` and
 *   `RateLimit: "burst";r=50;t=30, "daily";r=900;t=40000`, structured-field Lists with one
 *   Item per policy (draft-ietf-httpapi-ratelimit-headers-08).
 * - `draft-7`: `RateLimit: limit=100, remaining=50, reset=30` (the binding policy) and
 *   `RateLimit-Policy: 100;w=60, 1000;w=86400`.
 * - `draft-6`: `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (the binding
 *   policy) and `RateLimit-Policy` as in draft 7.
 */
export type HeaderDraft = 'draft-6' | 'draft-7' | 'draft-8';

/** Whole seconds, rounded up, as delay-seconds (never negative). */
export function toSeconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}

/** The window parameter `w`: whole seconds, at least 1 (sub-second precision is not supported). */
function windowSeconds(state: PolicyState): number {
  return Math.max(1, Math.ceil(state.windowMs / 1000));
}

/**
 * Reset parameter of a policy: when it denied, its retry-after (so `t` and `Retry-After`
 * name the same moment, as the draft asks); otherwise when its full quota is back.
 */
function resetSeconds(state: PolicyState): number {
  return toSeconds(
    !state.allowed && Number.isFinite(state.retryAfterMs) ? state.retryAfterMs : state.resetMs,
  );
}

/** The RateLimit fields for a decision; none when Redis was not reached (nothing is known). */
export function rateLimitHeaders(decision: Decision, draft: HeaderDraft): Array<[string, string]> {
  const states = decision.policies;
  const binding = states.find((state) => state.name === decision.policy);
  if (states.length === 0 || !binding) return [];
  return [['RateLimit-Policy', policyField(states, draft)], ...limitFields(states, binding, draft)];
}

/**
 * Sets the RateLimit fields of allowed decisions, for one limiter's middleware. The policy
 * field depends on the configuration alone (names, quotas, windows: the same in every
 * decision's states), so it is built once; a decision Redis did not make gets none.
 */
export function allowedFields(
  policies: ReadonlyArray<Readonly<NamedPolicy>>,
  draft: HeaderDraft,
): (res: ServerResponse, decision: Decision) => void {
  const policy = policyField(policies.map(configuredState), draft);
  return (res, decision) => {
    const states = decision.policies;
    if (states.length === 0) return;
    if (draft === 'draft-8') {
      res.setHeader('RateLimit-Policy', policy);
      res.setHeader('RateLimit', draft8Limits(states));
      return;
    }
    const binding = states.find((state) => state.name === decision.policy);
    if (!binding) return;
    res.setHeader('RateLimit-Policy', policy);
    for (const [name, value] of limitFields(states, binding, draft)) res.setHeader(name, value);
  };
}

/** A configured policy as the policy field reads it. */
function configuredState(policy: Readonly<NamedPolicy>): PolicyState {
  return {
    name: policy.name,
    algorithm: policy.algorithm,
    limit: policy.quota,
    windowMs: policy.windowMs,
    allowed: true,
    remaining: policy.quota,
    resetMs: 0,
    retryAfterMs: 0,
  };
}

function policyField(states: readonly PolicyState[], draft: HeaderDraft): string {
  if (draft === 'draft-8')
    return states.map((s) => `"${s.name}";q=${s.limit};w=${windowSeconds(s)}`).join(', ');
  return states.map((s) => `${s.limit};w=${windowSeconds(s)}`).join(', ');
}

/** Draft 8's `RateLimit`: one Item per policy, built without intermediate arrays. */
function draft8Limits(states: readonly PolicyState[]): string {
  let value = '';
  for (let i = 0; i < states.length; i += 1) {
    const s = states[i]!;
    value += `${i === 0 ? '' : ', '}"${s.name}";r=${s.remaining};t=${resetSeconds(s)}`;
  }
  return value;
}

/** The fields after `RateLimit-Policy`. */
function limitFields(
  states: readonly PolicyState[],
  binding: PolicyState,
  draft: HeaderDraft,
): Array<[string, string]> {
  if (draft === 'draft-8') return [['RateLimit', draft8Limits(states)]];
  if (draft === 'draft-7')
    return [
      ['RateLimit', `limit=${binding.limit}, remaining=${binding.remaining}, reset=${resetSeconds(binding)}`],
    ];
  return [
    ['RateLimit-Limit', String(binding.limit)],
    ['RateLimit-Remaining', String(binding.remaining)],
    ['RateLimit-Reset', String(resetSeconds(binding))],
  ];
}

/** Retry-After in seconds for a denied decision; undefined when allowed or when waiting cannot help. */
export function retryAfterSeconds(decision: Decision): number | undefined {
  if (decision.allowed || !Number.isFinite(decision.retryAfterMs)) return undefined;
  return Math.max(1, toSeconds(decision.retryAfterMs));
}

/**
 * Every field of a refusal: the RateLimit fields and `Retry-After`, for answers built outside
 * the middleware too (a 429 thrown by a service). A `fail_closed` refusal evaluated no policy
 * (Redis was not reached): its fields name the limiter's configured policies, nothing left,
 * and the refusal's own wait.
 */
export function refusalHeaders(
  limiter: Pick<RateLimiter, 'policies'>,
  decision: Decision,
  draft: HeaderDraft = 'draft-8',
): Array<[string, string]> {
  const seconds = retryAfterSeconds(decision);
  const retryAfter: Array<[string, string]> = seconds === undefined ? [] : [['Retry-After', String(seconds)]];
  if (decision.policies.length > 0) return [...rateLimitHeaders(decision, draft), ...retryAfter];
  const policies = limiter.policies.map((policy) => ({
    name: policy.name,
    algorithm: policy.algorithm,
    limit: policy.quota,
    windowMs: policy.windowMs,
    allowed: false,
    remaining: 0,
    resetMs: decision.retryAfterMs,
    retryAfterMs: decision.retryAfterMs,
  }));
  return [...rateLimitHeaders({ ...decision, policies, policy: policies[0]?.name }, draft), ...retryAfter];
}
