// WORKER_DATA_DIR (development mail): the worker's own directory, whatever the working directory.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

const workerDir = fileURLToPath(new URL('..', import.meta.url));

describe('WORKER_DATA_DIR', () => {
  it("is the worker's own .data by default, a relative path resolved from there, an absolute one kept", () => {
    expect(loadConfig({}).dataDir).toBe(join(workerDir, '.data'));
    expect(loadConfig({ WORKER_DATA_DIR: 'var' }).dataDir).toBe(join(workerDir, 'var'));
    expect(loadConfig({ WORKER_DATA_DIR: '/srv/mail' }).dataDir).toBe('/srv/mail');
  });
});
