// How much mail one user may make us send, and how much one address may receive: checked before
// anything is looked up or sent, so the answer is the same whether or not an account exists.
import { refusalHeaders, type Decision, type RateLimiter } from '@rnh/ratelimit';
import { HttpError } from '../http/errors.js';

export class MailQuota {
  constructor(
    private readonly limiters: { perUser: RateLimiter | undefined; perAddress: RateLimiter | undefined },
    private readonly failClosedStatus: 429 | 503,
  ) {}

  /** Takes one mail from the quotas of the sender (when signed in) and of the address; 429 when either is used up. */
  async take(mail: { userId?: string; address: string }): Promise<void> {
    const address = mail.address.trim().toLowerCase();
    const decisions = await Promise.all([
      mail.userId ? this.limiters.perUser?.limit(mail.userId) : undefined,
      this.limiters.perAddress?.limit(address),
    ]);
    const index = decisions.findIndex((decision) => decision !== undefined && !decision.allowed);
    if (index < 0) return;
    const denied = decisions[index] as Decision;
    const limiter = (index === 0 ? this.limiters.perUser : this.limiters.perAddress)!;
    // Like every refusal of a rate limit: RateLimit fields and Retry-After.
    const headers = refusalHeaders(limiter, denied);
    if (denied.reason === 'fail_closed')
      throw new HttpError(
        this.failClosedStatus,
        'rate_limiter_unavailable',
        'Email cannot be sent right now; try again shortly.',
        {
          retryAfterSeconds: Math.ceil(denied.retryAfterMs / 1000),
          headers,
        },
      );
    const seconds = Math.max(1, Math.ceil(denied.retryAfterMs / 1000));
    throw new HttpError(429, 'rate_limited', `Too many emails; try again in ${seconds} seconds.`, {
      retryAfterSeconds: seconds,
      headers,
    });
  }
}
