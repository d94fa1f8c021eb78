/**
 * Spreads the heartbeat over its interval. Connections are dealt round-robin into `count`
 * slots, and each tick (the interval / `count`) takes one slot: every connection still has
 * its turn once per interval, but a tick pings and renews a tenth of them instead of all at
 * once. Clients that all connected together (after a deploy) would otherwise make one burst of
 * thousands of presence scripts every interval, and every delivery queued behind it.
 */
export class HeartbeatSlots<T> {
  private readonly slots: Array<Set<T>>;
  private readonly slotOf = new Map<T, Set<T>>();
  private nextSlot = 0;
  private nextTick = 0;

  constructor(count: number) {
    this.slots = Array.from({ length: Math.max(1, Math.floor(count)) }, () => new Set<T>());
  }

  get count(): number {
    return this.slots.length;
  }

  add(member: T): void {
    if (this.slotOf.has(member)) return;
    const slot = this.slots[this.nextSlot]!;
    this.nextSlot = (this.nextSlot + 1) % this.slots.length;
    slot.add(member);
    this.slotOf.set(member, slot);
  }

  delete(member: T): void {
    this.slotOf.get(member)?.delete(member);
    this.slotOf.delete(member);
  }

  /** The members whose turn this tick is (a copy: the caller may delete some); the next call takes the next slot. */
  due(): T[] {
    const slot = this.slots[this.nextTick]!;
    this.nextTick = (this.nextTick + 1) % this.slots.length;
    return [...slot];
  }
}
