/**
 * The creation time (Redis µs) of the sessions this process read or wrote lately.
 * express-session touches a session at the end of the request that loaded it; with
 * the creation time at hand the touch knows the absolute deadline and is one
 * PEXPIRE instead of a script that reads the session again. Bounded: past
 * `maxEntries` the oldest entry goes, and a touch without one uses the script.
 * A session's creation time never changes, so an entry can only be stale for a
 * sid destroyed and created again, and then it is the earlier (stricter) one.
 */
export class CreatedTimes {
  private readonly entries = new Map<string, string>();

  constructor(private readonly maxEntries: number) {}

  remember(sid: string, createdUs: string): void {
    const known = this.entries.get(sid);
    if (known === createdUs) return;
    if (known !== undefined) this.entries.delete(sid);
    this.entries.set(sid, createdUs);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  get(sid: string): string | undefined {
    return this.entries.get(sid);
  }

  forget(sid: string): void {
    this.entries.delete(sid);
  }
}
