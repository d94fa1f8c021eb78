import type { GetOrSetOutcome } from '../types.js';

export interface Answer {
  value: unknown;
  outcome: GetOrSetOutcome;
}

/**
 * In-process coalescing: the first getOrSet of a key runs `work`; calls for the
 * same key while it runs await its value instead (outcome `coalesced`, and
 * `joined` is called to count them). A rejection reaches every caller.
 */
export async function coalesce(
  inflight: Map<string, Promise<unknown>>,
  fullKey: string,
  work: () => Promise<Answer>,
  joined: () => void,
): Promise<Answer> {
  const running = inflight.get(fullKey);
  if (running) {
    joined();
    return { value: await running, outcome: 'coalesced' };
  }
  const result = work();
  const shared = result.then((settled) => settled.value);
  shared.catch(() => undefined); // rejections reach each caller through their own await
  inflight.set(fullKey, shared);
  try {
    return await result;
  } finally {
    if (inflight.get(fullKey) === shared) inflight.delete(fullKey);
  }
}
