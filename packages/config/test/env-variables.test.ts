import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { booleanFlag, envVariables, logLevel, port, rateRule } from '../src/index.js';

describe('envVariables', () => {
  it("reads each default from the schema itself, through transforms, and each field's meaning", () => {
    const schema = z.object({
      APP_PORT: port('APP_PORT', 3000).describe('where it listens'),
      APP_PRETTY: booleanFlag('APP_PRETTY', true).describe('pretty logs'),
      LOG_LEVEL: logLevel().describe('how much to log'),
      APP_LIMIT: rateRule('APP_LIMIT', '5/15m').describe('sign-ins per window'),
      APP_LIST: z
        .string()
        .default('')
        .transform((value) => value.split(','))
        .describe('a list, empty by default'),
      APP_URL: z
        .url()
        .optional()
        .meta({ description: 'links', defaultNote: 'http://localhost:<APP_PORT>', production: 'required' }),
    });
    expect(envVariables(schema)).toEqual([
      { name: 'APP_PORT', default: '3000', description: 'where it listens' },
      { name: 'APP_PRETTY', default: 'true', description: 'pretty logs' },
      { name: 'LOG_LEVEL', default: 'info', description: 'how much to log' },
      { name: 'APP_LIMIT', default: '5/15m', description: 'sign-ins per window' },
      { name: 'APP_LIST', description: 'a list, empty by default' },
      {
        name: 'APP_URL',
        defaultNote: 'http://localhost:<APP_PORT>',
        description: 'links',
        production: 'required',
      },
    ]);
  });

  it('names a variable that has no description', () => {
    expect(() => envVariables(z.object({ APP_PORT: port('APP_PORT', 3000) }))).toThrow(
      "APP_PORT has no description: add .describe('one line of meaning') to its schema",
    );
  });
});
