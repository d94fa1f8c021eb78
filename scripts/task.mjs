#!/usr/bin/env node
// `npm run seed|redis:doctor|dashboards|bench|load|dev`: the root commands that need the
// workspace's tools. Each finds the pinned pnpm (installed into .data/tools by `npm start` when
// the machine has none), installs the dependencies when they are missing, builds what the
// command runs with turbo (cached), then runs it with the given arguments.
import { join } from 'node:path';
import {
  buildWithTurbo,
  checkFlags,
  ensureDependencies,
  ensurePnpm,
  fail,
  root,
  runInOwnGroup,
} from './lib.mjs';

/** What each command builds first (turbo filters), and what it runs in `dir` (default: the repository root). */
const TASKS = {
  seed: {
    about: "fill the api's database with a demo network (-- --reset replaces it)",
    build: ['@rnh/api...'],
    run: ['node', 'apps/api/dist/scripts/seed.js'],
  },
  'redis:doctor': {
    about: 'check the configured Redis and warn about risky settings',
    build: ['@rnh/api...'],
    run: ['node', 'apps/api/dist/scripts/redis-doctor.js'],
  },
  dashboards: {
    about: 'regenerate the Grafana dashboards JSON from dashboards/src',
    build: [],
    dir: 'dashboards',
    run: ['pnpm', 'exec', 'tsx', 'src/generate.ts'],
  },
  'config:docs': {
    about: 'regenerate .env.example and docs/configuration.md from the config schemas (-- --check)',
    build: ['@rnh/config-docs^...'],
    dir: 'tooling/config-docs',
    run: ['pnpm', 'exec', 'tsx', 'src/generate.ts'],
  },
  bench: {
    about: 'run the workload matrix against the peers (about 20 minutes; -- --quick: under 2)',
    // The api too: the matrix starts it as a process for its api cells.
    build: ['@rnh/bench^...', '@rnh/api...'],
    dir: 'bench',
    run: ['pnpm', 'exec', 'tsx', 'matrix.ts'],
  },
  load: {
    about: 'drive a traffic mix against a running api',
    build: ['@rnh/deploy^...'],
    dir: 'deploy',
    run: ['pnpm', 'exec', 'tsx', 'load/cli.ts'],
  },
  changeset: {
    about: 'describe a change to the published packages; version and publish them (docs/releasing.md)',
    build: [],
    run: ['node', 'scripts/changeset.mjs'],
  },
  dev: {
    about: 'develop: Redis if needed, then the api and worker reloaded on every change (turbo run dev)',
    build: [],
    // turbo itself, not through "pnpm exec": pnpm 10 answers Ctrl-C by sending turbo a second
    // signal, which turbo takes as "force kill" (pnpm/pnpm#7374). turbo's dev graph starts Redis.
    run: ['turbo', 'run', 'dev'],
  },
};

const USAGE = `Usage: node scripts/task.mjs <command> [arguments for the command]
(the root scripts call it: npm run <command> -- [arguments]; "npm run <command> -- --help" shows a command's options)

${Object.entries(TASKS)
  .map(([name, task]) => `  ${name.padEnd(14)}${task.about}`)
  .join('\n')}`;

const [name, ...args] = process.argv.slice(2);
if (name === undefined) fail('task.mjs: which command? (see --help)', 2);
if (name.startsWith('-')) checkFlags('task.mjs', [name], USAGE);
const task = TASKS[name];
if (!task) fail(`task.mjs: unknown command ${JSON.stringify(name)} (see --help)`, 2);

const env = ensurePnpm();
await ensureDependencies(env);
if (task.build.length > 0) buildWithTurbo(task.build, env);
const [command, ...commandArgs] = task.run;
const cwd = join(root, task.dir ?? '.');
process.exit(await runInOwnGroup(command, [...commandArgs, ...args], { env, cwd }));
