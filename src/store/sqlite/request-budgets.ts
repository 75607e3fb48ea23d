import type Database from 'better-sqlite3';
import type { AbuseStore, AdmissionFacts } from '../../core/ports/abuse.ts';
import type { RateTake } from '../../core/ports/rate-limiter.ts';
import type {
  AttemptRead,
  GuessBudget,
  KeyCheck,
  RequestLimited,
  ValidationOutcome,
  VerificationLookup,
  VerificationStore,
} from '../../core/ports/store.ts';
import type { TokenBuckets } from '../memory/token-buckets.ts';
import { liveKeyCheck } from './keys.ts';

// The operations this wraps, as the ports declare them (the wrapped ones ignore `request`).
type Facts = AbuseStore['admissionFacts'];
type Validate = VerificationStore['attemptValidation'];
type AttemptAndRead = VerificationLookup['attemptAndRead'];

/**
 * The API's per-client request budget, when an operation is given it to spend first (see
 * api/guard.ts): on SQLite it lives in this process's memory, in the same buckets as the guard's own
 * limiter (there is one server per file), and is spent on this thread before the operation is
 * handed on, synchronously, so nothing can come between. A validation whose key is no longer live
 * spends nothing: the operation then refuses it.
 */
export function spendingFirst(
  db: Database.Database,
  budgets: TokenBuckets,
  facts: Facts,
  ops: { attemptValidation: Validate; attemptAndRead: AttemptAndRead },
) {
  const live = liveKeyCheck(db);
  /** The wait before the request budget admits one more, 0 when it is spent now (or not given). */
  const spend = (clientId: string, now: number, key?: KeyCheck, request?: RateTake): number =>
    request && (!key || live(clientId, key)) ? budgets.takeAt(request.key, request.rule, now) : 0;
  return {
    admissionFacts(
      clientId: string,
      e164: string,
      scopes: readonly string[],
      now: number,
      request?: RateTake,
    ): Promise<AdmissionFacts> {
      const wait = request ? budgets.takeAt(request.key, request.rule, now) : 0;
      if (wait > 0) return Promise.resolve({ rules: [], policy: null, blocks: [], requestRetryAfter: wait });
      return facts(clientId, e164, scopes, now);
    },

    attemptValidation(
      clientId: string,
      id: string,
      now: number,
      budget: GuessBudget,
      candidates: readonly Buffer[],
      key?: KeyCheck,
      request?: RateTake,
    ): Promise<ValidationOutcome | RequestLimited> {
      const wait = spend(clientId, now, key, request);
      if (wait > 0) return Promise.resolve({ retryAfterSeconds: wait });
      return ops.attemptValidation(clientId, id, now, budget, candidates, key);
    },

    attemptAndRead(
      clientId: string,
      id: string,
      now: number,
      budget: GuessBudget,
      candidates: readonly Buffer[],
      key?: KeyCheck,
      request?: RateTake,
    ): Promise<AttemptRead | RequestLimited> {
      const wait = spend(clientId, now, key, request);
      if (wait > 0) return Promise.resolve({ retryAfterSeconds: wait });
      return ops.attemptAndRead(clientId, id, now, budget, candidates, key);
    },
  };
}
