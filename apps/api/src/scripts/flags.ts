// Command-line flags of the api's scripts, checked the same way as the root scripts':
// --help prints the usage (exit 0); an unknown flag is one line on stderr and exit code 2.

/** The flags given, all of them among `known`; exits on --help or anything else. */
export function checkFlags(script: string, usage: string, known: string[] = []): Set<string> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const unknown = args.find((arg) => !known.includes(arg));
  if (unknown !== undefined) {
    process.stderr.write(`${script}: unknown option ${JSON.stringify(unknown)} (see --help)\n`);
    process.exit(2);
  }
  return new Set(args);
}
