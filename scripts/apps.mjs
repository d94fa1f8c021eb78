// Runs the apps for `npm start`: each with its own package.json `start` script, in its own
// directory, output prefixed with its name, stopped with one signal for a graceful shutdown.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, signalGroup } from './lib.mjs';

const COLORS = { api: 35, worker: 33 };

/**
 * Starts `apps/<name>`'s `start` script as npm would (its node_modules/.bin on PATH), in a
 * process group of its own so that only our one signal reaches it (see runInOwnGroup).
 * Returns `{ name, exited, stop }`; `exited` resolves with `{ code, signal }`.
 */
export function startApp(name, env, width = name.length) {
  const dir = join(root, 'apps', name);
  const script = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts.start;
  // `exec`: the shell becomes the app, so the signal goes to the app itself.
  const child = spawn('sh', ['-c', `exec ${script}`], {
    cwd: dir,
    env: { ...env, PATH: `${join(dir, 'node_modules', '.bin')}:${env.PATH}` },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const prefix = label(name, width);
  prefixLines(child.stdout, process.stdout, prefix);
  prefixLines(child.stderr, process.stderr, prefix);
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { name, exited, stop: (signal) => signalGroup(child, signal) };
}

function label(name, width) {
  const text = `${name.padEnd(width)} │ `;
  return process.stdout.isTTY ? `\u001b[${COLORS[name] ?? 36}m${text}\u001b[0m` : text;
}

/** Copies `from` to `to` line by line, each line after `prefix`. */
function prefixLines(from, to, prefix) {
  let partial = '';
  from.setEncoding('utf8');
  from.on('data', (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) to.write(`${prefix}${line}\n`);
  });
  from.on('end', () => {
    if (partial) to.write(`${prefix}${partial}\n`);
  });
}
