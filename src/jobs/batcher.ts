/**
 * Turns many small store writes into few: items added while a flush is in flight (or in the same
 * event-loop turn) go out together in the next one, so the batch grows with load and a lone item
 * waits for nothing but its own write. Each caller's promise settles with its batch.
 */
export class Batcher<T> {
  readonly #flush: (items: T[]) => Promise<void>;
  #queue: { item: T; done: PromiseWithResolvers<void> }[] = [];
  #running = false;

  constructor(flush: (items: T[]) => Promise<void>) {
    this.#flush = flush;
  }

  add(item: T): Promise<void> {
    const done = Promise.withResolvers<void>();
    this.#queue.push({ item, done });
    if (!this.#running) {
      this.#running = true;
      setImmediate(() => void this.#drain());
    }
    return done.promise;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        await this.#flush(batch.map((b) => b.item));
        for (const b of batch) b.done.resolve();
      } catch (err) {
        for (const b of batch) b.done.reject(err);
      }
    }
    this.#running = false;
  }
}
