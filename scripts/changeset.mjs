#!/usr/bin/env node
// `npm run changeset [-- <command> [options]]`: the Changesets CLI with this repository's
// conventions for --help and unknown flags (one line, exit code 2). task.mjs runs it after the
// dependencies are installed; it checks the arguments, then hands them to `pnpm exec changeset`.
import { run } from './lib.mjs';

/** The commands docs/releasing.md uses, with the flags each accepts (true: the flag takes a value). */
const COMMANDS = {
  add: { about: 'describe a change (the default command)', flags: { '--empty': false, '--open': false } },
  status: { about: 'list what the next release would bump', flags: { '--verbose': false, '--since': true } },
  version: {
    about: 'bump versions, write each CHANGELOG.md, delete the used changesets',
    flags: { '--snapshot': false },
  },
  publish: {
    about: 'publish each package whose version is not on npm yet, and tag it',
    flags: { '--otp': true, '--tag': true, '--no-git-tag': false },
  },
  tag: { about: 'tag the current versions in git (when publishing elsewhere)', flags: {} },
};

const USAGE = `Usage: npm run changeset [-- <command> [options]]

${Object.entries(COMMANDS)
  .map(([name, command]) => {
    const flags = Object.entries(command.flags).map(([flag, value]) => (value ? `${flag} <value>` : flag));
    return `  ${name.padEnd(9)}${command.about}${flags.length > 0 ? ` (${flags.join(', ')})` : ''}`;
  })
  .join('\n')}

The release steps: docs/releasing.md.`;

function refuse(what, value) {
  process.stderr.write(`changeset: unknown ${what} ${JSON.stringify(value)} (see --help)\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const name = args[0] !== undefined && !args[0].startsWith('-') ? args[0] : 'add';
const command = COMMANDS[name] ?? refuse('argument', name);
for (let i = name === args[0] ? 1 : 0; i < args.length; i += 1) {
  const takesValue = command.flags[args[i]];
  if (takesValue === undefined) refuse(args[i].startsWith('-') ? 'option' : 'argument', args[i]);
  if (takesValue && args[i + 1] === undefined) refuse('option without its value', args[i]);
  if (takesValue) i += 1;
}
process.exit(await run('pnpm', ['exec', 'changeset', ...args]));
