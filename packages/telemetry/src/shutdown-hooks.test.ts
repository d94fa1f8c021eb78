import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { installShutdownHooks } from './shutdown-hooks.js';

/** Just enough of `process` for the hooks: events, a pid, and kill. */
function fakeProcess() {
  const proc = Object.assign(new EventEmitter(), { pid: 1234, kill: vi.fn() });
  return proc as typeof proc & NodeJS.Process;
}

describe('installShutdownHooks', () => {
  it('flushes and re-raises the signal when the app has no handler of its own', async () => {
    const proc = fakeProcess();
    const shutdown = vi.fn(() => Promise.resolve());
    installShutdownHooks({ sdk: undefined, shutdown }, proc);

    proc.emit('SIGTERM', 'SIGTERM');
    await vi.waitFor(() => expect(proc.kill).toHaveBeenCalledWith(1234, 'SIGTERM'));
    expect(shutdown).toHaveBeenCalledTimes(1);
    // Our listener is gone, so the re-raised signal gets Node's default action.
    expect(proc.listenerCount('SIGTERM')).toBe(0);
  });

  it('leaves the shutdown to an app that handles the signal', () => {
    const proc = fakeProcess();
    const shutdown = vi.fn(() => Promise.resolve());
    installShutdownHooks({ sdk: undefined, shutdown }, proc);
    const appHandler = vi.fn();
    proc.on('SIGINT', appHandler);

    proc.emit('SIGINT', 'SIGINT');
    expect(appHandler).toHaveBeenCalled();
    expect(shutdown).not.toHaveBeenCalled();
    expect(proc.kill).not.toHaveBeenCalled();
  });

  it('flushes when the event loop drains on its own', () => {
    const proc = fakeProcess();
    const shutdown = vi.fn(() => Promise.resolve());
    installShutdownHooks({ sdk: undefined, shutdown }, proc);
    proc.emit('beforeExit', 0);
    expect(shutdown).toHaveBeenCalledTimes(1);
  });
});
