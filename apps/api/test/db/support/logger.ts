// A real pino logger whose lines the test can read.
import { createLogger, type Logger } from '@rnh/telemetry';

export interface CapturedLogger {
  logger: Logger;
  lines: string[];
  /** Parsed lines whose `msg` is this. */
  messages(msg: string): Record<string, unknown>[];
}

export function captureLogger(): CapturedLogger {
  const lines: string[] = [];
  const logger = createLogger({
    name: 'test',
    level: 'debug',
    destination: { write: (line: string) => void lines.push(line) },
  });
  return {
    logger,
    lines,
    messages: (msg) =>
      lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === msg),
  };
}
