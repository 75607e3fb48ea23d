import type pg from 'pg';
import * as port from '../../core/ports/abuse.ts';
import type { RateTake } from '../../core/ports/rate-limiter.ts';
import * as rows from '../rows.ts';
import { gcra, rateRetrySeconds } from '../rules.ts';

// One round trip for the three reads a send-code needs, each a primary-key lookup, and the API's
// request budget when it is given ($5..$7): the statement then writes only an UNLOGGED row, so its
// commit waits for no WAL flush.
const FACTS = `
  SELECT 'rule' AS t, json_build_object('kind', kind, 'prefix', prefix, 'note', note, 'created_at', created_at) AS row
    FROM number_rules WHERE prefix = ANY($2::text[])
  UNION ALL
  SELECT 'policy', json_build_object('client_id', client_id, 'countries', countries, 'daily_messages', daily_messages,
    'daily_budget_micros', daily_budget_micros, 'updated_at', updated_at) FROM client_policies WHERE client_id = $1
  UNION ALL
  SELECT 'block', json_build_object('scope', scope, 'until', until, 'shadow', shadow, 'reason', reason, 'created_at',
    created_at, 'action', action, 'strikes', strikes, 'per_hour', per_hour)
    FROM scope_blocks WHERE scope = ANY($3::text[]) AND until > $4
  UNION ALL
  SELECT 'baseline', json_build_object('scope', scope, 'client_id', client_id, 'sent_per_hour', sent_per_hour,
    'validated_per_hour', validated_per_hour, 'updated_at', updated_at)
    FROM range_baselines WHERE scope = ANY($3::text[]) AND scope LIKE 't:%:country:%'
  UNION ALL
  SELECT 'request', json_build_object('wait_ms', otpd_take($5, $4::float8, $6, $7)) WHERE $5::text IS NOT NULL`;

const CONVERSION = `
  SELECT 'country:' || country AS scope, count(*)::int AS sent,
    (count(*) FILTER (WHERE status = 'verified'))::int AS verified
    FROM verifications WHERE expires_at >= $1 AND expires_at < $2 AND messaged = 1
      AND country IS NOT NULL GROUP BY country
  UNION ALL
  SELECT 'prefix:' || prefix, count(*)::int, (count(*) FILTER (WHERE status = 'verified'))::int
    FROM verifications WHERE expires_at >= $1 AND expires_at < $2 AND messaged = 1
      AND prefix IS NOT NULL GROUP BY prefix`;

// GREATEST keeps the later end, so replicas tripping a scope together agree. A row that had ended
// (ran out or lifted) is replaced, its creation time included.
// A throttle escalated to a block in force keeps the block's action and the higher strike count.
const PUT_BLOCK = `INSERT INTO scope_blocks (${rows.BLOCK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (scope) DO UPDATE SET until = GREATEST(scope_blocks.until, excluded.until), shadow = excluded.shadow,
  reason = excluded.reason,
  created_at = CASE WHEN scope_blocks.until > excluded.created_at THEN scope_blocks.created_at
    ELSE excluded.created_at END,
  action = CASE WHEN scope_blocks.until > excluded.created_at AND scope_blocks.action = 'block' THEN 'block'
    ELSE excluded.action END,
  strikes = CASE WHEN scope_blocks.until > excluded.created_at THEN GREATEST(scope_blocks.strikes, excluded.strikes)
    ELSE excluded.strikes END,
  per_hour = excluded.per_hour`;

const RECENT_SENDS = `SELECT client_id, country, created_at,
    CASE WHEN status = 'verified' THEN finished_at END AS verified_at, signals
  FROM verifications WHERE expires_at >= $1 AND created_at >= $1 AND created_at < $2 AND messaged = 1
    AND signals IS NOT NULL ORDER BY created_at DESC LIMIT $3`;

type FactRow = { t: 'rule' | 'policy' | 'block' | 'baseline' | 'request'; row: Record<string, unknown> };

function splitFacts(facts: readonly FactRow[]): port.AdmissionFacts {
  const rules: port.NumberRule[] = [];
  const blocks: port.ScopeBlock[] = [];
  const baselines: port.RangeBaseline[] = [];
  let policy: port.ClientPolicy | null = null;
  let wait = 0;
  for (const { t, row } of facts) {
    if (t === 'rule') rules.push(rows.toRule(row as unknown as rows.NumberRuleRow));
    else if (t === 'policy') policy = rows.toPolicy(row as unknown as rows.PolicyRow);
    else if (t === 'block') blocks.push(rows.toBlock(row as unknown as rows.BlockRow));
    else if (t === 'baseline') baselines.push(rows.toBaseline(row as unknown as rows.BaselineRow));
    else wait = row.wait_ms as number;
  }
  return { rules, policy, blocks, baselines, ...(wait > 0 ? { requestRetryAfter: rateRetrySeconds(wait) } : {}) };
}

/**
 * The abuse tables in PostgreSQL. Reads take committed rows without locks (READ COMMITTED), so a
 * change made by any replica applies to the next request; each write is one statement.
 */
export const abuse = (pool: pg.Pool) => ({
  async admissionFacts(
    clientId: string,
    e164: string,
    scopes: readonly string[],
    now: number,
    request?: RateTake,
  ): Promise<port.AdmissionFacts> {
    const g = request && gcra(request.rule);
    const res = await pool.query<FactRow>({
      name: 'otpd_admission',
      text: FACTS,
      values: [clientId, rows.prefixesOf(e164), scopes, now, request?.key ?? null, g?.interval ?? 0, g?.tolerance ?? 0],
    });
    return splitFacts(res.rows);
  },

  async putNumberRule(r: port.NumberRule): Promise<void> {
    await pool.query(
      `INSERT INTO number_rules (${rows.RULE_COLUMNS}) VALUES ($1, $2, $3, $4)
      ON CONFLICT (kind, prefix) DO UPDATE SET note = excluded.note`,
      [r.kind, r.prefix, r.note, r.createdAt],
    );
  },

  deleteNumberRule: async (kind: port.NumberRuleKind, prefix: string): Promise<boolean> =>
    (await pool.query('DELETE FROM number_rules WHERE kind = $1 AND prefix = $2', [kind, prefix])).rowCount === 1,

  listNumberRules: async (kind?: port.NumberRuleKind): Promise<port.NumberRule[]> =>
    (
      await pool.query<rows.NumberRuleRow>(
        `SELECT ${rows.RULE_COLUMNS} FROM number_rules WHERE ($1::text IS NULL OR kind = $1)
      ORDER BY kind, prefix`,
        [kind ?? null],
      )
    ).rows.map(rows.toRule),

  async getClientPolicy(clientId: string): Promise<port.ClientPolicy | null> {
    const r = await pool.query<rows.PolicyRow>(
      `SELECT ${rows.POLICY_COLUMNS} FROM client_policies WHERE client_id = $1`,
      [clientId],
    );
    return r.rows[0] ? rows.toPolicy(r.rows[0]) : null;
  },

  async putClientPolicy(c: port.ClientPolicy): Promise<void> {
    await pool.query(
      `INSERT INTO client_policies (${rows.POLICY_COLUMNS}) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (client_id) DO UPDATE SET countries = excluded.countries, daily_messages = excluded.daily_messages,
      daily_budget_micros = excluded.daily_budget_micros, updated_at = excluded.updated_at`,
      [...rows.policyValues(c)],
    );
  },

  listClientPolicies: async (): Promise<port.ClientPolicy[]> =>
    (
      await pool.query<rows.PolicyRow>(`SELECT ${rows.POLICY_COLUMNS} FROM client_policies ORDER BY client_id`)
    ).rows.map(rows.toPolicy),

  conversionStats: async (from: number, to: number): Promise<port.ConversionStat[]> =>
    (await pool.query<port.ConversionStat>({ name: 'otpd_conversion', text: CONVERSION, values: [from, to] })).rows,

  async putBlocks(blocks: readonly port.ScopeBlock[]): Promise<void> {
    for (const b of blocks) await pool.query(PUT_BLOCK, [...rows.blockValues(b)]);
  },

  recentSends: async (from: number, to: number, limit: number): Promise<port.SendFact[]> =>
    (await pool.query<rows.SendFactRow>(RECENT_SENDS, [from, to, limit])).rows.map(rows.toSendFact),

  hasVerified: async (clientId: string, phoneIndex: Buffer): Promise<boolean> =>
    (
      await pool.query(
        `SELECT 1 FROM verifications WHERE client_id = $1 AND phone_index = $2 AND status = 'verified' LIMIT 1`,
        [clientId, phoneIndex],
      )
    ).rowCount === 1,

  listBaselines: async (): Promise<port.RangeBaseline[]> =>
    (
      await pool.query<rows.BaselineRow>(`SELECT ${rows.BASELINE_COLUMNS} FROM range_baselines ORDER BY scope`)
    ).rows.map(rows.toBaseline),

  /**
   * One statement: deletes the older rows not given and upserts the given ones (disjoint rows: a
   * statement's parts must not touch one row twice).
   */
  async replaceBaselines(list: readonly port.RangeBaseline[]): Promise<void> {
    const cols = [0, 1, 2, 3, 4].map((i) => list.map((b) => rows.baselineValues(b)[i]));
    await pool.query(
      `WITH gone AS (DELETE FROM range_baselines WHERE updated_at < $6 AND NOT (scope = ANY ($1::text[])))
      INSERT INTO range_baselines (${rows.BASELINE_COLUMNS})
        SELECT * FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[], $5::bigint[])
      ON CONFLICT (scope) DO UPDATE SET sent_per_hour = excluded.sent_per_hour,
        validated_per_hour = excluded.validated_per_hour, updated_at = excluded.updated_at`,
      [...cols, list.length ? Math.min(...list.map((b) => b.updatedAt)) : Number.MAX_SAFE_INTEGER],
    );
  },

  listBlocks: async (since: number): Promise<port.ScopeBlock[]> =>
    (
      await pool.query<rows.BlockRow>(
        `SELECT ${rows.BLOCK_COLUMNS} FROM scope_blocks WHERE until > $1 ORDER BY created_at DESC, scope`,
        [since],
      )
    ).rows.map(rows.toBlock),

  /**
   * Keeps the row, ended at `now`, so that the breaker can tell an operator's decision from a block
   * that ran out. A concurrent second lift waits for the first's row lock, re-checks `until > now`
   * against the committed row and changes nothing.
   */
  deleteBlock: async (scope: string, now: number): Promise<boolean> =>
    (
      await pool.query(
        `UPDATE scope_blocks SET until = $2, reason = $3::text || ' (was: ' || reason || ')'
      WHERE scope = $1 AND until > $2`,
        [scope, now, port.LIFTED_BY_OPERATOR],
      )
    ).rowCount === 1,
});
