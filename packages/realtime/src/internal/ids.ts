import { RealtimeArgumentError } from '../errors.js';

/** Ids become parts of key and channel names: short, printable, no braces (hash tags) or separators of ours. */
const ID = /^[A-Za-z0-9_.@:+-]{1,128}$/;

export function checkId(what: string, id: string): string {
  if (typeof id !== 'string' || !ID.test(id)) {
    throw new RealtimeArgumentError(
      `${what} must be 1-128 characters of letters, digits and _ . @ : + - (got ${JSON.stringify(id)})`,
    );
  }
  return id;
}
