import type { ChannelRouter, Logger } from '@rnh/redis-client';
import { DEFAULT_MAX_PENDING_LIVE_EVENTS } from '../defaults.js';
import type { Delivery, EventSchemas } from '../types.js';
import type { EventFeed } from './event-feed.js';
import { compareStreamIds } from './stream-id.js';
import { decodeEvent, parseMessage, type RawEvent } from './wire.js';

export interface FollowOptions {
  /** The last id the client received (its Last-Event-ID): what came after it is replayed first. */
  after?: string;
  /** Live events held while catching up; past this many it catches up from the feed again. */
  maxPendingLiveEvents?: number;
}

type State = 'catching_up' | 'live' | 'closed';

/** After a failed catch-up, the next try. */
const RESYNC_RETRY_MS = 1000;

/**
 * One connection following one user's feed, without gap or duplicate: it subscribes first
 * and holds live events, reads what it missed from the stream, then lets through the held
 * events that are newer than the last one read, and from then on every newer live event.
 * After the subscriber connection comes back it catches up from the stream again (pub/sub
 * dropped what was published meanwhile). `deliver` returning false means the client is gone.
 */
export class FeedFollower<S extends EventSchemas> {
  private state: State = 'catching_up';
  private cursor: string;
  private readonly resuming: boolean;
  private pending: RawEvent[] = [];
  private overflowed = false;
  private catchUpAgain = false;
  private readySent = false;
  /** A catch-up is running (the start's or a resync's). */
  private busy = false;
  private unsubscribe: (() => void) | undefined;
  private stopResync: (() => void) | undefined;
  private readonly maxPending: number;

  constructor(
    private readonly feed: EventFeed<S>,
    private readonly router: ChannelRouter,
    private readonly logger: Logger,
    readonly userId: string,
    private readonly deliver: (delivery: Delivery<S>, traceParent?: string) => boolean,
    options: FollowOptions = {},
  ) {
    this.cursor = options.after ?? '0-0';
    this.resuming = options.after !== undefined;
    this.maxPending = options.maxPendingLiveEvents ?? DEFAULT_MAX_PENDING_LIVE_EVENTS;
  }

  /** Where a reconnect would resume: the id of the last event delivered (or the feed's end at start). */
  get position(): string {
    return this.cursor;
  }

  /** Subscribes, replays what the client missed, then delivers `ready`. Rejects if Redis fails. */
  async start(): Promise<void> {
    this.unsubscribe = await this.router.subscribe(this.feed.channelOf(this.userId), (text) =>
      this.onMessage(text),
    );
    this.stopResync = this.router.onResubscribed(() => void this.resync());
    this.busy = true;
    try {
      // A new client starts at the feed's end; a resuming one continues from its cursor.
      if (!this.resuming) this.cursor = await this.feed.newest(this.userId);
      await this.catchUpUntilCurrent(this.resuming);
    } catch (error) {
      this.close();
      throw error;
    } finally {
      this.busy = false;
    }
  }

  private isClosed(): boolean {
    return this.state === 'closed';
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.pending = [];
    this.unsubscribe?.();
    this.stopResync?.();
  }

  private onMessage(text: string): void {
    if (this.state === 'closed') return;
    const raw = parseMessage(text);
    if (!raw) return;
    if (this.state === 'catching_up') {
      if (this.pending.length < this.maxPending) this.pending.push(raw);
      else this.overflowed = true;
      return;
    }
    this.pass(raw, false);
  }

  /** Delivers `raw` if it is newer than the cursor; false once the client is gone. */
  private pass(raw: RawEvent, replayed: boolean): boolean {
    if (compareStreamIds(raw.id, this.cursor) <= 0) return true;
    this.cursor = raw.id;
    const decoded = decodeEvent(this.feed.schemas, raw);
    if (!decoded.ok) {
      this.feed.metrics.invalid.inc({
        type: Object.hasOwn(this.feed.schemas, raw.type) ? raw.type : 'unknown',
      });
      this.logger.warn({ operation: 'deliver', reason: decoded.reason }, 'realtime feed: event dropped');
      return true;
    }
    if (this.deliver({ kind: 'event', event: decoded.event, replayed }, raw.traceParent)) return true;
    this.close();
    return false;
  }

  /** Reads the feed after the cursor, page by page, then releases the held live events. */
  private async catchUp(checkGap: boolean): Promise<void> {
    this.state = 'catching_up';
    let first = true;
    for (;;) {
      const page = await this.feed.read(this.userId, this.cursor, checkGap && first);
      if (this.isClosed()) return;
      if (first && page.gap && !this.deliver({ kind: 'reset', cursor: this.cursor })) return this.close();
      first = false;
      for (const raw of page.events) if (!this.pass(raw, true)) return;
      if (page.events.length < this.feed.replayPageSize) break;
    }
    const held = this.pending;
    this.pending = [];
    if (this.overflowed) {
      this.overflowed = false;
      return this.catchUp(false);
    }
    this.state = 'live';
    // `ready` once, between what was missed and what is live: the client's cursor from here on.
    if (!this.readySent) {
      this.readySent = true;
      if (!this.deliver({ kind: 'ready', cursor: this.cursor })) return this.close();
    }
    for (const raw of held) if (!this.pass(raw, false)) return;
  }

  /** Catches up, and again while a reconnect happened meanwhile. */
  private async catchUpUntilCurrent(checkGap: boolean): Promise<void> {
    do {
      this.catchUpAgain = false;
      await this.catchUp(checkGap);
      checkGap = true;
    } while (this.catchUpAgain && this.state !== 'closed');
  }

  private async resync(): Promise<void> {
    if (this.state === 'closed') return;
    if (this.busy) {
      this.catchUpAgain = true;
      return;
    }
    this.busy = true;
    try {
      await this.catchUpUntilCurrent(true);
    } catch (error) {
      // Live events stay held (or, past the bound, are read from the feed); try again shortly.
      this.logger.warn(
        { err: error, operation: 'resync' },
        'realtime feed: catching up after a reconnect failed',
      );
      setTimeout(() => void this.resync(), RESYNC_RETRY_MS).unref();
    } finally {
      this.busy = false;
    }
  }
}
