import { describe, expect, it } from 'vitest';
import { defaultRedisOptions } from './defaults.js';
import { redisEnvVariables } from './env-variables.js';
import { redisOptionsFromEnv } from './from-env.js';

describe('redisEnvVariables', () => {
  it('lists exactly the variables redisOptionsFromEnv reads', () => {
    const read = new Set<string>();
    const recording = new Proxy({} as Record<string, string | undefined>, {
      get: (_target, name) => {
        if (typeof name === 'string') read.add(name);
        return undefined;
      },
    });
    redisOptionsFromEnv(recording);
    expect(redisEnvVariables.map((variable) => variable.name).sort()).toEqual([...read].sort());
  });

  it('gives the defaults redisOptionsFromEnv applies: setting each one changes nothing', () => {
    const env = Object.fromEntries(
      redisEnvVariables.flatMap((variable) =>
        variable.default === undefined ? [] : [[variable.name, variable.default]],
      ),
    );
    expect(Object.keys(env).length).toBeGreaterThan(5);
    expect(redisOptionsFromEnv(env)).toEqual(defaultRedisOptions());
  });

  it('gives every variable one line of meaning', () => {
    for (const variable of redisEnvVariables)
      expect(variable.description, variable.name).toMatch(/^[^\n]{8,}$/);
  });
});
