/**
 * express-session calls stores with callbacks; our methods also return promises.
 * With a callback, the result goes to it as soon as the work settles; a throw
 * inside the callback is not turned into a rejection but rethrown on the next
 * tick, as an error thrown by a callback would be. Without one, the promise is
 * returned; it is marked handled so a caller that ignores it does not crash the
 * process (the failure was already logged by the operation).
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
    (value) => call(callback, null, value),
    (error: unknown) => call(callback, error),
  );
  return undefined;
}

function call<T>(callback: (error: unknown, value?: T) => void, error: unknown, value?: T): void {
  try {
    callback(error, value);
  } catch (thrown) {
    process.nextTick(() => {
      throw thrown;
    });
  }
}
