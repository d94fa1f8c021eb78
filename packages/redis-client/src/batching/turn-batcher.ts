/** What a TurnBatcher needs to know of a batch: how many items it holds. */
export interface TurnBatch {
  readonly size: number;
}

/**
 * Gathers the items of one event-loop turn into one batch, sent in the turn's check
 * phase (setImmediate, as ioredis's auto-pipelining does), or at once when it reaches
 * `maxSize` (the next item then starts a new batch). So the items of all the I/O
 * callbacks of one poll phase (requests, replies) and of their promise jobs travel
 * together; a process.nextTick flush would cut that into one batch per callback.
 * A full batch goes out early so that Redis (and the parsing of its reply) works on
 * it while the rest of the turn is still being collected, and no batch grows without
 * bound.
 *
 * The batch itself (what it holds, how its result reaches each item) is the caller's:
 * take `current()`, add to it, then call `added(batch)`.
 */
export class TurnBatcher<B extends TurnBatch> {
  private open: B | undefined;

  constructor(
    private readonly maxSize: number,
    /** A new, empty batch. */
    private readonly start: () => B,
    /** Sends `batch`; called once for each batch, after which nothing more joins it. */
    private readonly send: (batch: B) => void,
  ) {
    if (!Number.isInteger(maxSize) || maxSize < 1)
      throw new RangeError(`maxSize must be an integer >= 1 (got ${maxSize})`);
  }

  /** The batch collecting this turn's items: the turn's first item starts it and schedules its send. */
  current(): B {
    let batch = this.open;
    if (batch === undefined) {
      batch = this.start();
      this.open = batch;
      setImmediate(this.sendScheduled, batch);
    }
    return batch;
  }

  /** To call after adding to `batch`: a batch that reached `maxSize` is sent now. */
  added(batch: B): void {
    if (batch.size >= this.maxSize) this.sendOpen(batch);
  }

  private readonly sendScheduled = (batch: B): void => this.sendOpen(batch);

  /** Sends `batch` unless it went already (a full batch is sent before its setImmediate comes). */
  private sendOpen(batch: B): void {
    if (this.open !== batch) return;
    this.open = undefined;
    this.send(batch);
  }
}
