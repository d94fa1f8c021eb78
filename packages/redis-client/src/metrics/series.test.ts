import { Counter, Histogram, Registry, type RegistryContentType } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CounterSeries, HistogramSeries } from './series.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];
const VALUES = [0.0005, 0.001, 0.002, 0.05, 0.5, 1, 7, 0];

function setup(exemplars: boolean) {
  const registry = new Registry<RegistryContentType>();
  if (exemplars) registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const histogram = new Histogram({
    name: 'op_seconds',
    help: 'h',
    labelNames: ['command', 'outcome'],
    buckets: BUCKETS,
    enableExemplars: exemplars,
    registers: [registry],
  });
  const counter = new Counter({
    name: 'ops_total',
    help: 'c',
    labelNames: ['command'],
    registers: [registry],
  });
  return { registry, histogram, counter };
}

/** The exposition without exemplar timestamps (the two sides take them a moment apart). */
async function exposition(registry: Registry<RegistryContentType>): Promise<string> {
  return (await registry.metrics()).replace(/(# \{[^}]*\} \S+) \S+/g, '$1');
}

describe('HistogramSeries and CounterSeries', () => {
  it('expose exactly what observe() and inc() through prom-client expose', async () => {
    for (const exemplars of [false, true]) {
      const publicApi = setup(exemplars);
      const bound = setup(exemplars);
      const get = new HistogramSeries(bound.histogram, { command: 'get', outcome: 'ok' });
      const gets = new CounterSeries(bound.counter, { command: 'get' });
      VALUES.forEach((value, index) => {
        const exemplar = { trace_id: `t${index}`, span_id: `s${index}` };
        if (exemplars)
          publicApi.histogram.observe({
            labels: { command: 'get', outcome: 'ok' },
            value,
            exemplarLabels: exemplar as never, // prom-client types exemplar labels as the metric's own
          });
        else publicApi.histogram.observe({ command: 'get', outcome: 'ok' }, value);
        get.observe(value, exemplars ? exemplar : undefined);
        publicApi.counter.inc({ command: 'get' });
        gets.inc();
      });
      publicApi.counter.inc({ command: 'get' }, 2.5);
      gets.inc(2.5);
      // A series prom-client already holds is continued, not restarted.
      // (with exemplars on, prom-client takes only its object form)
      const observe = (histogram: Histogram, value: number) => {
        const labels = { command: 'set', outcome: 'ok' };
        if (exemplars) histogram.observe({ labels, value });
        else histogram.observe(labels, value);
      };
      observe(publicApi.histogram, 0.1);
      observe(publicApi.histogram, 0.005);
      observe(bound.histogram, 0.1);
      new HistogramSeries(bound.histogram, { outcome: 'ok', command: 'set' }).observe(0.005);

      const expected = await exposition(publicApi.registry);
      expect(expected).toContain('op_seconds_bucket{le="+Inf",command="get",outcome="ok"} 8');
      expect(await exposition(bound.registry)).toBe(expected);
    }
  });

  it('start again from zero after a reset, and reject what prom-client rejects', async () => {
    const { registry, histogram, counter } = setup(false);
    const series = new HistogramSeries(histogram, { command: 'get', outcome: 'ok' });
    const total = new CounterSeries(counter, { command: 'get' });
    series.observe(0.5);
    total.inc(3);
    histogram.reset();
    counter.reset();
    series.observe(0.005);
    total.inc();
    const text = await registry.metrics();
    expect(text).toContain('op_seconds_count{command="get",outcome="ok"} 1');
    expect(text).toContain('op_seconds_sum{command="get",outcome="ok"} 0.005');
    expect(text).toContain('ops_total{command="get"} 1');
    expect(() => series.observe(Number.NaN)).toThrow(TypeError);
    expect(() => total.inc(-1)).toThrow(/decrease/);
  });
});
