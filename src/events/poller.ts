import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ConnectionRecord, ConnectionRepository } from '../connections/connections.js';
import { BookingEventType, BookingStatus, ConnectionStatus } from '../connectors/enums.js';
import type { Connector, PlatformEvent, UnifiedBooking } from '../connectors/types.js';
import { mapLimit } from '../connectors/util.js';
import type { Store } from '../store/store.js';
import type { EventIntake } from './intake.js';
import type { SubscriptionRepository } from './subscriptions.js';

/** What the poller remembers of one connection between polls (store key `whpoll:<connectionId>`). */
interface PollState {
  /** Gateway time of the first poll: bookings created before it are not "new". */
  baselineAt: number;
  /** Gateway time the last poll started. */
  lastPollAt: number;
  /** Bookings seen: ref → [status, startsAt ms, endsAt ms]. */
  known: Record<string, [BookingStatus, number, number]>;
}

/** Bookings remembered per connection, newest first beyond this are forgotten (bounded state). */
const MAX_KNOWN = 5_000;
/** A remembered booking is forgotten this long after it ended. */
const FORGET_AFTER_MS = 2 * 24 * 3_600_000;
/** Clock difference tolerated between the gateway and a platform when comparing `createdAt`. */
const SKEW_MS = 2_000;
/** BOOKING_STARTING_SOON fires this long before the start (as DaySchedule's `before_event`). */
const STARTING_SOON_MS = 5 * 60_000;
/** Bookings longer than this do not get a gateway-scheduled BOOKING_ENDED. */
const LONGEST_BOOKING_MS = 24 * 3_600_000;
/** Connections polled at once by one instance. */
const CONCURRENCY = 4;

/** The events that a booking's change between two sightings means. */
export function changesOf(state: PollState, bookings: readonly UnifiedBooking[]): PlatformEvent[] {
  const out: PlatformEvent[] = [];
  for (const b of bookings) {
    const prev = state.known[b.ref];
    const createdAfterBaseline = b.createdAt !== null && b.createdAt.getTime() >= state.baselineAt - SKEW_MS;
    if (!prev && createdAfterBaseline) out.push({ eventId: null, type: BookingEventType.BOOKING_CREATED, booking: b, occurredAt: b.createdAt });
    const changedAfterBaseline = createdAfterBaseline || (b.updatedAt !== null && b.updatedAt.getTime() >= state.baselineAt - SKEW_MS);
    if (b.status === BookingStatus.CANCELED && (prev ? prev[0] !== BookingStatus.CANCELED : changedAfterBaseline)) {
      out.push({ eventId: null, type: BookingEventType.BOOKING_CANCELED, booking: b, occurredAt: b.updatedAt });
    }
    state.known[b.ref] = [b.status, b.startsAt.getTime(), b.endsAt.getTime()];
  }
  return out;
}

/** BOOKING_STARTING_SOON / STARTED / ENDED whose instant fell in (from, to], for platforms that do not push them. */
export function timedEventsOf(bookings: readonly UnifiedBooking[], from: number, to: number, wanted: ReadonlySet<BookingEventType>): PlatformEvent[] {
  const out: PlatformEvent[] = [];
  for (const b of bookings) {
    if (b.status !== BookingStatus.CONFIRMED && b.status !== BookingStatus.COMPLETED) continue;
    const instants: Array<[BookingEventType, number]> = [
      [BookingEventType.BOOKING_STARTING_SOON, b.startsAt.getTime() - STARTING_SOON_MS],
      [BookingEventType.BOOKING_STARTED, b.startsAt.getTime()],
      [BookingEventType.BOOKING_ENDED, b.endsAt.getTime()],
    ];
    for (const [type, at] of instants) {
      if (wanted.has(type) && at > from && at <= to) out.push({ eventId: null, type, booking: b, occurredAt: new Date(at) });
    }
  }
  return out;
}

function prune(state: PollState, now: number): void {
  let entries = Object.entries(state.known).filter(([, [, , ends]]) => ends >= now - FORGET_AFTER_MS);
  if (entries.length > MAX_KNOWN) entries = entries.sort((a, b) => b[1][1] - a[1][1]).slice(0, MAX_KNOWN);
  state.known = Object.fromEntries(entries);
}

/**
 * Polls every connection that has a webhook subscription, every `intervalMs`: the connector's
 * `changedBookings` (its updated-since filter, or a window) compared with what was seen before, plus
 * gateway-scheduled time events where the platform does not push them. One poller per connection
 * across every instance sharing the store (a lease), however many subscriptions it has.
 */
export class Poller {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly owner = `poller-${randomUUID()}`;

  constructor(
    private readonly deps: {
      store: Store;
      subscriptions: SubscriptionRepository;
      connections: ConnectionRepository;
      connector(record: ConnectionRecord): Connector;
      intake: EventIntake;
      intervalMs: number;
      log: Logger;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.running ??= this.tick().finally(() => (this.running = null));
    }, this.deps.intervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One round over every watched connection. */
  async tick(): Promise<void> {
    const ids = await this.deps.subscriptions.watchedConnections();
    await mapLimit(ids, CONCURRENCY, async (id) => {
      const record = await this.deps.connections.get(id);
      if (!record || record.status !== ConnectionStatus.ACTIVE) return;
      try {
        await this.poll(record);
      } catch (err) {
        this.deps.log.warn({ connectionId: id, provider: record.provider, err: err instanceof Error ? err.message : String(err) }, 'poll failed');
      }
    });
  }

  /**
   * Records what the connection has now, without events (at subscribe time), unless a baseline exists.
   * Throws the platform's error (the subscription is then not made).
   */
  async baseline(record: ConnectionRecord): Promise<void> {
    const key = `whpoll:${record.id}`;
    if (await this.deps.store.get<PollState>(key)) return;
    const now = this.now();
    const state: PollState = { baselineAt: now, lastPollAt: now, known: {} };
    const bookings = await this.deps.connector(record).webhooks.changedBookings(new Date(now - 3_600_000));
    for (const b of bookings) state.known[b.ref] = [b.status, b.startsAt.getTime(), b.endsAt.getTime()];
    prune(state, now);
    await this.deps.store.set(key, state);
  }

  /** Forgets the connection's state (its last subscription is gone). */
  async forget(connectionId: string): Promise<void> {
    await this.deps.store.delete(`whpoll:${connectionId}`);
  }

  /** Polls one connection, where this instance holds its lease. Answers how many events were new. */
  async poll(record: ConnectionRecord): Promise<number> {
    const leaseName = `whpoll:${record.id}`;
    if (!(await this.deps.store.lease(leaseName, this.owner, Math.max(3 * this.deps.intervalMs, 30_000)))) return 0;
    const key = `whpoll:${record.id}`;
    const state = await this.deps.store.get<PollState>(key);
    if (!state) {
      await this.baseline(record);
      return 0;
    }
    const now = this.now();
    const connector = this.deps.connector(record);
    const overlap = Math.max(60_000, 2 * this.deps.intervalMs);
    const events = changesOf(state, await connector.webhooks.changedBookings(new Date(state.lastPollAt - overlap)));
    if (!connector.webhooks.timedEvents) {
      const wanted = new Set((await this.deps.subscriptions.listForConnection(record.id)).flatMap((s) => s.events));
      if ([BookingEventType.BOOKING_STARTING_SOON, BookingEventType.BOOKING_STARTED, BookingEventType.BOOKING_ENDED].some((t) => wanted.has(t))) {
        const upcoming = await connector.listBookings({
          startsAfter: new Date(state.lastPollAt - LONGEST_BOOKING_MS),
          startsBefore: new Date(now + STARTING_SOON_MS + 1),
          limit: 1_000,
        });
        events.push(...timedEventsOf(upcoming, state.lastPollAt, now, wanted));
      }
    }
    const published = await this.deps.intake.accept(record, events);
    state.lastPollAt = now;
    prune(state, now);
    await this.deps.store.set(key, state);
    return published;
  }
}
