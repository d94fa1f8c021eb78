// Checks the repository's Markdown links: every relative link names a file or folder of the
// repository, every anchor a heading of its target, and none climbs out of the repository.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, posix, relative, sep } from 'node:path';
import { codeSpanPaths, headingAnchors, markdownLinks } from './markdown.js';

/** Never part of a checkout: installed, built or created at run time (see .gitignore). */
const NOT_IN_A_CHECKOUT = new Set(['.git', 'node_modules', 'dist', '.data', '.turbo', 'coverage']);

/**
 * The repository's files as git sees them (tracked, or new and not ignored), relative to `root`
 * with `/` separators. In a copy without `.git` (a fresh copy of the working tree), every file
 * outside the folders no checkout has.
 */
export function repositoryFiles(root: string): string[] {
  let listed: string[];
  try {
    listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 * 1024 * 1024,
    })
      .split('\0')
      .filter(Boolean);
  } catch {
    listed = walk(root, '');
  }
  // A tracked file deleted in the working tree is not there to link to.
  return listed.filter((file) => existsSync(join(root, file))).sort();
}

function walk(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    if (NOT_IN_A_CHECKOUT.has(entry.name)) return [];
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    return entry.isDirectory() ? walk(root, path) : [path];
  });
}

/** Folders directly under the root that hold at least one file of the repository. */
export function topLevelFolders(files: string[]): string[] {
  return [...new Set(files.filter((file) => file.includes('/')).map((file) => file.split('/')[0]!))].sort();
}

/** Every problem with the links (and paths written as code) of the given Markdown files, as `file:line: what is wrong`. */
export function brokenLinks(root: string, markdownFiles: string[]): string[] {
  const anchorsOf = new Map<string, Set<string>>();
  const anchors = (file: string) => {
    if (!anchorsOf.has(file)) anchorsOf.set(file, headingAnchors(readFileSync(join(root, file), 'utf8')));
    return anchorsOf.get(file)!;
  };

  const problems: string[] = [];
  for (const file of markdownFiles) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const { target, line } of [...markdownLinks(text), ...codeSpanPaths(text)].sort(
      (a, b) => a.line - b.line,
    )) {
      const problem = checkLink(root, file, target, anchors);
      if (problem) problems.push(`${file}:${line}: ${target}: ${problem}`);
    }
  }
  return problems;
}

function checkLink(
  root: string,
  file: string,
  target: string,
  anchors: (file: string) => Set<string>,
): string | undefined {
  // Web addresses (https:, mailto:, …) are not ours to check.
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return undefined;

  const hashAt = target.indexOf('#');
  const pathPart = decodeURIComponent(hashAt < 0 ? target : target.slice(0, hashAt));
  const anchor = hashAt < 0 ? undefined : decodeURIComponent(target.slice(hashAt + 1));

  // As on GitHub: `/x` is from the repository's root, anything else from the linking file's folder.
  const linked = pathPart.startsWith('/')
    ? posix.normalize(pathPart.slice(1))
    : posix.normalize(posix.join(posix.dirname(file), pathPart || posix.basename(file)));
  const absolute = join(root, linked);
  const fromRoot = relative(root, absolute);
  if (fromRoot.startsWith('..') || isAbsolute(fromRoot)) return 'leaves the repository';
  if (!existsSync(absolute)) return `${fromRoot.split(sep).join('/') || '.'} does not exist`;

  if (anchor === undefined || anchor === '') return undefined;
  if (statSync(absolute).isDirectory()) {
    const readme = join(linked, 'README.md');
    if (!existsSync(join(root, readme))) return `#${anchor}: a folder without a README.md has no headings`;
    return anchors(readme).has(anchor) ? undefined : `#${anchor}: no such heading in ${readme}`;
  }
  if (linked.endsWith('.md')) {
    return anchors(linked).has(anchor) ? undefined : `#${anchor}: no such heading in ${linked}`;
  }
  // Line anchors of source files (`#L10`, `#L10-L20`) are GitHub's; nothing else is.
  return /^L\d+(-L\d+)?$/.test(anchor) ? undefined : `#${anchor}: only .md files have heading anchors`;
}
