// Puts the table of results/latest.json into README.md (between its bench-matrix markers).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderResultsBlock, replaceResultsBlock } from './matrix/readme-table.js';
import type { MatrixResults } from './matrix/results.js';

const USAGE = `Usage: pnpm --filter @rnh/bench run readme

Regenerates the results table in bench/README.md from bench/results/latest.json
(written by npm run bench).`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
} else if (args.length > 0) {
  console.error(`readme: unknown option ${JSON.stringify(args[0])} (see --help)`);
  process.exitCode = 2;
} else {
  const readmePath = fileURLToPath(new URL('./README.md', import.meta.url));
  const results = JSON.parse(
    readFileSync(fileURLToPath(new URL('./results/latest.json', import.meta.url)), 'utf8'),
  ) as MatrixResults;
  writeFileSync(
    readmePath,
    replaceResultsBlock(readFileSync(readmePath, 'utf8'), renderResultsBlock(results)),
  );
  console.log(
    `bench/README.md: table of ${results.cells.length} cells from results/latest.json (${results.startedAt})`,
  );
}
