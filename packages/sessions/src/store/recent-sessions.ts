/** What this process last learned of a session: its creation time, and what its last touch set. */
export interface RecentSession {
  /** Creation time, Redis µs (never changes for a session). */
  createdUs: string;
  /** When the key expires after this process's last touch of it (local clock, ms); 0: no touch since it was read or saved. */
  expiresAt: number;
  /** The idle TTL that touch used. */
  idleMs: number;
}

/**
 * The sessions this process read or wrote lately. express-session touches a
 * session at the end of the request that loaded it: with the creation time at
 * hand the touch knows the absolute deadline and is one PEXPIRE instead of a
 * script that reads the session again, and with what its last touch set it can
 * tell a refresh that would hardly move the expiry (a burst of requests) and
 * skip it. Bounded: past `maxEntries` the oldest entry goes; a touch without one
 * uses the script.
 *
 * Stale entries are harmless: a sid destroyed and created again elsewhere keeps
 * here its earlier creation time (so an earlier, stricter deadline); a save
 * here forgets the last touch (it may have set another TTL); a save elsewhere
 * with the same idle TTL only moves the expiry later, and one with another idle
 * TTL is seen by the touch, which compares the idle TTLs.
 */
export class RecentSessions {
  private readonly entries = new Map<string, RecentSession>();

  constructor(private readonly maxEntries: number) {}

  get(sid: string): RecentSession | undefined {
    return this.entries.get(sid);
  }

  /** The session was read and has this creation time. */
  read(sid: string, createdUs: string): void {
    if (this.entries.get(sid)?.createdUs === createdUs) return;
    this.put(sid, { createdUs, expiresAt: 0, idleMs: 0 });
  }

  /** The session was saved (and its TTL set by the save): the next touch sets it again. */
  saved(sid: string, createdUs: string): void {
    const known = this.entries.get(sid);
    if (known?.createdUs === createdUs) known.expiresAt = 0;
    else this.put(sid, { createdUs, expiresAt: 0, idleMs: 0 });
  }

  /** A touch just set the session's TTL (idle `idleMs`) so that it expires at `expiresAt` (local clock). */
  touched(sid: string, createdUs: string, expiresAt: number, idleMs: number): void {
    const known = this.entries.get(sid);
    if (known?.createdUs === createdUs) {
      known.expiresAt = expiresAt;
      known.idleMs = idleMs;
    } else this.put(sid, { createdUs, expiresAt, idleMs });
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
