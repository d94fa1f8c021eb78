// Reads what a benchmark script (queue.ts, sessions.ts) prints: its target lines, in the form
// lib/report.ts's judge() writes them.
import type { TargetResult } from './results.js';

/**
 * `Add: enqueue() vs Queue.add(): 0.66x (target >= 0.9x) FAIL (invalid: ...)` -> a ratio target;
 * `label: not measured in this run (target >= 0.9x)` -> a failed one without a value;
 * anything else -> undefined.
 */
export function parseTargetDetail(line: string): TargetResult | undefined {
  const text = line.trim();
  const measured = /^(.+): (\d+(?:\.\d+)?)x \(target >= (\d+(?:\.\d+)?)x\) (PASS|FAIL)(?: \((.*)\))?$/.exec(
    text,
  );
  if (measured) {
    const [, label, value, atLeast, verdict, note] = measured;
    return {
      label: label!,
      kind: 'ratio',
      atLeast: Number(atLeast),
      value: Number(value),
      verdict: verdict as 'PASS' | 'FAIL',
      ...(note ? { note } : {}),
    };
  }
  const missing = /^(.+): not measured in this run \(target >= (\d+(?:\.\d+)?)x\)$/.exec(text);
  if (missing)
    return {
      label: missing[1]!,
      kind: 'ratio',
      atLeast: Number(missing[2]),
      value: null,
      verdict: 'FAIL',
      note: 'not measured in this run',
    };
  return undefined;
}

/** A cell id part from a label: `Add: QueueProducer.enqueue() vs ...` -> `add`. */
export function slugOf(label: string): string {
  const head = label.includes(':') ? label.slice(0, label.indexOf(':')) : label;
  return (
    head
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'target'
  );
}
