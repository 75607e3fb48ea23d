import type { SlotLease, SlotLeases } from '../../core/ports/leases.ts';
import type { LinkLog, SmppLink } from './link.ts';

/**
 * An SMPP account's bind count over every replica (`accountBinds`): a link connects only once it
 * holds one of the account's slots, and keeps it while it lives. Links without a slot try again
 * every `retryMs`, so when a replica stops (or dies, and its PostgreSQL session with it), another
 * takes its binds over.
 */
export interface BindSlotOptions {
  readonly leases: SlotLeases;
  /** The account: one key for its binds on every replica. */
  readonly key: string;
  readonly slots: number;
  readonly retryMs: number;
  readonly log: LinkLog;
  readonly gateway: string;
}

export class BindSlots {
  readonly #o: BindSlotOptions;
  /** In the order they should get a slot: the first submitting bind, then the receiver, the rest. */
  readonly #links: readonly SmppLink[];
  readonly #held = new Map<SmppLink, SlotLease>();
  #timer: NodeJS.Timeout | undefined;
  #trying: Promise<void> | undefined;
  #closed = false;

  constructor(links: readonly SmppLink[], o: BindSlotOptions) {
    this.#links = links;
    this.#o = o;
  }

  start(): void {
    void this.#try();
    this.#timer = setInterval(() => void this.#try(), this.#o.retryMs);
    this.#timer.unref();
  }

  /** Whether this link holds a slot (and may therefore be connected). */
  holds(link: SmppLink): boolean {
    return this.#held.has(link);
  }

  /** Call after the links are closed: frees the slots for the other replicas. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#trying;
    await Promise.all([...this.#held.values()].map((l) => l.release()));
    this.#held.clear();
  }

  #try(): Promise<void> {
    this.#trying ??= this.#claim().finally(() => {
      this.#trying = undefined;
    });
    return this.#trying;
  }

  async #claim(): Promise<void> {
    for (const link of this.#links) {
      if (this.#closed || this.#held.has(link)) continue;
      let lease: SlotLease | undefined;
      try {
        lease = await this.#o.leases.hold(this.#o.key, this.#o.slots);
      } catch (err) {
        this.#o.log.warn({ gateway: this.#o.gateway, error: (err as Error).message }, 'SMPP bind slot not taken');
        return;
      }
      if (!lease) return;
      if (this.#closed) return void (await lease.release());
      this.#held.set(link, lease);
      link.start();
    }
  }
}
