import type { SlotLease, SlotLeases } from '../../core/ports/leases.ts';

/** Slots held in this process: the embedded store has one server, so nobody else can hold them. */
export class MemorySlotLeases implements SlotLeases {
  readonly #held = new Map<string, Set<number>>();

  async hold(key: string, slots: number): Promise<SlotLease | undefined> {
    const held = this.#held.get(key) ?? new Set<number>();
    this.#held.set(key, held);
    for (let slot = 0; slot < slots; slot++) {
      if (held.has(slot)) continue;
      held.add(slot);
      return { slot, release: async () => void held.delete(slot) };
    }
    return undefined;
  }
}
