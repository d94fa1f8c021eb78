// The workspaces pnpm sees: the folders the `packages` globs of pnpm-workspace.yaml match.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** Workspace folders relative to `root` (`apps/api`, `bench`, …), sorted. */
export function workspaceFolders(root: string): string[] {
  const manifest = parse(readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8')) as { packages?: string[] };
  return (manifest.packages ?? []).flatMap((pattern) => matchWorkspaces(root, pattern)).sort();
}

function matchWorkspaces(root: string, pattern: string): string[] {
  const isWorkspace = (dir: string) => existsSync(join(root, dir, 'package.json'));
  // `dir/*`: every folder directly in dir that is a package.
  const parent = /^([\w.-]+(?:\/[\w.-]+)*)\/\*$/.exec(pattern)?.[1];
  if (parent !== undefined) {
    return readdirSync(join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && isWorkspace(`${parent}/${entry.name}`))
      .map((entry) => `${parent}/${entry.name}`);
  }
  if (/^[\w.-]+(?:\/[\w.-]+)*$/.test(pattern)) return isWorkspace(pattern) ? [pattern] : [];
  // Rather than silently matching nothing, say that this check must learn the new pattern.
  throw new Error(`pnpm-workspace.yaml: the docs check does not understand the pattern "${pattern}" yet`);
}
