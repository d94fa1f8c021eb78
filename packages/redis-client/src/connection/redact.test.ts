import { describe, expect, it } from 'vitest';
import { redactErrorSecrets, safeErrorFields } from './redact.js';

describe('redactErrorSecrets', () => {
  it('blanks AUTH arguments that ioredis attaches to reply errors', () => {
    const error = Object.assign(new Error('WRONGPASS invalid username-password pair'), {
      command: { name: 'auth', args: ['app', 's3cret'] },
    });
    redactErrorSecrets(error);
    expect(JSON.stringify(error.command)).not.toContain('s3cret');
    expect(JSON.stringify(safeErrorFields(error))).not.toContain('s3cret');
  });

  it('leaves other commands alone', () => {
    const error = Object.assign(new Error('WRONGTYPE'), { command: { name: 'get', args: ['k'] } });
    expect(redactErrorSecrets(error).command.args).toEqual(['k']);
  });
});
