/**
 * Capped exponential backoff with full jitter: a random delay in
 * [0, min(cap, base * 2^(attempt-1))]. Jitter spreads reconnects of many
 * clients after a Redis restart instead of having them arrive in lockstep.
 * `attempt` starts at 1, as ioredis passes it to retryStrategy.
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(Math.floor(attempt), 1) - 1, 30);
  const ceiling = Math.min(capMs, baseMs * 2 ** exponent);
  return Math.floor(Math.max(0, ceiling) * Math.min(Math.max(random(), 0), 1));
}
