// The smallest request/response pair both Express middlewares run on, so a middleware can be
// measured without an HTTP server: no sockets, no parser, no router, only the limiter's path.

/** What a middleware did with one request: let it through (`next()`), or answered it (429, 503, ...). */
export interface MiddlewareOutcome {
  passed: boolean;
  /** The status of the answer when it did not pass (e.g. 429). */
  status: number | undefined;
  /** `res.locals` (@rnh/ratelimit puts its decision there). */
  locals: Record<string, unknown>;
}

type Middleware = (req: never, res: never, next: (error?: unknown) => void) => unknown;

/**
 * The fields express-rate-limit and @rnh/ratelimit read or write: `ip` (Express computes it
 * from `trust proxy`), `headers`, `app.get('trust proxy')`, `method`/`url`; on the response
 * `setHeader`/`append`/`getHeader`, `status`/`send` (Express) and `statusCode`/`end` (Node),
 * `headersSent`, `writableEnded`, `locals`, and `once`/`on` for refund listeners.
 */
export class MockRequest {
  readonly headers: Record<string, string> = {};
  readonly method = 'GET';
  readonly url = '/api/things';
  readonly originalUrl = '/api/things';
  readonly path = '/api/things';
  readonly baseUrl = '';
  readonly app = { get: (_setting: string): unknown => false };
  readonly socket: { remoteAddress: string };

  constructor(readonly ip: string) {
    this.socket = { remoteAddress: ip };
  }
}

export class MockResponse {
  statusCode = 200;
  headersSent = false;
  writableEnded = false;
  writableFinished = false;
  readonly locals: Record<string, unknown> = {};
  private readonly headers = new Map<string, string | number | readonly string[]>();

  constructor(private readonly ended: (status: number) => void) {}

  setHeader(name: string, value: string | number | readonly string[]): this {
    this.headers.set(name.toLowerCase(), value);
    return this;
  }

  getHeader(name: string): string | number | readonly string[] | undefined {
    return this.headers.get(name.toLowerCase());
  }

  append(name: string, value: string): this {
    const key = name.toLowerCase();
    const old = this.headers.get(key);
    this.headers.set(key, old === undefined ? value : [...(Array.isArray(old) ? old : [String(old)]), value]);
    return this;
  }

  status(code: number): this {
    this.statusCode = code;
    return this;
  }

  send(body?: unknown): this {
    return this.end(body);
  }

  end(_body?: unknown): this {
    this.headersSent = true;
    this.writableEnded = true;
    this.writableFinished = true;
    this.ended(this.statusCode);
    return this;
  }

  once(): this {
    return this;
  }

  on(): this {
    return this;
  }
}

/**
 * Runs one fresh request through `middleware` and resolves when it either called `next()`
 * (passed) or ended the response (e.g. 429). `next(error)` rejects.
 */
export function drive(middleware: Middleware, ip: string): Promise<MiddlewareOutcome> {
  return new Promise((resolve, reject) => {
    const res = new MockResponse((status) => resolve({ passed: false, status, locals: res.locals }));
    const next = (error?: unknown) =>
      error ? reject(error) : resolve({ passed: true, status: undefined, locals: res.locals });
    const req = new MockRequest(ip);
    middleware(req as never, res as never, next);
  });
}
