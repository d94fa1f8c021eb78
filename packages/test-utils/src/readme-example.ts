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
 * Runs a README example module in this process (it is imported once) and answers what it
 * printed with console.log, one string per call. `env` is set for the run and restored
 * afterwards: a string is `REDIS_URL` (the test's server), an object names each variable
 * (`undefined` unsets one, so a value from the machine's environment cannot leak in).
 */
export async function runExample(
  moduleUrl: URL,
  env: string | Record<string, string | undefined> = {},
): Promise<string[]> {
  const variables = typeof env === 'string' ? { REDIS_URL: env } : env;
  const printed: string[] = [];
  const original = console.log;
  const before = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  setVariables(variables);
  console.log = (...args: unknown[]) => {
    printed.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
  };
  try {
    await import(moduleUrl.href);
  } finally {
    console.log = original;
    setVariables(before);
  }
  return printed;
}

function setVariables(variables: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(variables)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}
