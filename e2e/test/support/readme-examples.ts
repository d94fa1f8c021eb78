// The examples a package's README shows, as a user copies them out of it, and the same code as a
// CommonJS module.
import { existsSync, readFileSync } from 'node:fs';
import { readmeExample } from '@rnh/test-utils';
import ts from 'typescript';

export interface ReadmeExample {
  /** The path the README names for it, e.g. `examples/quick-start.ts`. */
  path: string;
  /** The code the README shows. */
  source: string;
}

/** Every `<!-- example: <path> -->` block of a README, in order (none when there is no README). */
export async function readmeExamples(readmePath: string): Promise<ReadmeExample[]> {
  if (!existsSync(readmePath)) return [];
  const readme = readFileSync(readmePath, 'utf8');
  const paths = [...readme.matchAll(/<!-- example: (\S+) -->/g)].map((match) => match[1]!);
  return Promise.all(paths.map(async (path) => ({ path, source: await readmeExample(readmePath, path) })));
}

/**
 * An ES module example as a CommonJS one (for a `.cts` file): its imports stay on top, where
 * TypeScript turns them into require() calls, and the rest runs in an async function, since
 * CommonJS has no top-level await. A failure sets a non-zero exit code, as it would in ESM.
 */
export function asCommonJs(source: string): string {
  const file = ts.createSourceFile('example.ts', source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const text = (statements: readonly ts.Statement[]) =>
    statements.map((statement) => source.slice(statement.getFullStart(), statement.getEnd())).join('');
  const imports = file.statements.filter((statement) => ts.isImportDeclaration(statement));
  const rest = file.statements.filter((statement) => !ts.isImportDeclaration(statement));
  return [
    text(imports).trim(),
    '',
    '(async () => {',
    text(rest).trim(),
    '})().catch((error: unknown) => {',
    '  console.error(error);',
    '  process.exitCode = 1;',
    '});',
    '',
  ].join('\n');
}
