// How many files (sockets included) a process may open: a server with 2,000 clients needs 2,000
// descriptors and more, and a soft limit of 1,024 (a common default) would fail it half-way with
// EMFILE. Node raises its own soft limit to the hard one at start-up, so the figure that counts
// is the one a running Node process reads for itself.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The soft "Max open files" of /proc/<pid>/limits; undefined when the text has none. */
export function parseOpenFilesLimit(limits: string): number | undefined {
  const line = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
  if (!line) return undefined;
  return line[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(line[1]);
}

/** This process's open-files limit: /proc/self/limits on Linux, else what `ulimit -n` says. */
export function openFilesLimit(): number | undefined {
  try {
    return parseOpenFilesLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    try {
      const text = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
      return text === 'unlimited' ? Number.POSITIVE_INFINITY : Number(text) || undefined;
    } catch {
      return undefined;
    }
  }
}

/** Descriptors beyond the clients: Redis connections, the listener, files node and tsx keep open. */
export const SPARE_FILES = 200;

/** Why a process cannot hold `sockets` connections, or undefined when it can (or cannot tell). */
export function openFilesProblem(
  who: string,
  limit: number | undefined,
  sockets: number,
): string | undefined {
  if (limit === undefined || limit >= sockets + SPARE_FILES) return undefined;
  return (
    `${who} may open ${limit} files (ulimit -n) but needs about ${sockets + SPARE_FILES} for ` +
    `${sockets} sockets: raise the limit (ulimit -n ${Math.max(65536, sockets * 2)}) or use fewer clients (--clients=N)`
  );
}
