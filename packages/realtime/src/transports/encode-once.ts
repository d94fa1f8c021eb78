import type { Delivery, EventSchemas } from '../types.js';

/**
 * Wraps a transport's encoder so that the same delivery, written to one connection after
 * another (a broadcast, an event to each of a user's connections), is encoded once: every
 * connection is then handed the same Buffer, and the work per connection is the write itself.
 * Only the last delivery is remembered: its writes follow one another in one turn.
 */
export function encodeOnce<S extends EventSchemas>(
  encode: (delivery: Delivery<S>) => string,
): (delivery: Delivery<S>) => Buffer {
  let last: Delivery<S> | undefined;
  let bytes = Buffer.alloc(0);
  return (delivery) => {
    if (delivery !== last) {
      bytes = Buffer.from(encode(delivery));
      last = delivery;
    }
    return bytes;
  };
}
