// A script of the bench forked as a Node process of its own (TypeScript through tsx, or a
// bundle of one as plain JavaScript), asked one
// thing at a time over the IPC channel: each request gets one answer, or an error when the
// process says it failed, exits, or takes longer than the request's timeout.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What a forked script answers when a request failed. */
export interface FailedAnswer {
  type: 'failed';
  error: string;
}

export class IpcProcess<Request extends { type: string }, Answer extends { type: string }> {
  private readonly child: ChildProcess;
  private readonly name: string;
  private pending: { resolve(answer: Answer): void; reject(error: Error): void } | undefined;
  private exited = false;

  constructor(script: URL, args: string[] = [], nodeOptions: string[] = []) {
    this.name = script.pathname.split('/').pop() ?? script.pathname;
    const loader = script.pathname.endsWith('.ts') ? ['--import', 'tsx'] : [];
    this.child = fork(fileURLToPath(script), args, {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      execArgv: [...nodeOptions, ...loader],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (message: Answer | FailedAnswer) => {
      const pending = this.pending;
      this.pending = undefined;
      if (message.type === 'failed')
        pending?.reject(new Error(`${this.name} failed: ${(message as FailedAnswer).error}`));
      else pending?.resolve(message as Answer);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      this.pending?.reject(new Error(`${this.name} exited (code ${code}, signal ${signal})`));
      this.pending = undefined;
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  ask(request: Request, timeoutMs: number): Promise<Answer> {
    if (this.exited) return Promise.reject(new Error(`${this.name} is not running`));
    if (this.pending) return Promise.reject(new Error(`${this.name} is still answering a request`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        reject(new Error(`${this.name}: no answer to ${request.type} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending = {
        resolve: (answer) => {
          clearTimeout(timer);
          resolve(answer);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.child.send(request);
    });
  }

  /** Asks the script to close (`{ type: 'close' }`: it disconnects when done), killed after 10 s. */
  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((resolve) => this.child.once('exit', resolve));
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    if (this.child.connected) this.child.send({ type: 'close' });
    else this.child.kill('SIGTERM');
    await gone;
    clearTimeout(killer);
  }
}

/**
 * The script's side: calls `handle` for each request and sends its answer (or `failed`); on
 * `close`, calls `close` and leaves.
 */
export function serveRequests<Request extends { type: string }, Answer extends { type: string }>(
  handle: (request: Request) => Promise<Answer>,
  close: () => Promise<void>,
): void {
  process.on('message', (request: Request | { type: 'close' }) => {
    const work = async () => {
      if (request.type === 'close') {
        await close();
        process.disconnect();
        // Open sockets or timers of the libraries under test must not keep the process alive.
        setTimeout(() => process.exit(0), 2000).unref();
        return;
      }
      process.send?.(await handle(request as Request));
    };
    work().catch((error: unknown) => {
      const failed: FailedAnswer = {
        type: 'failed',
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      };
      process.send?.(failed);
    });
  });
}
