// One HTTP call of the load generator: JSON in and out, a cookie jar per virtual user, timing.
import type { LoadStats } from './stats.js';

export interface Credentials {
  /** The cookies the api set (`sid=…; sid_device=…`), once signed in. */
  cookie?: string;
  /** Bearer access token of an API client. */
  accessToken?: string;
}

export interface CallResult<T = unknown> {
  status: number | undefined;
  body: T | undefined;
}

export interface CallOptions {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** The concrete path, e.g. `/orgs/5f…`. */
  path: string;
  /** The route template it is counted under, e.g. `/orgs/:orgId`. */
  route: string;
  body?: unknown;
  auth?: Credentials;
  /** Statuses that are part of the scenario (e.g. 401 for a wrong password); others are errors. */
  expect?: readonly number[];
}

export class LoadClient {
  constructor(
    readonly baseUrl: string,
    private readonly stats: LoadStats,
    private readonly timeoutMs: number,
  ) {}

  async call<T = unknown>(options: CallOptions): Promise<CallResult<T>> {
    const route = `${options.method} ${options.route}`;
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'rnh-load/1' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.auth?.cookie) headers.cookie = options.auth.cookie;
    if (options.auth?.accessToken) headers.authorization = `Bearer ${options.auth.accessToken}`;
    const started = performance.now();
    let status: number | undefined;
    let body: T | undefined;
    try {
      const response = await fetch(`${this.baseUrl}${options.path}`, {
        method: options.method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'manual',
      });
      status = response.status;
      const text = await response.text();
      if (text && response.headers.get('content-type')?.includes('json')) body = JSON.parse(text) as T;
      const cookies = withSetCookies(options.auth?.cookie, response.headers);
      if (options.auth && cookies !== options.auth.cookie) options.auth.cookie = cookies;
      // A session that ended (signed out elsewhere, expired): sign in again next time.
      else if (status === 401 && options.auth?.cookie) options.auth.cookie = undefined;
    } catch (error) {
      this.stats.error(`${route}: ${describeError(error)}`);
    }
    this.stats.record(route, status, performance.now() - started);
    if (status !== undefined && status >= 400 && status !== 429 && !options.expect?.includes(status)) {
      const code = (body as { error?: { code?: string } } | undefined)?.error?.code;
      this.stats.error(`${route}: ${status}${code ? ` ${code}` : ''}`);
    }
    return { status, body };
  }

  /**
   * Opens a live stream (server-sent events) as a browser's EventSource does, reads it for
   * `forMs`, and returns the last event id it saw (the cursor of a reconnect) and the event
   * names. `onReady` runs once the stream says `ready` (what the user does while connected).
   */
  async listen(options: {
    path: string;
    route: string;
    auth: Credentials;
    lastEventId?: string;
    forMs: number;
    onReady?: () => Promise<unknown>;
  }): Promise<{ cursor?: string; events: string[] }> {
    const route = `GET ${options.route}`;
    const headers: Record<string, string> = { accept: 'text/event-stream', 'user-agent': 'rnh-load/1' };
    if (options.auth.cookie) headers.cookie = options.auth.cookie;
    if (options.lastEventId) headers['last-event-id'] = options.lastEventId;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.forMs);
    const started = performance.now();
    const seen: { cursor?: string; events: string[] } = { events: [] };
    let ready: Promise<unknown> | undefined;
    try {
      const response = await fetch(`${this.baseUrl}${options.path}`, { headers, signal: controller.signal });
      this.stats.record(route, response.status, performance.now() - started);
      if (!response.ok || !response.body) {
        if (response.status !== 429) this.stats.error(`${route}: ${response.status}`);
        await response.body?.cancel();
        return seen;
      }
      let buffer = '';
      for await (const chunk of response.body.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        const frames = buffer.split('\n\n');
        buffer = frames.pop() ?? '';
        for (const frame of frames) {
          const id = /^id: (.*)$/m.exec(frame)?.[1];
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          if (id) seen.cursor = id;
          if (event) seen.events.push(event);
          if (event === 'ready' && options.onReady) ready ??= options.onReady();
        }
      }
    } catch (error) {
      // The end of `forMs` aborts the stream: that is how a listen ends.
      if (!controller.signal.aborted) this.stats.error(`${route}: ${describeError(error)}`);
    } finally {
      clearTimeout(timer);
    }
    await ready;
    return seen;
  }
}

/**
 * A virtual user's cookies (`a=1; b=2`) with those a response sets (the session cookie and, on
 * sign-in, the known-device cookie); a cookie set empty (cleared) is dropped.
 */
function withSetCookies(cookies: string | undefined, headers: Headers): string | undefined {
  const set = headers.getSetCookie();
  if (set.length === 0) return cookies;
  const jar = new Map((cookies?.split('; ') ?? []).map((pair) => [pair.split('=', 1)[0]!, pair]));
  for (const line of set) {
    const pair = line.split(';', 1)[0]!;
    const name = pair.split('=', 1)[0]!;
    if (pair.length > name.length + 1) jar.set(name, pair);
    else jar.delete(name);
  }
  return jar.size > 0 ? [...jar.values()].join('; ') : undefined;
}

export function describeError(error: unknown): string {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return 'timed out';
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(error);
}
