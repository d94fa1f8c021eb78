import type { DoctorReport } from '../types.js';
import { formatBytes } from './checks.js';

const MARKERS = { ok: '✓', warn: '!', fail: '✗' } as const;

/** Plain text for a terminal: one line per check, then a summary line. */
export function formatDoctorReport(report: DoctorReport): string {
  const width = Math.max(0, ...report.checks.map((check) => check.name.length));
  const lines = report.checks.map(
    (check) => `${MARKERS[check.status]} ${check.name.padEnd(width)}  ${check.detail}`,
  );
  const { server } = report;
  if (server) {
    lines.push(
      `  server: Redis ${server.version} (${server.mode}, ${server.role}), memory ${formatBytes(server.usedMemoryBytes)} used / ${
        server.maxMemoryBytes ? formatBytes(server.maxMemoryBytes) : 'no limit'
      }, policy ${server.evictionPolicy}, RDB ${server.rdb ? 'on' : 'off'}, AOF ${server.aof ? 'on' : 'off'}, ping ${server.latencyMs} ms`,
    );
  }
  const warnings = report.checks.filter((check) => check.status === 'warn').length;
  const failures = report.checks.filter((check) => check.status === 'fail').length;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  lines.push(
    report.ok
      ? `Redis doctor: OK${warnings ? ` with ${plural(warnings, 'warning')}` : ''}`
      : `Redis doctor: FAILED (${plural(failures, 'failure')}${warnings ? `, ${plural(warnings, 'warning')}` : ''})`,
  );
  return lines.join('\n');
}
