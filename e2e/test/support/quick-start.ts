// The README's Quick start as steps: the lines of its ```sh blocks, in order.
// `npm start` runs in the background, a comment line that says Ctrl-C stops it,
// `npm test` (the whole suite, this test among it) is not run, and every other line
// is a command run as printed.

export type QuickStartStep =
  | { kind: 'start'; line: string }
  | { kind: 'stop'; line: string }
  | { kind: 'skip'; line: string }
  | { kind: 'run'; line: string };

/** The text of the README's "## Quick start" section, up to the next "## " heading. */
export function quickStartSection(readme: string): string {
  const start = readme.indexOf('\n## Quick start\n');
  if (start < 0) throw new Error('README.md has no "## Quick start" section');
  const next = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, next < 0 ? undefined : next);
}

/** Each ```sh block's lines, block by block. */
export function shBlocks(section: string): string[][] {
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) =>
    match[1]!.split('\n').filter((line) => line.trim() !== ''),
  );
}

export function quickStartSteps(readme: string): QuickStartStep[] {
  return shBlocks(quickStartSection(readme))
    .flat()
    .flatMap((line): QuickStartStep[] => {
      const command = line.replace(/(^|\s)#.*$/, '').trim();
      if (command === '') return /ctrl-c/i.test(line) ? [{ kind: 'stop', line }] : [];
      if (command === 'npm start') return [{ kind: 'start', line }];
      if (command === 'npm test') return [{ kind: 'skip', line }];
      return [{ kind: 'run', line }];
    });
}
