// Request bodies are validated with zod; a bad body is the client's mistake (400), with the schema's message.
import type { z } from 'zod';
import { HttpError } from './errors.js';

export function parseBody<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') || 'body';
  throw new HttpError(400, 'invalid_request', `${field}: ${issue?.message ?? 'invalid'}`);
}

/** Query strings are validated the same way (values arrive as strings: use z.coerce for numbers). */
export const parseQuery = parseBody;
