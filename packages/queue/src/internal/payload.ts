import type { z } from 'zod';
import { QueueValidationError, type PayloadIssue } from '../errors.js';

/** Parses a payload with its job's schema; a failure carries the schema's messages, never the value. */
export function parsePayload(queue: string, jobName: string, schema: z.ZodType, payload: unknown): unknown {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  throw new QueueValidationError(queue, jobName, issuesOf(result.error));
}

function issuesOf(error: z.ZodError): PayloadIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((segment) => String(segment)).join('.'),
    message: issue.message,
  }));
}
