import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export interface MemoryLogger {
  logger: Logger;
  /** Everything logged so far, as written. */
  text(): string;
  /** Everything logged so far, one parsed JSON object per line. */
  lines(): Array<Record<string, unknown>>;
}

/** A real pino logger writing JSON lines into memory, so tests see exactly what would be logged. */
export function memoryLogger(): MemoryLogger {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const text = () => chunks.join('');
  return {
    logger: pino({ level: 'debug' }, stream),
    text,
    lines: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
