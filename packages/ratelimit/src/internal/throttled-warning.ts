import type { Logger } from '@rnh/redis-client';

/**
 * One warning per `everyMs` at most, with the number left out since the last one:
 * a Redis outage must not turn every request into a log line.
 */
export class ThrottledWarning {
  private last = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly message: string,
    private readonly everyMs: number,
  ) {}

  warn(fields: Record<string, unknown>): void {
    const now = performance.now();
    if (now - this.last < this.everyMs) {
      this.suppressed += 1;
      return;
    }
    this.logger.warn({ ...fields, suppressed: this.suppressed }, this.message);
    this.last = now;
    this.suppressed = 0;
  }
}
