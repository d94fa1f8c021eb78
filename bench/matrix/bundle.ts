// A script of the bench as one plain JavaScript file, for a process whose memory is measured:
// under tsx, Node runs the TypeScript loader in a thread of its own, whose tens of MiB come and
// go with its own garbage collection and would be counted as the measured code's. The bundle
// holds the bench's own modules; packages stay imports, resolved from bench/node_modules.
import { mkdirSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const OUT_DIR = fileURLToPath(new URL('../node_modules/.cache/rnh-bench/', import.meta.url));

/** Bundles `script` (a .ts entry) into node_modules/.cache/rnh-bench/ and returns its URL. */
export async function bundleScript(script: URL): Promise<URL> {
  mkdirSync(OUT_DIR, { recursive: true });
  const outfile = `${OUT_DIR}${basename(fileURLToPath(script), '.ts')}.mjs`;
  await build({
    entryPoints: [fileURLToPath(script)],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
  return pathToFileURL(outfile);
}
