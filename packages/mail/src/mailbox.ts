// Reads the file mailer's directory back: for tests (follow the link in the newest message) and for development.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeHeader, findPart, parseEntity } from './mime.js';

export interface MailboxMessage {
  /** Absolute path of the .eml file. */
  file: string;
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string | undefined;
  messageId: string;
  date: Date | undefined;
}

/** Every message in `mailDir`, newest first; empty when the directory does not exist yet. */
export async function readMailbox(mailDir: string): Promise<MailboxMessage[]> {
  let names: string[];
  try {
    names = await readdir(mailDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files = names
    .filter((name) => name.endsWith('.eml'))
    .sort()
    .reverse();
  return Promise.all(
    files.map(async (name) => parseMessage(join(mailDir, name), await readFile(join(mailDir, name), 'utf8'))),
  );
}

export function parseMessage(file: string, raw: string): MailboxMessage {
  const entity = parseEntity(raw);
  const header = (name: string) => decodeHeader(entity.headers.get(name) ?? '');
  const date = entity.headers.get('date');
  return {
    file,
    to: header('to'),
    from: header('from'),
    subject: header('subject'),
    text: findPart(entity, 'text/plain') ?? '',
    html: findPart(entity, 'text/html'),
    messageId: header('message-id'),
    date: date ? new Date(date) : undefined,
  };
}
