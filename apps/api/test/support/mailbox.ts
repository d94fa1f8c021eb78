// Reads the dev mail transport's files to follow the links the api sends.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The token of the newest matching message, once the worker has written it (polls up to `timeoutMs`). */
export async function waitForTokenFor(
  mailDir: string,
  to: string,
  subject: RegExp,
  timeoutMs = 15_000,
): Promise<string> {
  const link = await waitForLinkFor(mailDir, to, subject, timeoutMs);
  return new URL(link).searchParams.get('token') ?? '';
}

/** The token in the newest message to `to` whose subject matches, or undefined. */
export function latestTokenFor(mailDir: string, to: string, subject: RegExp): string | undefined {
  const link = latestLinkFor(mailDir, to, subject);
  return link && (new URL(link).searchParams.get('token') ?? undefined);
}

/** The token-carrying link of the newest matching message, as a user would click it (polls up to `timeoutMs`). */
export async function waitForLinkFor(
  mailDir: string,
  to: string,
  subject: RegExp,
  timeoutMs = 15_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const link = latestLinkFor(mailDir, to, subject);
    if (link) return link;
    if (Date.now() > deadline)
      throw new Error(`no mail to ${to} matching ${subject} in ${mailDir} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The first link with a token in the newest message to `to` whose subject matches, or undefined. */
export function latestLinkFor(mailDir: string, to: string, subject: RegExp): string | undefined {
  for (const text of mailTo(mailDir, to, subject)) {
    const match = /https?:\/\/[^\s"<>]+[?&]token=[A-Za-z0-9_.~%-]+/.exec(text);
    if (match) return match[0];
  }
  return undefined;
}

/** Every message to `to` whose text matches `subject`, newest first (decoded). */
export function mailTo(mailDir: string, to: string, subject: RegExp): string[] {
  let files: string[];
  try {
    files = readdirSync(mailDir)
      .filter((file) => file.endsWith('.eml'))
      .sort()
      .reverse();
  } catch {
    return [];
  }
  return files
    .map((file) => decodeQuotedPrintable(readFileSync(join(mailDir, file), 'utf8')))
    .filter((text) => new RegExp(`^To: .*${escape(to)}`, 'im').test(text) && subject.test(text));
}

function decodeQuotedPrintable(raw: string): string {
  return raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
