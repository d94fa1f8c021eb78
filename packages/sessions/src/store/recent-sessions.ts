/** What this process last learned of a session: its creation time, and the expiry its last touch set. */
export interface RecentSession {
  /** Creation time, Redis µs (never changes for a session). */
  createdUs: string;
  /** When the key expires after this process's last touch of it (local clock, ms); 0: none since it was read or saved. */
  expiresAt: number;
}

/**
 * The sessions this process read or wrote lately. express-session touches a
 * session at the end of the request that loaded it: with the creation time at
 * hand the touch knows the absolute deadline and is one PEXPIRE instead of a
 * script that reads the session again, and with the expiry this process last set
 * it can tell a refresh that would hardly move it (a burst of requests) and skip
 * it. Bounded: past `maxEntries` the oldest entry goes; a touch without one uses
 * the script. An entry can only be stale for a sid destroyed and created again
 * (its creation time then is the earlier, stricter one) or for a TTL another
 * process set since, which is later than the one remembered, never earlier
 * (a save is not taken for a refresh: the touch after it sets the TTL again).
 */
export class RecentSessions {
  private readonly entries = new Map<string, RecentSession>();

  constructor(private readonly maxEntries: number) {}

  get(sid: string): RecentSession | undefined {
    return this.entries.get(sid);
  }

  /** The session was read or saved and has this creation time. */
  read(sid: string, createdUs: string): void {
    const known = this.entries.get(sid);
    if (known?.createdUs === createdUs) return;
    this.put(sid, { createdUs, expiresAt: 0 });
  }

  /** A touch just set the session's TTL so that it expires at `expiresAt` (local clock). */
  expiring(sid: string, createdUs: string, expiresAt: number): void {
    const known = this.entries.get(sid);
    if (known?.createdUs === createdUs) known.expiresAt = expiresAt;
    else this.put(sid, { createdUs, expiresAt });
  }

  forget(sid: string): void {
    this.entries.delete(sid);
  }

  private put(sid: string, entry: RecentSession): void {
    this.entries.delete(sid);
    this.entries.set(sid, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
