/**
 * In-process publish/subscribe with async iterators (GraphQL subscriptions). A later Redis-backed
 * bus implements the same two methods so events cross gateway instances.
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
