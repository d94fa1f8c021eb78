import { readFile } from 'node:fs/promises';

/**
 * The code a README shows between `<!-- example: <path> -->` and `<!-- /example -->`
 * (inside a fenced block), so a test can check that the README shows the example
 * file verbatim. Throws when the README has no such block.
 */
export async function readmeExample(readmePath: string, examplePath: string): Promise<string> {
  const readme = await readFile(readmePath, 'utf8');
  const start = `<!-- example: ${examplePath} -->`;
  const from = readme.indexOf(start);
  const to = readme.indexOf('<!-- /example -->', from);
  if (from < 0 || to < 0) throw new Error(`${readmePath} has no block "${start}" ... "<!-- /example -->"`);
  const block = readme.slice(from + start.length, to).trim();
  const fenced = /^```[a-z]*\n([\s\S]*?)```$/.exec(block);
  if (!fenced)
    throw new Error(`${readmePath}: the example block of ${examplePath} is not one fenced code block`);
  return fenced[1]!;
}

/**
 * Runs a README example module in this process (it is imported once), with
 * `REDIS_URL` pointing at the test's server, and answers what it printed with
 * console.log, one string per call.
 */
export async function runExample(moduleUrl: URL, redisUrl: string): Promise<string[]> {
  const printed: string[] = [];
  const original = console.log;
  const before = process.env.REDIS_URL;
  process.env.REDIS_URL = redisUrl;
  console.log = (...args: unknown[]) => {
    printed.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
  };
  try {
    await import(moduleUrl.href);
  } finally {
    console.log = original;
    if (before === undefined) delete process.env.REDIS_URL;
    else process.env.REDIS_URL = before;
  }
  return printed;
}
