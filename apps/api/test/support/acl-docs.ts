// The ACL users docs/operations.md tells operators to create, read from its "Redis access control
// (ACL)" section, so a test applies exactly what the docs say and the two cannot drift apart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiDir } from './api-env.js';

const SECTION = '## Redis access control (ACL)';

/**
 * The arguments of each documented `ACL SETUSER` line, with `<name-password>` placeholders replaced
 * by `passwords[name]` (`{ api: '…', worker: '…' }`).
 */
export function documentedAclUsers(passwords: Record<string, string>): string[][] {
  const docs = readFileSync(join(apiDir, '../../docs/operations.md'), 'utf8');
  const start = docs.indexOf(SECTION);
  if (start < 0) throw new Error(`docs/operations.md has no "${SECTION}" section`);
  const end = docs.indexOf('\n## ', start + SECTION.length);
  const section = docs.slice(start, end < 0 ? undefined : end);
  const lines = section
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('ACL SETUSER '));
  if (lines.length === 0) throw new Error(`no ACL SETUSER line in "${SECTION}"`);
  return lines.map((line) =>
    line
      .split(/\s+/)
      .slice(1)
      .map((rule) =>
        rule.replace(/<([a-z]+)-password>/, (_placeholder, name: string) => {
          const password = passwords[name];
          if (!password) throw new Error(`no password given for <${name}-password>`);
          return password;
        }),
      ),
  );
}
