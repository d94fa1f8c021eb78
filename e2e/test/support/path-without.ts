// A PATH with every command of the current one except the named ones, as on a machine
// that never installed them. Directories holding one of them (often /usr/bin, next to node)
// are replaced by a directory of links to everything else they hold.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export function pathWithout(commands: string[], path = process.env.PATH ?? ''): string {
  const shadowRoot = mkdtempSync(join(tmpdir(), 'rnh-path-'));
  return path
    .split(delimiter)
    .filter(Boolean)
    .map((dir, index) => {
      if (!commands.some((command) => existsSync(join(dir, command)))) return dir;
      const shadow = join(shadowRoot, String(index));
      mkdirSync(shadow);
      for (const entry of readdirSync(dir)) {
        if (!commands.includes(entry)) symlinkSync(join(dir, entry), join(shadow, entry));
      }
      return shadow;
    })
    .join(delimiter);
}
