import type { ChannelRouter, Logger } from '@rnh/redis-client';
import { DEFAULT_MAX_PENDING_LIVE_EVENTS } from '../defaults.js';
import type { Delivery, EventSchemas } from '../types.js';
import type { EventFeed } from './event-feed.js';
import { compareStreamIds } from './stream-id.js';
import { decodeEvent, parseMessage, type RawEvent } from './wire.js';

/** An event ready to deliver: its delivery is undefined when its data failed its schema (counted, dropped). */
interface Decoded<S extends EventSchemas> {
  id: string;
  traceParent: string;
  delivery: Extract<Delivery<S>, { kind: 'event' }> | undefined;
}

/**
 * Per feed, the live message decoded last. Every connection of a user in this process receives
 * the same message text, one after the other: it is parsed and checked once, and each of them
 * gets the same delivery object, which the transports then encode once.
 */
const lastLive = new WeakMap<object, { text: string; decoded: unknown }>();

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
  private pending: Array<Decoded<S>> = [];
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
    const stopResync = this.router.onResubscribed(() => void this.resync());
    // From the moment the subscriber drops, live events wait for the catch-up after it is back:
    // one that arrived first would move the cursor past those published while it was away.
    const stopHolding = this.router.onDisconnected(() => {
      if (this.state === 'live') this.state = 'catching_up';
    });
    this.stopResync = () => {
      stopResync();
      stopHolding();
    };
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
    const event = this.decodeLive(text);
    if (!event) return;
    if (this.state === 'catching_up') {
      if (this.pending.length < this.maxPending) this.pending.push(event);
      else this.overflowed = true;
      return;
    }
    this.pass(event);
  }

  private decodeLive(text: string): Decoded<S> | undefined {
    const last = lastLive.get(this.feed);
    if (last?.text === text) return last.decoded as Decoded<S> | undefined;
    const raw = parseMessage(text);
    const decoded = raw && this.decode(raw, false);
    lastLive.set(this.feed, { text, decoded });
    return decoded;
  }

  private decode(raw: RawEvent, replayed: boolean): Decoded<S> {
    const decoded = decodeEvent(this.feed.schemas, raw);
    if (!decoded.ok) {
      this.feed.metrics.invalid.inc({
        type: Object.hasOwn(this.feed.schemas, raw.type) ? raw.type : 'unknown',
      });
      this.logger.warn({ operation: 'deliver', reason: decoded.reason }, 'realtime feed: event dropped');
    }
    return {
      id: raw.id,
      traceParent: raw.traceParent,
      delivery: decoded.ok ? { kind: 'event', event: decoded.event, replayed } : undefined,
    };
  }

  /** Delivers `event` if it is newer than the cursor; false once the client is gone. */
  private pass(event: Decoded<S>): boolean {
    if (compareStreamIds(event.id, this.cursor) <= 0) return true;
    this.cursor = event.id;
    if (!event.delivery) return true;
    if (this.deliver(event.delivery, event.traceParent)) return true;
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
      for (const raw of page.events) if (!this.pass(this.decode(raw, true))) return;
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
    for (const event of held) if (!this.pass(event)) return;
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
