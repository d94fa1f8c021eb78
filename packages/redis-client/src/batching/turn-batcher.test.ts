import { describe, expect, it } from 'vitest';
import { TurnBatcher } from './turn-batcher.js';

class Batch {
  readonly items: string[] = [];
  get size(): number {
    return this.items.length;
  }
}

function setup(maxSize: number) {
  const sent: string[][] = [];
  const batcher = new TurnBatcher(
    maxSize,
    () => new Batch(),
    (batch) => sent.push(batch.items),
  );
  const add = (item: string): Batch => {
    const batch = batcher.current();
    batch.items.push(item);
    batcher.added(batch);
    return batch;
  };
  return { sent, add };
}

const checkPhase = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('TurnBatcher', () => {
  it("sends one turn's items together in the check phase, and the next turn's as a new batch", async () => {
    const { sent, add } = setup(32);
    add('a');
    // Items added from promise jobs and process.nextTick callbacks of the turn join the same batch.
    await Promise.resolve();
    add('b');
    await new Promise<void>((resolve) =>
      process.nextTick(() => {
        add('c');
        resolve();
      }),
    );
    expect(sent).toEqual([]);
    await checkPhase();
    expect(sent).toEqual([['a', 'b', 'c']]);
    add('d');
    await checkPhase();
    expect(sent).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('sends a batch at once when it reaches maxSize; the next item starts a new batch, sent once', async () => {
    const { sent, add } = setup(2);
    const first = add('a');
    expect(add('b')).toBe(first);
    expect(sent).toEqual([['a', 'b']]);
    const second = add('c');
    expect(second).not.toBe(first);
    await checkPhase();
    expect(sent).toEqual([['a', 'b'], ['c']]);
    await checkPhase();
    expect(sent).toHaveLength(2);
  });

  it('rejects a maxSize below 1', () => {
    expect(
      () =>
        new TurnBatcher(
          0,
          () => new Batch(),
          () => undefined,
        ),
    ).toThrow(RangeError);
  });
});
