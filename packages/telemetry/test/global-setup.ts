// Compiles src/ once per test run into .test-build/dist/, where the child-process
// fixtures load it from. Why not dist/: turbo runs this package's tests without its
// own build, and rewriting dist/ here could race with apps whose tests are loading
// @rnh/telemetry from it at the same moment. Why not tsx: the point of the end-to-end
// test is the real `node --import <compiled entry>` path, with no extra loader.
// The directory name ends in dist/ so git and eslint ignore it like any build output.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const testDistDir = join(packageDir, '.test-build', 'dist');

export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(
    process.execPath,
    [
      tsc,
      '-p',
      'tsconfig.build.json',
      '--outDir',
      testDistDir,
      '--declaration',
      'false',
      '--declarationMap',
      'false',
      '--incremental',
      '--tsBuildInfoFile',
      join(testDistDir, '.tsbuildinfo'),
    ],
    { cwd: packageDir, stdio: 'inherit' },
  );
}
