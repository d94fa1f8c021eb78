import { QueueArgumentError, QueueSealingError } from '../errors.js';
import type { QueueDefinition } from '../types.js';
import { Sealer } from './sealer.js';

/** What the dead-letter API shows in place of a secret field's value. */
export const REDACTED = '[redacted]';

/**
 * The `secret` payload fields of a queue's job types: sealed before a job is written
 * to Redis, opened just before its handler runs, redacted wherever a payload is shown.
 * Works on a copy: the payload given (or BullMQ's job data) is never changed.
 */
export class SecretFields {
  private readonly fields: ReadonlyMap<string, readonly string[]>;
  private readonly sealer: Sealer | undefined;

  constructor(
    private readonly definition: QueueDefinition,
    sealingKey: string | undefined,
  ) {
    const fields = new Map<string, readonly string[]>();
    for (const [name, job] of Object.entries(definition.jobs))
      if (job.secret && job.secret.length > 0) fields.set(name, job.secret);
    this.fields = fields;
    this.sealer = sealingKey === undefined ? undefined : new Sealer(sealingKey);
  }

  /** Job types that declare secret fields. */
  get jobs(): string[] {
    return [...this.fields.keys()];
  }

  get canSeal(): boolean {
    return this.sealer !== undefined;
  }

  /** The payload with its secret fields sealed; QueueSealingError when they exist and there is no key. */
  seal(jobName: string, payload: unknown): unknown {
    if (!this.fields.has(jobName)) return payload;
    return this.map(jobName, payload, (value, field) =>
      this.requireSealer(jobName).seal(value, this.where(jobName, field)),
    );
  }

  /** The payload with its secret fields opened; QueueSealingError (naming the field, never the value) otherwise. */
  open(jobName: string, payload: unknown): unknown {
    if (!this.fields.has(jobName)) return payload;
    return this.map(jobName, payload, (value, field) => {
      try {
        return this.requireSealer(jobName).open(value, this.where(jobName, field));
      } catch (error) {
        throw new QueueSealingError(
          `secret field "${field}" of job "${jobName}" in queue "${this.definition.name}": ${(error as Error).message}`,
          { cause: error },
        );
      }
    });
  }

  /** The payload with its secret fields replaced by "[redacted]" (neither the value nor its sealed form). */
  redact(jobName: string, payload: unknown): unknown {
    return this.map(jobName, payload, () => REDACTED);
  }

  private map(
    jobName: string,
    payload: unknown,
    change: (value: unknown, field: string) => unknown,
  ): unknown {
    const fields = this.fields.get(jobName);
    if (!fields || typeof payload !== 'object' || payload === null || Array.isArray(payload)) return payload;
    const copy: Record<string, unknown> = { ...(payload as Record<string, unknown>) };
    for (const field of fields) if (copy[field] !== undefined) copy[field] = change(copy[field], field);
    return copy;
  }

  private requireSealer(jobName: string): Sealer {
    if (this.sealer) return this.sealer;
    throw new QueueSealingError(
      `job "${jobName}" of queue "${this.definition.name}" has secret fields (${this.fields.get(jobName)!.join(', ')}) ` +
        'and they are never stored in the clear: give the producer and the worker a sealingKey',
    );
  }

  /** Additional data of a sealed value: it opens only in the field, job type and queue it was sealed for. */
  private where(jobName: string, field: string): string {
    return JSON.stringify([this.definition.name, jobName, field]);
  }
}

/** Checks a job type's `secret` declaration against its schema (at defineQueue, so a typo fails at start-up). */
export function assertSecretFields(queue: string, jobName: string, secret: unknown, schema: unknown): void {
  if (secret === undefined) return;
  const where = `job "${jobName}" in queue "${queue}"`;
  if (!Array.isArray(secret) || secret.some((field) => typeof field !== 'string' || field === ''))
    throw new QueueArgumentError(`${where}: secret must be a list of payload field names`);
  const shape = (schema as { shape?: unknown }).shape;
  if (typeof shape !== 'object' || shape === null)
    throw new QueueArgumentError(`${where}: secret fields need an object schema (z.object)`);
  for (const field of secret as string[])
    if (!Object.hasOwn(shape, field))
      throw new QueueArgumentError(`${where}: secret field "${field}" is not in the payload schema`);
}
