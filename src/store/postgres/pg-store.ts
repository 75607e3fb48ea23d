import type pg from 'pg';
import type {
  ApiKeyRecord, AttemptRecord, AttemptView, ClaimedMessage, CreateResult, DailyStat, DeliveryReceipt, GuessBudget, MessageFilter, MessageView, NewVerification, PurgeResult,
  SendLimits, Store, ValidationOutcome,
} from '../../core/ports/store.ts';
import { migratePg } from './migrations.ts';
import {
  appendDevMessagePg, claimMessagesPg, completeAttemptPg, listAttemptsPg, listDevMessagesPg, listMessagesPg, recordReceiptPg,
} from './pg-outbox.ts';
import { dailyStatsPg, purgePg } from './pg-retention.ts';
import { attemptValidationPg, createVerificationPg } from './pg-verifications.ts';
import { createPool, type PgOptions } from './pool.ts';
import * as abuse from './pg-abuse.ts';
import type { AdmissionFacts, ClientPolicy, ConversionStat, NumberRule, NumberRuleKind, ScopeBlock } from '../../core/ports/abuse.ts';
import { KEY_COLUMNS, rowToKey, type KeyRow } from '../key-rows.ts';

export type { PgOptions } from './pool.ts';

/**
 * The shared store: any number of stateless otpd replicas use one PostgreSQL. Every guarantee of
 * the Store port holds across processes because each race-sensitive method is one guarded
 * statement or one transaction that is correct under PostgreSQL's default READ COMMITTED; the
 * JSDoc of each function it delegates to says why.
 */
export class PgStore implements Store {
  readonly #pool: pg.Pool;
  #closed: Promise<void> | undefined;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Opens a pool and applies pending migrations (safe when several replicas start at once). */
  static async open(o: PgOptions, now: number): Promise<PgStore> {
    const pool = createPool(o);
    try {
      await migratePg(pool, o.schema, now);
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PgStore(pool);
  }

  /**
   * One transaction: a transaction advisory lock per (client, number) taken in its own statement,
   * then the window count (READ COMMITTED gives that statement a snapshot taken after the lock, so
   * it sees every earlier send to the number), then one statement that supersedes, inserts the
   * verification and its message and takes the quota with a guarded upsert (ON CONFLICT DO UPDATE
   * … WHERE messages < quota locks the client's row and re-checks its latest value).
   */
  createVerification(v: NewVerification, limits: SendLimits): Promise<CreateResult> {
    return createVerificationPg(this.#pool, v, limits);
  }

  /**
   * One transaction: `SELECT … FOR UPDATE` on the verification row makes parallel validations of
   * one id queue behind each other, each re-reading the row as the previous one committed it; the
   * attempt is counted by a guarded UPDATE (`attempts < max_attempts`) before the comparison, and
   * the consume is a guarded UPDATE (`status = 'pending'`), so exactly one caller can win.
   */
  attemptValidation(clientId: string, id: string, now: number, budget: GuessBudget, candidates: readonly Buffer[]): Promise<ValidationOutcome> {
    return attemptValidationPg(this.#pool, clientId, id, now, budget, candidates);
  }

  /**
   * One statement: `UPDATE … WHERE seq IN (SELECT … FOR UPDATE SKIP LOCKED)`. Replicas claiming at
   * once skip each other's locked rows instead of waiting; a row claimed and committed by another
   * replica after our snapshot is re-checked on its latest version, whose lease is in the future.
   * Due messages whose code can no longer be used are moved to `expired` in the same statement.
   */
  claimMessages(now: number, leaseMs: number, limit: number): Promise<ClaimedMessage[]> {
    return claimMessagesPg(this.#pool, now, leaseMs, limit);
  }

  /**
   * One statement (a CTE): the attempt row (ON CONFLICT DO NOTHING, so a repeat is a no-op) and the
   * state change guarded by `attempts = $attempt AND status = 'sending'`, so a replica whose lease
   * lapsed cannot overwrite the outcome of the replica that claimed the message after it. A 'sent'
   * completion runs in a transaction behind an advisory lock on (gateway, provider id), shared
   * with recordReceipt, so a receipt racing it is never lost.
   */
  completeAttempt(r: AttemptRecord): Promise<void> {
    return completeAttemptPg(this.#pool, r);
  }

  /**
   * INSERT … ON CONFLICT DO NOTHING decides duplicates, so a callback delivered to two replicas
   * applies once; the advisory lock on (gateway, provider id) orders it with the 'sent' completion.
   */
  recordReceipt(r: DeliveryReceipt): Promise<'recorded' | 'duplicate'> {
    return recordReceiptPg(this.#pool, r);
  }

  listMessages(filter: MessageFilter): Promise<MessageView[]> {
    return listMessagesPg(this.#pool, filter);
  }

  listAttempts(messageIds: readonly string[]): Promise<AttemptView[]> {
    return listAttemptsPg(this.#pool, messageIds);
  }

  appendDevMessage(m: { messageId: string; to: string; text: string; at: number }): Promise<void> {
    return appendDevMessagePg(this.#pool, m);
  }

  listDevMessages(to: string | undefined, limit: number): Promise<{ to: string; text: string; createdAt: number }[]> {
    return listDevMessagesPg(this.#pool, to, limit);
  }

  /**
   * Batches of single statements, each `DELETE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`
   * whose RETURNING rows feed the per-day aggregates in the same statement: a row is deleted, and
   * counted, by exactly one of several replicas purging at once.
   */
  purge(cutoff: number, batch: number): Promise<PurgeResult> {
    return purgePg(this.#pool, cutoff, batch);
  }

  dailyStats(fromDay: string, toDay: string, now: number): Promise<DailyStat[]> {
    return dailyStatsPg(this.#pool, fromDay, toDay, now);
  }

  async createApiKey(k: ApiKeyRecord, secretHash: Buffer): Promise<void> {
    await this.#pool.query(
      'INSERT INTO api_keys (id, client_id, name, secret_hash, scopes, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [k.id, k.clientId, k.name, secretHash, JSON.stringify(k.scopes), k.createdAt, k.revokedAt],
    );
  }

  /** One statement (INSERT … ON CONFLICT DO UPDATE): replicas starting together converge on one row. */
  async upsertApiKey(k: ApiKeyRecord, secretHash: Buffer): Promise<void> {
    await this.#pool.query(
      `INSERT INTO api_keys (id, client_id, name, secret_hash, scopes, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET client_id = excluded.client_id, name = excluded.name, secret_hash = excluded.secret_hash,
       scopes = excluded.scopes, revoked_at = excluded.revoked_at`,
      [k.id, k.clientId, k.name, secretHash, JSON.stringify(k.scopes), k.createdAt, k.revokedAt],
    );
  }

  async findApiKeyBySecretHash(secretHash: Buffer): Promise<ApiKeyRecord | null> {
    const r = await this.#pool.query<KeyRow>({ name: 'otpd_key_by_hash', text: `SELECT ${KEY_COLUMNS} FROM api_keys WHERE secret_hash = $1`, values: [secretHash] });
    return r.rows[0] ? rowToKey(r.rows[0]) : null;
  }

  async findApiKeyById(id: string): Promise<ApiKeyRecord | null> {
    const r = await this.#pool.query<KeyRow>({ name: 'otpd_key_by_id', text: `SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = $1`, values: [id] });
    return r.rows[0] ? rowToKey(r.rows[0]) : null;
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return (await this.#pool.query<KeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys ORDER BY created_at, id`)).rows.map(rowToKey);
  }

  /** A guarded UPDATE (`revoked_at IS NULL`): of concurrent revokes the first time wins. */
  async revokeApiKey(id: string, now: number): Promise<boolean> {
    const r = await this.#pool.query('UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [now, id]);
    if (r.rowCount === 1) return true;
    return (await this.#pool.query('SELECT 1 FROM api_keys WHERE id = $1', [id])).rowCount === 1;
  }

  admissionFacts(clientId: string, e164: string, scopes: readonly string[], now: number): Promise<AdmissionFacts> {
    return abuse.admissionFactsPg(this.#pool, clientId, e164, scopes, now);
  }

  putNumberRule(r: NumberRule): Promise<void> {
    return abuse.putNumberRulePg(this.#pool, r);
  }

  deleteNumberRule(kind: NumberRuleKind, prefix: string): Promise<boolean> {
    return abuse.deleteNumberRulePg(this.#pool, kind, prefix);
  }

  listNumberRules(kind?: NumberRuleKind): Promise<NumberRule[]> {
    return abuse.listNumberRulesPg(this.#pool, kind);
  }

  getClientPolicy(clientId: string): Promise<ClientPolicy | null> {
    return abuse.getClientPolicyPg(this.#pool, clientId);
  }

  putClientPolicy(p: ClientPolicy): Promise<void> {
    return abuse.putClientPolicyPg(this.#pool, p);
  }

  listClientPolicies(): Promise<ClientPolicy[]> {
    return abuse.listClientPoliciesPg(this.#pool);
  }

  conversionStats(from: number, to: number): Promise<ConversionStat[]> {
    return abuse.conversionStatsPg(this.#pool, from, to);
  }

  putBlocks(blocks: readonly ScopeBlock[]): Promise<void> {
    return abuse.putBlocksPg(this.#pool, blocks);
  }

  listBlocks(since: number): Promise<ScopeBlock[]> {
    return abuse.listBlocksPg(this.#pool, since);
  }

  deleteBlock(scope: string, now: number): Promise<boolean> {
    return abuse.deleteBlockPg(this.#pool, scope, now);
  }

  async ping(): Promise<void> {
    await this.#pool.query('SELECT 1');
  }

  close(): Promise<void> {
    this.#closed ??= this.#pool.end();
    return this.#closed;
  }
}
