/**
 * express-session calls stores with callbacks; our methods also return promises.
 * With a callback, the result goes to it on the next tick (a throw inside it is
 * not turned into a rejection). Without one, the promise is returned; it is
 * marked handled so a caller that ignores it does not crash the process
 * (the failure was already logged by the operation).
 */
export function settle<T>(
  work: Promise<T>,
  callback: ((error: unknown, value?: T) => void) | undefined,
): Promise<T> | undefined {
  if (!callback) {
    work.catch(() => undefined);
    return work;
  }
  work.then(
    (value) => process.nextTick(callback, null, value),
    (error: unknown) => process.nextTick(callback, error),
  );
  return undefined;
}
