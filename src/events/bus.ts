import type { RedisClientType } from 'redis';
import { connectRedis } from '../store/redis.js';

/**
 * Publish/subscribe with async iterators (GraphQL subscriptions): in process (`MemoryEventBus`), or
 * across gateway instances through Redis (`RedisEventBus`).
 */
export interface EventBus {
  publish(topic: string, payload: unknown): void;
  /** Every payload published to `topic` from now on, until the iterator is returned. */
  subscribe<T>(topic: string): AsyncIterableIterator<T>;
}

export class MemoryEventBus implements EventBus {
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();

  publish(topic: string, payload: unknown): void {
    for (const l of this.listeners.get(topic) ?? []) l(payload);
  }

  subscribe<T>(topic: string): AsyncIterableIterator<T> {
    const queue: T[] = [];
    let wake: (() => void) | null = null;
    let done = false;
    const listener = (payload: unknown) => {
      queue.push(payload as T);
      wake?.();
    };
    let set = this.listeners.get(topic);
    if (!set) {
      set = new Set();
      this.listeners.set(topic, set);
    }
    set.add(listener);
    const stop = () => {
      done = true;
      set?.delete(listener);
      wake?.();
    };
    const iterator: AsyncIterableIterator<T> = {
      async next() {
        while (!done && queue.length === 0) await new Promise<void>((r) => (wake = r));
        wake = null;
        if (queue.length) return { value: queue.shift() as T, done: false };
        return { value: undefined, done: true };
      },
      async return() {
        stop();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }
}

/**
 * Events across gateway instances through Redis pub/sub (one channel per topic): every instance,
 * the publisher included, hears each event once, from Redis, and fans it out to its own
 * subscribers. Payloads travel as JSON. Used when `STORE_URL` is Redis.
 */
export class RedisEventBus implements EventBus {
  private readonly local = new MemoryEventBus();
  private readonly channels = new Map<string, number>();

  private constructor(
    private readonly publisher: RedisClientType,
    private readonly subscriber: RedisClientType,
    private readonly onError: (err: unknown) => void,
  ) {}

  /**
   * Connects the two clients (a subscribing Redis connection can do nothing else). Fails fast like
   * the store (`connectRedis`): an unreachable Redis rejects within a few seconds with one line
   * naming the redacted URL. At run time a lost connection is retried with capped backoff; while it
   * is down `publish` fails at once (reported once per outage through `onError`), and the
   * subscriber's channels are subscribed again when it is back.
   */
  static async connect(url: string, onError: (err: unknown) => void = () => undefined): Promise<RedisEventBus> {
    const publisher = await connectRedis(url, { what: 'the event bus' });
    const subscriber = await connectRedis(url, { what: 'the event bus', offlineQueue: true }).catch(async (err: unknown) => {
      if (publisher.isOpen) publisher.destroy();
      throw err;
    });
    // One report per outage, not one per failed publish or reconnect attempt.
    let reported = false;
    const report = (err: unknown) => {
      if (reported) return;
      reported = true;
      onError(err);
    };
    for (const client of [publisher, subscriber]) {
      client.on('error', report);
      client.on('ready', () => (reported = false));
    }
    return new RedisEventBus(publisher, subscriber, report);
  }

  publish(topic: string, payload: unknown): void {
    this.publisher.publish(`bookgraph:events:${topic}`, JSON.stringify(payload)).catch(this.onError);
  }

  subscribe<T>(topic: string): AsyncIterableIterator<T> {
    const channel = `bookgraph:events:${topic}`;
    const count = this.channels.get(channel) ?? 0;
    this.channels.set(channel, count + 1);
    if (count === 0) {
      this.subscriber.subscribe(channel, (message) => this.local.publish(topic, JSON.parse(message))).catch(this.onError);
    }
    const inner = this.local.subscribe<T>(topic);
    const release = () => {
      const left = (this.channels.get(channel) ?? 1) - 1;
      if (left > 0) return void this.channels.set(channel, left);
      this.channels.delete(channel);
      this.subscriber.unsubscribe(channel).catch(this.onError);
    };
    let released = false;
    return {
      next: () => inner.next(),
      async return() {
        if (!released) {
          released = true;
          release();
        }
        return inner.return ? inner.return() : { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled(
      [this.subscriber, this.publisher].map(async (c) => {
        if (c.isOpen) await (c.isReady ? c.close() : c.destroy());
      }),
    );
  }
}
