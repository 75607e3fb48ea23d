import type smpp from 'smpp';

export type Reply =
  | { readonly ok: true; readonly pdu: smpp.PDU }
  /** No response: `timeout` when none came in time, otherwise the link went away first. */
  | { readonly ok: false; readonly timeout: boolean; readonly error: string };

interface Entry {
  readonly settle: (r: Reply) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Requests awaiting their response, by sequence_number. otpd keeps this map itself instead of
 * passing callbacks to the smpp package, which never times a request out and silently forgets
 * its callbacks when the socket drops: here every request ends, with its response, a timeout,
 * or the reason the link went away.
 */
export class PendingRequests {
  readonly #entries = new Map<number, Entry>();

  get size(): number {
    return this.#entries.size;
  }

  /** Waits for the response to the request just written with `sequence`. */
  add(sequence: number, command: string, timeoutMs: number): Promise<Reply> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#entries.delete(sequence);
        resolve({ ok: false, timeout: true, error: `no ${command}_resp within ${timeoutMs} ms` });
      }, timeoutMs);
      this.#entries.set(sequence, { settle: resolve, timer });
    });
  }

  /** Hands a response (or generic_nack) to its request; false when nobody waits for it any more. */
  settle(pdu: smpp.PDU): boolean {
    const entry = this.#entries.get(pdu.sequence_number);
    if (!entry) return false;
    this.#entries.delete(pdu.sequence_number);
    clearTimeout(entry.timer);
    entry.settle({ ok: true, pdu });
    return true;
  }

  /** Ends every request: their responses can no longer arrive. */
  failAll(error: string): void {
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    for (const e of entries) {
      clearTimeout(e.timer);
      e.settle({ ok: false, timeout: false, error });
    }
  }
}
