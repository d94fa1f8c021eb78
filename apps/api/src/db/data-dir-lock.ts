// PGlite takes no lock on its data directory, and two processes opening one directory corrupt it
// (electric-sql/pglite#1106). This lock file beside the directory makes the second opener fail fast instead.
import { openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { DatabaseStartupError } from './errors.js';

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

// Held by this process. A lock file with our own pid that is not in here is from an earlier process
// that had the same pid (a restarted container is pid 1 again), so it is stale.
const heldHere = new Set<string>();

export function lockDataDir(dataDir: string): DataDirLock {
  const path = `${dataDir}.lock`;
  if (heldHere.has(path)) throw inUse(dataDir, process.pid);
  if (!tryCreate(path)) {
    const holder = readPid(path);
    if (holder !== undefined && holder !== process.pid && isAlive(holder)) throw inUse(dataDir, holder);
    // Stale: its process is gone. Take it over; if another starter beat us to it, that one wins.
    unlinkQuietly(path);
    if (!tryCreate(path)) throw inUse(dataDir, readPid(path));
  }
  heldHere.add(path);
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      heldHere.delete(path);
      if (readPid(path) === process.pid) unlinkQuietly(path);
    },
  };
}

/** Creates the file with our pid; false when it already exists. Other errors (not writable) are thrown. */
function tryCreate(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

function inUse(dataDir: string, pid: number | undefined): DatabaseStartupError {
  const who = pid === process.pid ? 'this process' : pid ? `process ${pid}` : 'another process';
  return new DatabaseStartupError(
    'DATA_DIR_IN_USE',
    `the PGlite data directory ${dataDir} is in use by ${who}; PGlite serves one process only: ` +
      'stop the other api, give this one its own API_DATA_DIR, or set DATABASE_URL to share a PostgreSQL database',
  );
}
