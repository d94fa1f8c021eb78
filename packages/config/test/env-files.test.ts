import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { envFilesOf, loadEnvFiles } from '../src/index.js';

describe('loadEnvFiles', () => {
  let root: string;
  let appDir: string;
  const write = (file: string, text: string) => writeFileSync(file, text);

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function layout(): void {
    root = mkdtempSync(join(tmpdir(), 'rnh-env-files-'));
    appDir = join(root, 'apps', 'api');
    mkdirSync(appDir, { recursive: true });
  }

  it('reads the app directory and the repository root, the more specific file winning', () => {
    layout();
    write(join(root, '.env'), 'A=root\nB=root\nC=root\nD=root\n');
    write(join(root, '.env.local'), 'B=root-local\nC=root-local\nD=root-local\n');
    write(join(appDir, '.env'), 'C=app\nD=app\n');
    write(join(appDir, '.env.local'), 'D=app-local\n');
    const env: Record<string, string | undefined> = {};
    const read = loadEnvFiles(envFilesOf(appDir), env);
    expect(env).toEqual({ A: 'root', B: 'root-local', C: 'app', D: 'app-local' });
    expect(read).toEqual([
      join(appDir, '.env.local'),
      join(appDir, '.env'),
      join(root, '.env.local'),
      join(root, '.env'),
    ]);
  });

  it('never replaces a variable of the real environment, even an empty one', () => {
    layout();
    write(join(appDir, '.env.local'), 'LOG_LEVEL=debug\nAPI_PORT=4000\nEMPTY=filled\n');
    const env: Record<string, string | undefined> = { LOG_LEVEL: 'warn', EMPTY: '' };
    loadEnvFiles(envFilesOf(appDir), env);
    expect(env).toEqual({ LOG_LEVEL: 'warn', API_PORT: '4000', EMPTY: '' });
  });

  it('skips missing files, and reads none under NODE_ENV=test', () => {
    layout();
    expect(loadEnvFiles(envFilesOf(appDir), {})).toEqual([]);
    write(join(root, '.env'), 'A=root\n');
    const env: Record<string, string | undefined> = { NODE_ENV: 'test' };
    expect(loadEnvFiles(envFilesOf(appDir), env)).toEqual([]);
    expect(env).toEqual({ NODE_ENV: 'test' });
  });

  it('parses quotes and comments as Node does', () => {
    layout();
    write(join(root, '.env'), '# a comment\nMAIL_FROM="RNH <no-reply@example.com>"\nX=1 # trailing\n');
    const env: Record<string, string | undefined> = {};
    loadEnvFiles(envFilesOf(appDir), env);
    expect(env).toEqual({ MAIL_FROM: 'RNH <no-reply@example.com>', X: '1' });
  });
});
