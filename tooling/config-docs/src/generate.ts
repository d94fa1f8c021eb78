// `npm run config:docs`: writes .env.example and docs/configuration.md from the config schemas.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generatedFiles, repoRoot } from './index.js';

const USAGE = `Usage: npm run config:docs [-- --check]

Writes .env.example and docs/configuration.md from the config schemas of apps/api and
apps/worker, the Redis variables of @rnh/redis-client and the OTEL_* variables of @rnh/telemetry.

  --check   write nothing; exit 1 if a committed file differs from what would be written
  --help    show this text`;

function options(): { check: boolean; help: boolean } {
  try {
    const { values } = parseArgs({
      options: {
        check: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    return { check: values.check, help: values.help };
  } catch (error) {
    // parseArgs explains at length; the first sentence names the flag.
    const reason = (error as Error).message.split('. ')[0];
    process.stderr.write(`config:docs: ${reason}. Run with --help for usage.\n`);
    process.exit(2);
  }
}

const { check, help } = options();
if (help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const files = await generatedFiles();
const stale: string[] = [];
for (const [path, content] of files) {
  const absolute = join(repoRoot, path);
  if (readIfPresent(absolute) === content) continue;
  stale.push(path);
  if (!check) writeFileSync(absolute, content);
}

if (check) {
  process.stdout.write(
    stale.length === 0
      ? 'Up to date.\n'
      : `Stale: ${stale.join(', ')}. Run npm run config:docs and commit.\n`,
  );
  process.exitCode = stale.length === 0 ? 0 : 1;
} else {
  process.stdout.write(stale.length === 0 ? 'Already up to date.\n' : `Wrote ${stale.join(' and ')}.\n`);
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
