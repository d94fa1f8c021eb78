// Turns prom-client's OpenMetrics output into the Prometheus text format 0.0.4.
// Rendering once from the OpenMetrics registry (instead of flipping the registry's
// content type per request) keeps concurrent scrapes race-free and keeps series names
// identical in both formats: in OpenMetrics mode prom-client strips `_total` from
// counter names for good, so a second plain-text registry would print them without it.

/**
 * - drops `# EOF`, `# UNIT` lines and every exemplar (`... # {trace_id="..."} 0.12 1700000000.1`);
 * - counter families are named with their `_total` sample name in HELP/TYPE lines;
 * - `unknown` becomes `untyped`.
 */
export function openMetricsToPrometheus(openMetrics: string): string {
  const lines = openMetrics.split('\n');
  const counters = new Set<string>();
  for (const line of lines) {
    const match = /^# TYPE (\S+) counter$/.exec(line);
    if (match?.[1]) counters.add(match[1]);
  }

  const out: string[] = [];
  for (const line of lines) {
    // The 0.0.4 format has no UNIT lines (prom-client writes none today).
    if (line === '' || line === '# EOF' || line.startsWith('# UNIT ')) continue;
    if (line.startsWith('# ')) {
      out.push(rewriteDescriptor(line, counters));
      continue;
    }
    out.push(stripExemplar(line));
  }
  return `${out.join('\n')}\n`;
}

function rewriteDescriptor(line: string, counters: Set<string>): string {
  const match = /^# (HELP|TYPE) (\S+)(.*)$/.exec(line);
  if (!match) return line;
  const [, kind, name = '', rest = ''] = match;
  const family = counters.has(name) ? `${name}_total` : name;
  const tail = kind === 'TYPE' && rest === ' unknown' ? ' untyped' : rest;
  return `# ${kind} ${family}${tail}`;
}

/** Cuts the ` # {...} value [timestamp]` suffix; label values may contain `#`, so braces and quotes are skipped first. */
export function stripExemplar(line: string): string {
  let index = line.indexOf('{');
  const space = line.indexOf(' ');
  if (index >= 0 && (space < 0 || index < space)) {
    let quoted = false;
    for (index += 1; index < line.length; index++) {
      const char = line[index];
      if (quoted && char === '\\') index++;
      else if (char === '"') quoted = !quoted;
      else if (char === '}' && !quoted) break;
    }
  } else {
    index = 0;
  }
  const exemplar = line.indexOf(' # ', index);
  return exemplar < 0 ? line : line.slice(0, exemplar);
}
