import type Database from 'better-sqlite3';
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

/** The abuse tables' writes, on the one write connection (see writes.ts). */
export function abuseWrites(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  const q = {
    putRule: p(
      `INSERT INTO number_rules (${RULE_COLUMNS}) VALUES (?, ?, ?, ?) ON CONFLICT (kind, prefix) DO UPDATE
        SET note = excluded.note`,
    ),
    deleteRule: p('DELETE FROM number_rules WHERE kind = ? AND prefix = ?'),
    putPolicy: p(`INSERT INTO client_policies (${POLICY_COLUMNS}) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (client_id) DO UPDATE SET countries = excluded.countries, daily_messages = excluded.daily_messages,
      daily_budget_micros = excluded.daily_budget_micros, updated_at = excluded.updated_at`),
    // The later end wins; a row that had ended (ran out or lifted) is replaced, its creation time included.
    putBlock: p(`INSERT INTO scope_blocks (${BLOCK_COLUMNS}) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (scope) DO UPDATE SET until = max(until, excluded.until), shadow = excluded.shadow,
        reason = excluded.reason,
      created_at = CASE WHEN until > excluded.created_at THEN created_at ELSE excluded.created_at END`),
    // The row stays, ended now, so that the breaker can tell an operator's decision from a block that ran out.
    liftBlock: p(`UPDATE scope_blocks SET until = @now, reason = @lifted || ' (was: ' || reason || ')'
      WHERE scope = @scope AND until > @now`),
  };
  return {
    putNumberRule: (r: NumberRule): void => void q.putRule.run(r.kind, r.prefix, r.note, r.createdAt),
    deleteNumberRule: (kind: NumberRuleKind, prefix: string): boolean => q.deleteRule.run(kind, prefix).changes === 1,
    putClientPolicy: (c: ClientPolicy): void => void q.putPolicy.run(...policyValues(c)),
    putBlocks(blocks: readonly ScopeBlock[]): void {
      for (const b of blocks) q.putBlock.run(b.scope, b.until, b.shadow ? 1 : 0, b.reason, b.createdAt);
    },
    deleteBlock: (scope: string, now: number): boolean =>
      q.liftBlock.run({ scope, now, lifted: LIFTED_BY_OPERATOR }).changes === 1,
  };
}

/** The abuse tables' reads, on a read connection: committed state, no lock. */
export function abuseReads(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  const q = {
    matchRules: p(`SELECT ${RULE_COLUMNS} FROM number_rules WHERE prefix IN (SELECT value FROM json_each(?))`),
    policy: p(`SELECT ${POLICY_COLUMNS} FROM client_policies WHERE client_id = ?`),
    activeBlocks: p(
      `SELECT ${BLOCK_COLUMNS} FROM scope_blocks WHERE scope IN (SELECT value FROM json_each(?)) AND until > ?`,
    ),
    listRules: p(
      `SELECT ${RULE_COLUMNS} FROM number_rules WHERE (@kind IS NULL OR kind = @kind) ORDER BY kind, prefix`,
    ),
    listPolicies: p(`SELECT ${POLICY_COLUMNS} FROM client_policies ORDER BY client_id`),
    listBlocks: p(`SELECT ${BLOCK_COLUMNS} FROM scope_blocks WHERE until > ? ORDER BY created_at DESC, scope`),
    stats: p(`
      SELECT 'country:' || country AS scope, count(*) AS sent, sum(status = 'verified') AS verified FROM verifications
        WHERE expires_at >= @from AND expires_at < @to AND messaged = 1 AND country IS NOT NULL GROUP BY country
      UNION ALL
      SELECT 'prefix:' || prefix, count(*), sum(status = 'verified') FROM verifications
        WHERE expires_at >= @from AND expires_at < @to AND messaged = 1 AND prefix IS NOT NULL GROUP BY prefix`),
  };
  const getPolicy = (clientId: string): ClientPolicy | null => {
    const r = q.policy.get(clientId) as PolicyRow | undefined;
    return r ? toPolicy(r) : null;
  };
  return {
    admissionFacts: (clientId: string, e164: string, scopes: readonly string[], now: number): AdmissionFacts => ({
      rules: (q.matchRules.all(JSON.stringify(prefixesOf(e164))) as NumberRuleRow[]).map(toRule),
      policy: getPolicy(clientId),
      blocks: (q.activeBlocks.all(JSON.stringify(scopes), now) as BlockRow[]).map(toBlock),
    }),
    listNumberRules: (kind?: NumberRuleKind): NumberRule[] =>
      (q.listRules.all({ kind: kind ?? null }) as NumberRuleRow[]).map(toRule),
    getClientPolicy: getPolicy,
    listClientPolicies: (): ClientPolicy[] => (q.listPolicies.all() as PolicyRow[]).map(toPolicy),
    conversionStats: (from: number, to: number): ConversionStat[] => q.stats.all({ from, to }) as ConversionStat[],
    listBlocks: (since: number): ScopeBlock[] => (q.listBlocks.all(since) as BlockRow[]).map(toBlock),
  };
}
