// `npm run dashboards` (or `pnpm --filter @rnh/dashboards build:dashboards`): writes
// dashboards/<uid>.json from src/ and removes generated files of dashboards that no longer exist.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { committedFileNames, dashboardsDir, generatedFiles } from './index.js';

const USAGE = `Usage: npm run dashboards

Writes the Grafana dashboards (dashboards/<uid>.json) from dashboards/src and removes the JSON
of dashboards that no longer exist. Commit the result: a test fails while it is stale.`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (args.length > 0) {
  process.stderr.write(`dashboards: unknown option ${JSON.stringify(args[0])} (see --help)\n`);
  process.exit(2);
}

const files = generatedFiles();
for (const name of committedFileNames()) {
  if (!files.has(name)) rmSync(join(dashboardsDir, name));
}
for (const [name, content] of files) writeFileSync(join(dashboardsDir, name), content);
process.stdout.write(`Wrote ${files.size} dashboards to ${dashboardsDir}: ${[...files.keys()].join(', ')}\n`);
