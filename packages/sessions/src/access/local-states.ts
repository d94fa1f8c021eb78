/** What Redis said about a user and one of their refresh families. */
export interface RevocationState {
  /** The user's current token generation (0: never revoked, or long enough ago that it no longer matters). */
  generation: number;
  /** The family's access tokens were revoked. */
  familyRevoked: boolean;
}

interface Copy extends RevocationState {
  freshUntil: number;
  /** Past `freshUntil`, the copy still answers while Redis cannot (the grace period). */
  usableUntil: number;
}

/**
 * In-process copies of revocation states, per user and family, each fresh for
 * `ttlMs`, usable `graceMs` longer while Redis cannot answer, and bounded by
 * `maxEntries` (the users whose copies are oldest go first). A revocation
 * drops the user's copies; `epoch` counts drops, so a read from Redis that
 * raced with one is not kept (its answer may predate it).
 */
export class LocalStates {
  private readonly users = new Map<string, Map<string, Copy>>();
  private size = 0;
  private drops = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly graceMs: number,
  ) {}

  /** Changes whenever copies are dropped; pass the value read before a Redis read to `keep`. */
  get epoch(): number {
    return this.drops;
  }

  fresh(userId: string, familyId: string, now: number): RevocationState | undefined {
    const copy = this.users.get(userId)?.get(familyId);
    return copy !== undefined && now < copy.freshUntil ? copy : undefined;
  }

  /** A copy past its freshness but within its grace period: only for when Redis cannot answer. */
  inGrace(userId: string, familyId: string, now: number): RevocationState | undefined {
    const copy = this.users.get(userId)?.get(familyId);
    return copy !== undefined && now >= copy.freshUntil && now < copy.usableUntil ? copy : undefined;
  }

  /** Keeps a state read from Redis, unless a drop happened since `epoch` was read. */
  keep(userId: string, familyId: string, state: RevocationState, epoch: number, now: number): void {
    if (epoch !== this.drops || this.maxEntries <= 0) return;
    let families = this.users.get(userId);
    if (families === undefined) {
      families = new Map();
      this.users.set(userId, families);
    }
    if (!families.has(familyId)) this.size += 1;
    const freshUntil = now + this.ttlMs;
    families.set(familyId, { ...state, freshUntil, usableUntil: freshUntil + this.graceMs });
    while (this.size > this.maxEntries) this.evictOldestUser();
  }

  dropUser(userId: string): void {
    this.drops += 1;
    const families = this.users.get(userId);
    if (families === undefined) return;
    this.size -= families.size;
    this.users.delete(userId);
  }

  clear(): void {
    this.drops += 1;
    this.users.clear();
    this.size = 0;
  }

  private evictOldestUser(): void {
    const oldest = this.users.entries().next();
    if (oldest.done) return;
    const [userId, families] = oldest.value;
    this.size -= families.size;
    this.users.delete(userId);
  }
}
