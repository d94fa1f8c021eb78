import { RealtimeArgumentError } from '../errors.js';

export function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RealtimeArgumentError(`${name} must be a positive integer (got ${value})`);
  }
  return value;
}
