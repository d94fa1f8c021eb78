import type { AttemptRecord } from '../types.js';

// Each failed try is written to the job's BullMQ log (bounded by `keepLogs`) as one
// line: a marker, then JSON. The dead-letter entry's attempt history is read back
// from those lines.
const MARKER = 'rnh:attempt ';
const MAX_MESSAGE_CHARS = 1000;

export function formatAttemptLine(record: AttemptRecord): string {
  return MARKER + JSON.stringify(record);
}

export function parseAttemptLines(lines: readonly string[]): AttemptRecord[] {
  const records: AttemptRecord[] = [];
  for (const line of lines) {
    if (!line.startsWith(MARKER)) continue;
    try {
      const record = JSON.parse(line.slice(MARKER.length)) as AttemptRecord;
      if (typeof record.attempt === 'number' && record.error) records.push(record);
    } catch {
      // not one of ours after all
    }
  }
  return records.sort((a, b) => a.attempt - b.attempt);
}

/** Name and message of anything thrown, the message cut to a sane length. */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error)
    return { name: error.name || 'Error', message: error.message.slice(0, MAX_MESSAGE_CHARS) };
  return { name: 'NonError', message: String(error).slice(0, MAX_MESSAGE_CHARS) };
}

/** `TypeError: boom\n    at ...` -> `TypeError`; used when only a stack trace is left. */
export function errorNameFromStack(stack: string | undefined): string | undefined {
  const match = stack ? /^([A-Za-z_$][\w$]*): /.exec(stack) : null;
  return match?.[1];
}
