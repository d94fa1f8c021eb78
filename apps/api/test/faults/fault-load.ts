// Traffic for a fault test: virtual users that sign up (each sign-up enqueues a verification
// mail: an acknowledged job), sign in and read their profile, counted per second by outcome, so
// the test can print what users saw while Redis failed over or a process died.
import { randomBytes } from 'node:crypto';

type Outcome = '2xx' | '4xx' | '5xx' | 'failed';
const OUTCOMES: readonly Outcome[] = ['2xx', '4xx', '5xx', 'failed'];

export interface FaultLoadOptions {
  /** Where requests go: one api, or a load balancer in front of several. */
  baseUrl: string;
  /** Virtual users running at once (default 6). */
  users?: number;
  /** A request that takes longer counts as failed (default 15 s). */
  requestTimeoutMs?: number;
  /** Each virtual user's pause between requests, as people pause between clicks (default 50 ms). */
  thinkMs?: number;
}

/** A signed-up user: the address its verification mail goes to, and its session cookies. */
export interface VirtualUser {
  email: string;
  password: string;
  cookies: Map<string, string>;
}

export class FaultLoad {
  /** Sign-ups answered 201, and when: each address is owed one verification mail. */
  readonly acknowledged: Array<{ email: string; at: number }> = [];
  /** Users whose session answered `GET /me` once, and when, to check it is still there after the faults. */
  readonly signedIn: Array<VirtualUser & { at: number }> = [];

  /** Addresses whose sign-up was answered 201. */
  get acknowledgedSignups(): string[] {
    return this.acknowledged.map(({ email }) => email);
  }
  private readonly perSecond = new Map<number, Record<Outcome, number>>();
  private readonly markers = new Map<number, string[]>();
  private readonly startedAt = Date.now();
  private readonly runId = randomBytes(3).toString('hex');
  private readonly loops: Array<Promise<void>> = [];
  private stopping = false;
  private failedAt: number[] = [];
  /** Answers other than 2xx, by request and status (with the api's error code). */
  private readonly problems = new Map<string, number>();

  constructor(private readonly options: FaultLoadOptions) {
    for (let index = 0; index < (options.users ?? 6); index += 1) this.loops.push(this.userLoop(index));
  }

  /** Notes an event (a fault, a recovery) on the report's timeline; returns its time. */
  mark(event: string): number {
    const now = Date.now();
    const second = this.secondOf(now);
    this.markers.set(second, [...(this.markers.get(second) ?? []), event]);
    return now;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  /** Requests that failed (5xx or no answer) at or after `since` (epoch ms). */
  failuresSince(since: number): number {
    return this.failedAt.filter((at) => at >= since).length;
  }

  /** Milliseconds from `since` to the last request that failed before `until` (0 when none failed). */
  errorWindow(since: number, until = Number.POSITIVE_INFINITY): number {
    const last = Math.max(since, ...this.failedAt.filter((at) => at >= since && at < until));
    return last - since;
  }

  /** The answers other than 2xx, most frequent first: `POST /auth/signup → 503 redis_unavailable: 2`. */
  problemSummary(): string {
    const lines = [...this.problems]
      .sort((a, b) => b[1] - a[1])
      .map(([what, count]) => `  ${what}: ${count}`);
    return lines.length > 0 ? lines.join('\n') : '  none';
  }

  totals(): Record<Outcome, number> {
    const totals = { '2xx': 0, '4xx': 0, '5xx': 0, failed: 0 };
    for (const counts of this.perSecond.values())
      for (const outcome of OUTCOMES) totals[outcome] += counts[outcome];
    return totals;
  }

  /** Requests by outcome per second, with the marked events. */
  timeline(): string {
    const last = Math.max(...this.perSecond.keys(), ...this.markers.keys(), 0);
    const lines = ['  s   2xx  4xx  5xx  failed'];
    for (let second = 0; second <= last; second += 1) {
      const counts = this.perSecond.get(second) ?? { '2xx': 0, '4xx': 0, '5xx': 0, failed: 0 };
      const events = this.markers.get(second)?.join('; ') ?? '';
      lines.push(
        `${String(second).padStart(3)} ${OUTCOMES.map((outcome) => String(counts[outcome]).padStart(4)).join(' ')}   ${events}`.trimEnd(),
      );
    }
    return lines.join('\n');
  }

  /** The report's common part: requests per second, the answers other than 2xx, the totals. */
  report(): string[] {
    const totals = this.totals();
    return [
      this.timeline(),
      'answers other than 2xx:',
      this.problemSummary(),
      `requests: ${totals['2xx']} 2xx, ${totals['4xx']} 4xx, ${totals['5xx']} 5xx, ${totals.failed} without answer`,
    ];
  }

  /** `GET /me` with a user's session cookies; the status. */
  async me(user: VirtualUser): Promise<number | undefined> {
    return (await this.request(user, 'GET', '/me')).status;
  }

  private async userLoop(index: number): Promise<void> {
    for (let round = 0; !this.stopping; round += 1) {
      const user: VirtualUser = {
        email: `fault-${this.runId}-${index}-${round}@example.com`,
        password: `fault-password-${this.runId}`,
        cookies: new Map(),
      };
      const signup = await this.request(user, 'POST', '/auth/signup', {
        email: user.email,
        password: user.password,
        displayName: `Fault user ${index}-${round}`,
      });
      if (signup.status === 201) this.acknowledged.push({ email: user.email, at: Date.now() });
      else continue;
      let profileRead = false;
      for (let step = 0; step < 4 && !this.stopping; step += 1) {
        if (step === 2)
          await this.request(user, 'POST', '/auth/login', { email: user.email, password: user.password });
        const { status } = await this.request(user, 'GET', '/me');
        if (status === 200 && !profileRead) {
          profileRead = true;
          this.signedIn.push({ ...user, at: Date.now() });
        }
      }
    }
  }

  private async request(
    user: VirtualUser,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number | undefined }> {
    await new Promise((resolve) => setTimeout(resolve, this.options.thinkMs ?? 50));
    const started = Date.now();
    let status: number | undefined;
    try {
      const cookie = [...user.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
      const response = await fetch(`${this.options.baseUrl}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(cookie && { cookie }),
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 15_000),
      });
      status = response.status;
      const text = await response.text();
      if (status >= 300) this.noteProblem(method, path, String(status), text);
      for (const line of response.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        const [name = '', value = ''] = pair.split('=');
        if (value) user.cookies.set(name.trim(), value);
        else user.cookies.delete(name.trim());
      }
    } catch (error) {
      // No answer (connection refused or reset, timeout): counted as failed.
      this.noteProblem(method, path, `no answer (${(error as Error).name})`, '');
    }
    this.count(started, status);
    return { status };
  }

  private noteProblem(method: string, path: string, outcome: string, body: string): void {
    let code = '';
    try {
      code = (JSON.parse(body) as { error?: { code?: string } }).error?.code ?? '';
    } catch {
      // Not JSON (a proxy's page): the status says enough.
    }
    const key = `${method} ${path} → ${outcome}${code ? ` ${code}` : ''}`;
    this.problems.set(key, (this.problems.get(key) ?? 0) + 1);
  }

  private count(at: number, status: number | undefined): void {
    const outcome: Outcome =
      status === undefined ? 'failed' : status >= 500 ? '5xx' : status >= 400 ? '4xx' : '2xx';
    // A failure counts when its answer came: one sent just before a fault fails because of it.
    if (outcome === '5xx' || outcome === 'failed') this.failedAt.push(Date.now());
    const second = this.secondOf(at);
    const counts = this.perSecond.get(second) ?? { '2xx': 0, '4xx': 0, '5xx': 0, failed: 0 };
    counts[outcome] += 1;
    this.perSecond.set(second, counts);
  }

  private secondOf(at: number): number {
    return Math.floor((at - this.startedAt) / 1000);
  }
}
