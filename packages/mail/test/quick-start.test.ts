import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExample, runExample, startSmtpSink } from '@rnh/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { readMailbox } from '../src/index.js';

const EXAMPLE = new URL('../examples/quick-start.ts', import.meta.url);
const root = mkdtempSync(join(tmpdir(), 'rnh-mail-example-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the README quick start', () => {
  it('is the example file, verbatim', async () => {
    const readme = fileURLToPath(new URL('../README.md', import.meta.url));
    expect(await readmeExample(readme, 'examples/quick-start.ts')).toBe(await readFile(EXAMPLE, 'utf8'));
  });

  it('without SMTP_URL, writes the message as an .eml file and reads it back', async () => {
    const mailDir = join(root, 'mail');
    const printed = await runExample(EXAMPLE, { MAIL_DIR: mailDir, SMTP_URL: undefined });
    expect(printed).toEqual(['file', 'ada@example.com Reset your password true']);
    expect(await readMailbox(mailDir)).toHaveLength(1);
  });

  it('with SMTP_URL, delivers it over SMTP', async () => {
    const sink = await startSmtpSink();
    try {
      // A second import of the same file needs its own URL.
      const printed = await runExample(new URL(`${EXAMPLE.href}?smtp`), {
        MAIL_DIR: join(root, 'unused'),
        SMTP_URL: sink.url,
      });
      expect(printed).toEqual(['smtp']);
      expect(sink.received).toHaveLength(1);
      expect(sink.received[0]!.to).toEqual(['<ada@example.com>']);
      expect(sink.received[0]!.data).toMatch(/^Subject: Reset your password$/m);
      expect(await readMailbox(join(root, 'unused'))).toEqual([]);
    } finally {
      await sink.close();
    }
  });
});
