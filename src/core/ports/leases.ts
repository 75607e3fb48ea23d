/**
 * Numbered slots that one process at a time may hold, over every replica: an SMPP account's binds
 * (`accountBinds`), so N replicas open at most that many binds between them. A slot is held until
 * released, or until its holder dies (a lost PostgreSQL session frees it). Both adapters pass
 * test/contract/leases.contract.ts.
 */
export interface SlotLease {
  readonly slot: number;
  release(): Promise<void>;
}

export interface SlotLeases {
  /** Holds one free slot of `key`'s `slots` (0 … slots − 1), or resolves undefined if all are held. */
  hold(key: string, slots: number): Promise<SlotLease | undefined>;
}
