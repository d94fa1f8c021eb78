// `pnpm --filter @rnh/dashboards build:dashboards`: writes dashboards/<uid>.json from src/
// and removes generated files of dashboards that no longer exist.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { committedFileNames, dashboardsDir, generatedFiles } from './index.js';

const files = generatedFiles();
for (const name of committedFileNames()) {
  if (!files.has(name)) rmSync(join(dashboardsDir, name));
}
for (const [name, content] of files) writeFileSync(join(dashboardsDir, name), content);
process.stdout.write(`Wrote ${files.size} dashboards to ${dashboardsDir}: ${[...files.keys()].join(', ')}\n`);
