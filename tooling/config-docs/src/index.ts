// The generated files, by path from the repository root: what `generate` writes and the test compares.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { renderConfigurationMarkdown } from './configuration-md.js';
import { renderEnvExample } from './env-example.js';
import { configSections } from './sections.js';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

export const ENV_EXAMPLE = '.env.example';
export const CONFIGURATION_MD = 'docs/configuration.md';

export async function generatedFiles(): Promise<Map<string, string>> {
  const sections = configSections();
  const markdownPath = join(repoRoot, CONFIGURATION_MD);
  // Formatted as `prettier --check .` (npm run lint) expects the committed file.
  const markdown = await format(renderConfigurationMarkdown(sections), {
    ...(await resolveConfig(markdownPath)),
    filepath: markdownPath,
  });
  return new Map([
    [ENV_EXAMPLE, renderEnvExample(sections)],
    [CONFIGURATION_MD, markdown],
  ]);
}
