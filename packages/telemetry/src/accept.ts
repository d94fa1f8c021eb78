// Content negotiation for /metrics. Prometheus asks for OpenMetrics first, e.g.
// `application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,
// text/plain;version=0.0.4;q=0.5,*/*;q=0.1`; curl and browsers get the classic text.

/** OpenMetrics versions whose syntax prom-client's output satisfies. */
const OPENMETRICS_VERSIONS = new Set(['1.0.0', '0.0.1']);

export function prefersOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  let openMetrics = 0;
  let text = 0;
  for (const range of accept.split(',')) {
    const [mediaType = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const values = new Map(
      params.map((param) => {
        const at = param.indexOf('=');
        return at < 0
          ? [param, '']
          : [
              param.slice(0, at).trim(),
              param
                .slice(at + 1)
                .trim()
                .replace(/^"|"$/g, ''),
            ];
      }),
    );
    const q = values.has('q') ? Number(values.get('q')) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    if (mediaType === 'application/openmetrics-text') {
      const version = values.get('version');
      if (version === undefined || OPENMETRICS_VERSIONS.has(version)) openMetrics = Math.max(openMetrics, q);
    } else if (mediaType === 'text/plain' || mediaType === 'text/*' || mediaType === '*/*') {
      text = Math.max(text, q);
    }
  }
  return openMetrics > 0 && openMetrics >= text;
}
