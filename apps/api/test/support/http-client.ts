// A tiny HTTP client for the e2e tests: JSON bodies and one cookie jar per client (one "device").
export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export class HttpClient {
  private cookies = new Map<string, string>();

  constructor(
    private readonly baseUrl: string,
    private readonly userAgent = 'e2e-test',
  ) {}

  /** The value of one cookie this client holds. */
  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** A second client that starts with the same cookies (the same browser, copied). */
  clone(): HttpClient {
    const copy = new HttpClient(this.baseUrl, this.userAgent);
    copy.cookies = new Map(this.cookies);
    return copy;
  }

  get<T = Record<string, unknown>>(
    path: string,
    headers: Record<string, string> = {},
  ): Promise<JsonResponse<T>> {
    return this.request<T>('GET', path, undefined, headers);
  }

  post<T = Record<string, unknown>>(
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<JsonResponse<T>> {
    return this.request<T>('POST', path, body, headers);
  }

  patch<T = Record<string, unknown>>(path: string, body?: unknown): Promise<JsonResponse<T>> {
    return this.request<T>('PATCH', path, body);
  }

  delete<T = Record<string, unknown>>(path: string): Promise<JsonResponse<T>> {
    return this.request<T>('DELETE', path);
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<JsonResponse<T>> {
    const cookieHeader = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        'user-agent': this.userAgent,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(cookieHeader ? { cookie: cookieHeader } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const [name = '', value = ''] = pair.split('=');
      const expired = attributes.some((attribute) => /expires=thu, 01 jan 1970/i.test(attribute.trim()));
      if (expired || value === '') this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
  }
}
