// .env.example as a user reads it: every line uncommented gives each app exactly its defaults.
import { parseEnv } from 'node:util';
import { loadConfig as loadApiConfig } from '@rnh/api/config';
import { loadConfig as loadWorkerConfig } from '@rnh/worker/config';
import { describe, expect, it } from 'vitest';
import { ENV_EXAMPLE, generatedFiles } from '../src/index.js';
import { configSections } from '../src/sections.js';

const example = (await generatedFiles()).get(ENV_EXAMPLE)!;

/** What a user gets by removing every leading `# ` from assignments, leaving empty values unset. */
function uncommented(): Record<string, string> {
  const text = example
    .split('\n')
    .filter((line) => /^# [A-Z][A-Z0-9_]*=/.test(line))
    .map((line) => line.slice(2))
    .join('\n');
  return Object.fromEntries(Object.entries(parseEnv(text)).filter(([, value]) => value !== '')) as Record<
    string,
    string
  >;
}

describe('.env.example', () => {
  it('lists every documented variable once, after one comment line of meaning', () => {
    const names = configSections().flatMap((section) => section.variables.map((variable) => variable.name));
    const lines = example.split('\n');
    for (const name of new Set(names)) {
      const at = lines.findIndex((line) => line.startsWith(`# ${name}=`));
      expect(at, name).toBeGreaterThan(0);
      expect(lines[at - 1], name).toMatch(/^# (?![A-Z][A-Z0-9_]*=)\S/);
    }
    expect(lines.filter((line) => /^# [A-Z][A-Z0-9_]*=/.test(line))).toHaveLength(names.length);
  });

  it('uncommented, gives the api and the worker exactly their defaults', () => {
    const env = uncommented();
    expect(env).toMatchObject({
      API_PORT: '3000',
      MAIL_FROM: 'RNH <no-reply@localhost>',
      REDIS_KEY_PREFIX: 'rnh:',
    });
    // OTEL_SERVICE_NAME is listed per app (rnh-api, rnh-worker): the last one would win in one file.
    const { OTEL_SERVICE_NAME: _name, ...shared } = env;
    expect(loadApiConfig(shared)).toEqual(loadApiConfig({}));
    expect(loadWorkerConfig(shared)).toEqual(loadWorkerConfig({}));
  });
});
