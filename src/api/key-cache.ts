/**
 * A small map that forgets its least recently used entry past `max`: memory stays bounded whatever
 * credentials arrive, and the keys in use stay in.
 */
export class BoundedCache<V> {
  readonly #max: number;
  readonly #entries = new Map<string, V>();

  constructor(max: number) {
    this.#max = max;
  }

  get(key: string): V | undefined {
    const v = this.#entries.get(key);
    if (v !== undefined) {
      // A Map iterates in insertion order: moving a hit to the end makes the first entry the oldest.
      this.#entries.delete(key);
      this.#entries.set(key, v);
    }
    return v;
  }

  set(key: string, v: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, v);
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** Drops every entry `matches` accepts. */
  drop(matches: (v: V) => boolean): void {
    for (const [k, v] of this.#entries) if (matches(v)) this.#entries.delete(k);
  }

  get size(): number {
    return this.#entries.size;
  }
}
