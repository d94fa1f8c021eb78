import { describe, expect, it } from 'vitest';
import { HeartbeatSlots } from './heartbeat-slots.js';

describe('HeartbeatSlots', () => {
  it('gives every member exactly one turn per round, at most a slot’s share per tick', () => {
    const slots = new HeartbeatSlots<number>(10);
    for (let member = 0; member < 2000; member++) slots.add(member);
    const turns = new Map<number, number>();
    for (let tick = 0; tick < 10; tick++) {
      const due = slots.due();
      expect(due.length).toBe(200);
      for (const member of due) turns.set(member, (turns.get(member) ?? 0) + 1);
    }
    expect(turns.size).toBe(2000);
    expect(new Set(turns.values())).toEqual(new Set([1]));
  });

  it('forgets a deleted member and keeps the others on their turn', () => {
    const slots = new HeartbeatSlots<string>(2);
    for (const member of ['a', 'b', 'c', 'd']) slots.add(member);
    slots.delete('c');
    expect(slots.due()).toEqual(['a']);
    expect(slots.due()).toEqual(['b', 'd']);
    expect(slots.due()).toEqual(['a']);
  });

  it('has at least one slot', () => {
    const slots = new HeartbeatSlots<string>(0);
    slots.add('a');
    expect(slots.count).toBe(1);
    expect(slots.due()).toEqual(['a']);
  });
});
