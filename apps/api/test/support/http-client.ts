// A tiny HTTP client for the e2e tests: JSON bodies, HTML pages and forms, and one cookie jar per
// client (one "device").
export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export interface PageResponse {
  status: number;
  html: string;
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
    const res = await this.send(
      method,
      path,
      {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body === undefined ? undefined : JSON.stringify(body),
    );
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
  }

  /** GET an HTML page, as a browser opening a link (its cookies included). */
  async page(path: string, headers: Record<string, string> = {}): Promise<PageResponse> {
    return this.pageOf(await this.send('GET', path, { accept: 'text/html', ...headers }, undefined));
  }

  /** POST a form as a browser submits one: urlencoded fields, with the headers given (Origin...). */
  async submit(
    path: string,
    fields: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<PageResponse> {
    const body = new URLSearchParams(fields).toString();
    const res = await this.send(
      'POST',
      path,
      {
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
        ...headers,
      },
      body,
    );
    return this.pageOf(res);
  }

  private async pageOf(res: Response): Promise<PageResponse> {
    return { status: res.status, html: await res.text(), headers: res.headers };
  }

  /** One request with this client's cookies; keeps the cookies the answer sets. */
  private async send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<Response> {
    const cookieHeader = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        'user-agent': this.userAgent,
        ...(cookieHeader ? { cookie: cookieHeader } : {}),
        ...headers,
      },
      body,
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const [name = '', value = ''] = pair.split('=');
      const expired = attributes.some((attribute) => /expires=thu, 01 jan 1970/i.test(attribute.trim()));
      if (expired || value === '') this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
    return res;
  }
}
