// The docs stay honest: every relative link and anchor of every Markdown file of the repository
// resolves, no link climbs out of it, and the README's "Where things live" table has a row for
// every workspace and every top-level folder.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brokenLinks, repositoryFiles, topLevelFolders } from './support/doc-links.js';
import { firstCellLinks, headingAnchors } from './support/markdown.js';
import { repoRoot } from './support/repo-copy.js';
import { workspaceFolders } from './support/workspaces.js';

const WHERE_THINGS_LIVE = 'Where things live';

describe('the repository docs', () => {
  const files = repositoryFiles(repoRoot);
  const markdown = files.filter((file) => file.endsWith('.md'));
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const rows = firstCellLinks(readme, WHERE_THINGS_LIVE);

  it('finds the Markdown files and the table it checks', () => {
    expect(markdown).toEqual(expect.arrayContaining(['README.md', 'SECURITY.md', 'docs/architecture.md']));
    expect(rows.length).toBeGreaterThan(0);
  });

  it('every relative link and anchor of every Markdown file resolves inside the repository', () => {
    expect(brokenLinks(repoRoot, markdown)).toEqual([]);
  });

  it(`every workspace of pnpm-workspace.yaml has a row in the README's "${WHERE_THINGS_LIVE}" table`, () => {
    const workspaces = workspaceFolders(repoRoot);
    expect(workspaces).toEqual(expect.arrayContaining(['apps/api', 'apps/worker', 'e2e']));
    expect(workspaces.filter((workspace) => !rows.includes(workspace))).toEqual([]);
  });

  it(`every top-level folder has a row (of its own or of its workspaces) in the "${WHERE_THINGS_LIVE}" table`, () => {
    const hasRow = (folder: string) => rows.some((row) => row === folder || row.startsWith(`${folder}/`));
    expect(topLevelFolders(files).filter((folder) => !hasRow(folder))).toEqual([]);
  });
});

describe('the link check', () => {
  const root = mkdtempSync(join(tmpdir(), 'rnh-docs-links-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };

  it('reports missing files, unknown anchors and links or code paths out of the repository, not web links or code examples', () => {
    write('src/main.ts', 'export {};\n');
    write(
      'docs/guide.md',
      [
        '# Guide',
        '## The `API_DATA_DIR` and _you_',
        '## Steps',
        '## Steps',
        'See [the code](../src/main.ts#L1), [steps](#steps-1), [data](#the-api_data_dir-and-you).',
        'Broken: [gone](missing.md), [anchor](../README.md#nowhere), [out](../../outside.md).',
        '`[in code](missing-too.md)` and [the web](https://example.com/x.md); the design: `../../shared/DESIGN.md`.',
        '```md',
        '[in a block](missing-as-well.md)',
        '```',
        '[ref]: ./guide.md#guide',
      ].join('\n'),
    );
    write('README.md', '# Project\n\n[guide](docs/guide.md#steps) and [docs](docs/)\n');

    expect(brokenLinks(root, ['README.md', 'docs/guide.md'])).toEqual([
      'docs/guide.md:6: missing.md: docs/missing.md does not exist',
      'docs/guide.md:6: ../README.md#nowhere: #nowhere: no such heading in README.md',
      'docs/guide.md:6: ../../outside.md: leaves the repository',
      'docs/guide.md:7: ../../shared/DESIGN.md: leaves the repository',
    ]);
  });

  it('makes anchors as GitHub does: lowercased, punctuation dropped, duplicates numbered', () => {
    expect([
      ...headingAnchors('# Where things live\n## How to… add a route\n## `pnpm load`\n# Where things live\n'),
    ]).toEqual(['where-things-live', 'how-to-add-a-route', 'pnpm-load', 'where-things-live-1']);
  });
});
