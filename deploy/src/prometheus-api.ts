// A small client of Prometheus' HTTP API (/api/v1/query, query_range, alerts), for tests and
// for rendering dashboards' panels from a real run.

export interface PromSample {
  metric: Record<string, string>;
  /** [unix seconds, value as text] */
  value: [number, string];
}

export interface PromSeries {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'inactive' | 'pending' | 'firing';
  activeAt?: string;
  value?: string;
}

export class PrometheusApiError extends Error {
  override readonly name = 'PrometheusApiError';
}

export class PrometheusApi {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  /** Instant query at `time` (unix seconds; default: now). */
  async query(expr: string, time?: number): Promise<PromSample[]> {
    const params: Record<string, string> = { query: expr };
    if (time !== undefined) params.time = String(time);
    return (await this.get<{ resultType: string; result: PromSample[] }>('/api/v1/query', params)).result;
  }

  /** Range query between unix seconds `start` and `end`, every `step` seconds. */
  async queryRange(expr: string, start: number, end: number, step: number): Promise<PromSeries[]> {
    const data = await this.get<{ result: PromSeries[] }>('/api/v1/query_range', {
      query: expr,
      start: String(start),
      end: String(end),
      step: String(step),
    });
    return data.result;
  }

  async alerts(): Promise<PromAlert[]> {
    return (await this.get<{ alerts: PromAlert[] }>('/api/v1/alerts', {})).alerts;
  }

  /** Scrape targets and their health. */
  async targets(): Promise<Array<{ labels: Record<string, string>; health: string; lastError: string }>> {
    return (
      await this.get<{
        activeTargets: Array<{ labels: Record<string, string>; health: string; lastError: string }>;
      }>('/api/v1/targets', {})
    ).activeTargets;
  }

  /** Loaded rule groups, with each rule's health and last error. */
  async rules(): Promise<
    Array<{ name: string; rules: Array<{ name: string; health: string; lastError?: string }> }>
  > {
    return (
      await this.get<{
        groups: Array<{ name: string; rules: Array<{ name: string; health: string; lastError?: string }> }>;
      }>('/api/v1/rules', {})
    ).groups;
  }

  private async get<T>(path: string, params: Record<string, string>): Promise<T> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}${path}?${new URLSearchParams(params)}`;
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new PrometheusApiError(
        `Prometheus at ${this.baseUrl} does not answer: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    const body = (await response.json().catch(() => undefined)) as
      { status: string; data?: T; error?: string; errorType?: string } | undefined;
    if (!response.ok || body?.status !== 'success' || body.data === undefined)
      throw new PrometheusApiError(
        `${path} answered ${response.status}: ${body?.errorType ?? ''} ${body?.error ?? 'no JSON'}`.trim(),
      );
    return body.data;
  }
}
