import type pg from 'pg';
import {
  LIFTED_BY_OPERATOR,
  type AdmissionFacts,
  type ClientPolicy,
  type ConversionStat,
  type NumberRule,
  type NumberRuleKind,
  type ScopeBlock,
} from '../../core/ports/abuse.ts';
import {
  BLOCK_COLUMNS,
  POLICY_COLUMNS,
  RULE_COLUMNS,
  policyValues,
  prefixesOf,
  toBlock,
  toPolicy,
  toRule,
  type BlockRow,
  type NumberRuleRow,
  type PolicyRow,
} from '../rows.ts';

// One round trip for the three reads a send-code needs; each is a primary-key lookup.
const FACTS = `
  SELECT 'rule' AS t, json_build_object('kind', kind, 'prefix', prefix, 'note', note, 'created_at', created_at) AS row
    FROM number_rules WHERE prefix = ANY($2::text[])
  UNION ALL
  SELECT 'policy', json_build_object('client_id', client_id, 'countries', countries, 'daily_messages', daily_messages,
    'daily_budget_micros', daily_budget_micros, 'updated_at', updated_at) FROM client_policies WHERE client_id = $1
  UNION ALL
  SELECT 'block', json_build_object('scope', scope, 'until', until, 'shadow', shadow, 'reason', reason, 'created_at',
    created_at)
    FROM scope_blocks WHERE scope = ANY($3::text[]) AND until > $4`;

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
const PUT_BLOCK = `INSERT INTO scope_blocks (${BLOCK_COLUMNS}) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (scope) DO UPDATE SET until = GREATEST(scope_blocks.until, excluded.until), shadow = excluded.shadow,
  reason = excluded.reason,
  created_at = CASE WHEN scope_blocks.until > excluded.created_at THEN scope_blocks.created_at
    ELSE excluded.created_at END`;

function splitFacts(rows: readonly { t: 'rule' | 'policy' | 'block'; row: Record<string, unknown> }[]): AdmissionFacts {
  const rules: NumberRule[] = [];
  const blocks: ScopeBlock[] = [];
  let policy: ClientPolicy | null = null;
  for (const { t, row } of rows) {
    if (t === 'rule') rules.push(toRule(row as unknown as NumberRuleRow));
    else if (t === 'policy') policy = toPolicy(row as unknown as PolicyRow);
    else blocks.push(toBlock(row as unknown as BlockRow));
  }
  return { rules, policy, blocks };
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
  ): Promise<AdmissionFacts> {
    const res = await pool.query<{ t: 'rule' | 'policy' | 'block'; row: Record<string, unknown> }>({
      name: 'otpd_admission',
      text: FACTS,
      values: [clientId, prefixesOf(e164), scopes, now],
    });
    return splitFacts(res.rows);
  },

  async putNumberRule(r: NumberRule): Promise<void> {
    await pool.query(
      `INSERT INTO number_rules (${RULE_COLUMNS}) VALUES ($1, $2, $3, $4)
      ON CONFLICT (kind, prefix) DO UPDATE SET note = excluded.note`,
      [r.kind, r.prefix, r.note, r.createdAt],
    );
  },

  deleteNumberRule: async (kind: NumberRuleKind, prefix: string): Promise<boolean> =>
    (await pool.query('DELETE FROM number_rules WHERE kind = $1 AND prefix = $2', [kind, prefix])).rowCount === 1,

  listNumberRules: async (kind?: NumberRuleKind): Promise<NumberRule[]> =>
    (
      await pool.query<NumberRuleRow>(
        `SELECT ${RULE_COLUMNS} FROM number_rules WHERE ($1::text IS NULL OR kind = $1)
      ORDER BY kind, prefix`,
        [kind ?? null],
      )
    ).rows.map(toRule),

  async getClientPolicy(clientId: string): Promise<ClientPolicy | null> {
    const r = await pool.query<PolicyRow>(`SELECT ${POLICY_COLUMNS} FROM client_policies WHERE client_id = $1`, [
      clientId,
    ]);
    return r.rows[0] ? toPolicy(r.rows[0]) : null;
  },

  async putClientPolicy(c: ClientPolicy): Promise<void> {
    await pool.query(
      `INSERT INTO client_policies (${POLICY_COLUMNS}) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (client_id) DO UPDATE SET countries = excluded.countries, daily_messages = excluded.daily_messages,
      daily_budget_micros = excluded.daily_budget_micros, updated_at = excluded.updated_at`,
      [...policyValues(c)],
    );
  },

  listClientPolicies: async (): Promise<ClientPolicy[]> =>
    (await pool.query<PolicyRow>(`SELECT ${POLICY_COLUMNS} FROM client_policies ORDER BY client_id`)).rows.map(
      toPolicy,
    ),

  conversionStats: async (from: number, to: number): Promise<ConversionStat[]> =>
    (await pool.query<ConversionStat>({ name: 'otpd_conversion', text: CONVERSION, values: [from, to] })).rows,

  async putBlocks(blocks: readonly ScopeBlock[]): Promise<void> {
    for (const b of blocks) await pool.query(PUT_BLOCK, [b.scope, b.until, b.shadow, b.reason, b.createdAt]);
  },

  listBlocks: async (since: number): Promise<ScopeBlock[]> =>
    (
      await pool.query<BlockRow>(
        `SELECT ${BLOCK_COLUMNS} FROM scope_blocks WHERE until > $1 ORDER BY created_at DESC, scope`,
        [since],
      )
    ).rows.map(toBlock),

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
        [scope, now, LIFTED_BY_OPERATOR],
      )
    ).rowCount === 1,
});
