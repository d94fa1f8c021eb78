// What the observability e2e test starts besides Redis and the apps: a real Prometheus, and a
// small SMTP server that refuses some recipients (so that mail is retried and dead-lettered for real).
import { accessSync, constants, existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { delimiter, join } from 'node:path';
import { freePort } from '@rnh/test-utils';
import { startDaemon, type DaemonHandle } from './daemon.js';

/**
 * prometheus from PROMETHEUS_BIN or the PATH (/usr/bin/prometheus on Debian). Missing, it throws:
 * the test fails, it does not skip.
 */
export function findPrometheus(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.PROMETHEUS_BIN;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`PROMETHEUS_BIN is ${fromEnv}, which does not exist.`);
    return fromEnv;
  }
  for (const dir of [...(env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin']) {
    const candidate = join(dir, 'prometheus');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error(
    'prometheus is not installed, and the dashboards cannot be checked against real data without it. ' +
      'On Debian or Ubuntu: `sudo apt-get install prometheus` (the Debian package `prometheus`; ' +
      'scripts/prerequisites.sh installs it). Elsewhere, download it from https://prometheus.io/download/ ' +
      'and set PROMETHEUS_BIN.',
  );
}

export type PrometheusHandle = DaemonHandle;

/** Starts Prometheus on a free port with this config, its storage in a temp dir. */
export function startPrometheus(config: string): Promise<PrometheusHandle> {
  return startDaemon({
    name: 'prometheus',
    binary: findPrometheus(),
    prepare: (dir) => writeFileSync(join(dir, 'prometheus.yml'), config),
    args: (dir, port) => [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    readyPath: '/-/ready',
  });
}

export interface SmtpHandle {
  url: string;
  /** Messages accepted, and recipients refused, so far. */
  accepted: number;
  refused: Array<{ to: string; code: number }>;
  stop(): Promise<void>;
}

/**
 * A minimal SMTP server (enough for nodemailer): every message is accepted and dropped, except
 * that a recipient whose local part starts with `bounce` is refused for good (550) and one that
 * starts with `greylist` is refused for now (451).
 */
export async function startSmtpServer(): Promise<SmtpHandle> {
  const sockets = new Set<Socket>();
  const handle: SmtpHandle = { url: '', accepted: 0, refused: [], stop: async () => undefined };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = '';
    let inData = false;
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 rnh-test-smtp ESMTP');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let index: number;
      while ((index = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, index);
        buffer = buffer.slice(index + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            handle.accepted++;
            reply('250 2.0.0 queued');
          }
          continue;
        }
        const command = line.slice(0, 4).toUpperCase();
        if (command === 'EHLO') reply('250-rnh-test-smtp\r\n250 8BITMIME');
        else if (command === 'HELO') reply('250 rnh-test-smtp');
        else if (command === 'MAIL') reply('250 2.1.0 ok');
        else if (command === 'RCPT') {
          const to = /<([^>]*)>/.exec(line)?.[1] ?? '';
          if (to.startsWith('bounce')) {
            handle.refused.push({ to, code: 550 });
            reply('550 5.1.1 no such mailbox');
          } else if (to.startsWith('greylist')) {
            handle.refused.push({ to, code: 451 });
            reply('451 4.7.1 greylisted, try again later');
          } else reply('250 2.1.5 ok');
        } else if (command === 'DATA') {
          inData = true;
          reply('354 end with <CRLF>.<CRLF>');
        } else if (command === 'RSET' || command === 'NOOP') reply('250 2.0.0 ok');
        else if (command === 'QUIT') {
          reply('221 2.0.0 bye');
          socket.end();
        } else reply('502 5.5.2 command not implemented');
      }
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  handle.url = `smtp://127.0.0.1:${port}`;
  handle.stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return handle;
}
