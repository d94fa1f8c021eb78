// `tsx render/panels.ts --prometheus http://127.0.0.1:9090 [--minutes 5] [--dashboards rnh-redis,rnh-cache]
//  [--out ../docs/images]`: renders dashboards' panels with the data of a running Prometheus as SVG.
import { resolve } from 'node:path';
import { repoRoot } from '../src/paths.js';
import { writeDashboardImages } from './images.js';

function usage(message?: string): never {
  if (message) process.stderr.write(`render/panels: ${message}\n`);
  process.stderr.write(
    'Usage: tsx render/panels.ts --prometheus <url> [--minutes <n> | --start <unix s> --end <unix s>] ' +
      '[--step <s>] [--dashboards rnh-redis,rnh-cache] [--out <dir>] [--app api|worker] [--instance .*]\n',
  );
  process.exit(2);
}

const args = new Map<string, string>();
const argv = process.argv.slice(2).filter((arg) => arg !== '--');
for (let index = 0; index < argv.length; index += 2) {
  const name = argv[index]!;
  const value = argv[index + 1];
  if (name === '--help') usage();
  if (!name.startsWith('--') || value === undefined) usage(`expected --name value, got ${name}`);
  args.set(name.slice(2), value);
}
const known = ['prometheus', 'minutes', 'start', 'end', 'step', 'dashboards', 'out', 'app', 'instance'];
for (const name of args.keys()) if (!known.includes(name)) usage(`unknown option --${name}`);
const prometheus = args.get('prometheus') ?? usage('--prometheus is required');
const number = (name: string) => {
  const value = args.get(name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) usage(`--${name} must be a positive number`);
  return parsed;
};
const end = number('end') ?? Date.now() / 1000;
const start = number('start') ?? end - (number('minutes') ?? 5) * 60;
if (start >= end) usage('--start must be before --end');

writeDashboardImages({
  prometheus,
  start,
  end,
  step: number('step'),
  dashboards: args.get('dashboards')?.split(','),
  variables: { app: args.get('app') ?? 'api|worker', instance: args.get('instance') ?? '.*' },
  outDir: resolve(args.get('out') ?? resolve(repoRoot, 'docs/images')),
}).then(
  (files) => process.stdout.write(`${files.map((file) => `wrote ${file}`).join('\n')}\n`),
  (error: unknown) => {
    process.stderr.write(`render/panels: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
