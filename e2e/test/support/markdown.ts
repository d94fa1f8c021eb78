// Just enough Markdown for checking links: where the links are, and which anchors a file's headings
// make, the way GitHub renders them. Code (fenced blocks and `spans`) is skipped: a link shown as an
// example is not a link.

export interface MarkdownLink {
  /** The link's destination as written, e.g. `docs/architecture.md#redis-keys`. */
  target: string;
  /** 1-based line of the link. */
  line: number;
}

/** Each line of the file with its code spans removed; `undefined` for lines of a fenced code block. */
function proseLines(text: string): (string | undefined)[] {
  let fence: string | undefined;
  return text.split('\n').map((line) => {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      return undefined;
    }
    if (marker) {
      fence = marker;
      return undefined;
    }
    return line.replace(/(`+)[^`]*?\1/g, '');
  });
}

/** Inline links and images `[text](target)`, reference definitions `[id]: target`, HTML href/src. */
export function markdownLinks(text: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  proseLines(text).forEach((line, index) => {
    if (line === undefined) return;
    const found = [
      // `](target)` or `](<target with spaces>)`, optionally followed by a "title".
      ...[...line.matchAll(/\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!),
      ...[...line.matchAll(/^ {0,3}\[[^\]]+\]:\s*(\S+)/g)].map((m) => m[1]!),
      ...[...line.matchAll(/<(?:a|img)\s[^>]*?(?:href|src)="([^"]+)"/gi)].map((m) => m[1]!),
    ];
    for (const target of found) links.push({ target: target.replace(/^<|>$/g, ''), line: index + 1 });
  });
  return links;
}

/**
 * Paths written as code rather than linked (`` `../shared/DESIGN.md` ``): a code span that is nothing
 * but a path starting with `./` or `../`. They send a reader somewhere just as a link does.
 */
export function codeSpanPaths(text: string): MarkdownLink[] {
  const paths: MarkdownLink[] = [];
  let fence: string | undefined;
  text.split('\n').forEach((line, index) => {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence || marker) {
      if (!fence) fence = marker;
      else if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      return;
    }
    for (const match of line.matchAll(/(?<!`)`(\.{1,2}\/[^\s`]*)`(?!`)/g))
      paths.push({ target: match[1]!, line: index + 1 });
  });
  return paths;
}

/** The anchors of a file's headings (and of explicit `<a name>` / `id` anchors), as GitHub makes them. */
export function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const prose = proseLines(text);
  text.split('\n').forEach((raw, index) => {
    if (prose[index] === undefined) return; // inside a code block
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(raw)?.[1];
    if (heading !== undefined) {
      const base = slug(heading);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const match of raw.matchAll(/<a\s[^>]*?(?:name|id)="([^"]+)"/gi)) anchors.add(match[1]!);
  });
  return anchors;
}

/**
 * GitHub's heading slug: the heading's rendered text, lowercased, without punctuation other than
 * `-` and `_`, spaces turned into `-`. Code spans keep their text; links keep their label.
 */
export function slug(heading: string): string {
  const codeSpans: string[] = [];
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/`([^`]*)`/g, (_match, code: string) => `\uE000${codeSpans.push(code) - 1}\uE000`)
    .replace(/[*~]/g, '') // emphasis markers
    .replace(/(^|[^\p{L}\p{N}])_+|_+(?=[^\p{L}\p{N}]|$)/gu, '$1') // _emphasis_, not snake_case
    .replace(/\uE000(\d+)\uE000/g, (_match, index: string) => codeSpans[Number(index)]!);
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/**
 * The link targets in the first cell of each table row under the heading `title` (up to the next
 * heading of the same or a higher level), without `./` in front or `/` behind.
 */
export function firstCellLinks(text: string, title: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => /^#{1,6}\s/.test(line) && line.replace(/^#+\s+/, '') === title);
  if (start < 0) return [];
  const level = /^#+/.exec(lines[start]!)![0].length;
  const targets: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const heading = /^(#{1,6})\s/.exec(line);
    if (heading && heading[1]!.length <= level) break;
    const firstCell = /^\|([^|]*)\|/.exec(line)?.[1];
    if (!firstCell) continue;
    for (const { target } of markdownLinks(firstCell))
      targets.push(target.replace(/^\.\//, '').replace(/\/$/, ''));
  }
  return targets;
}
