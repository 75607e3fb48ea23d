import type Database from 'better-sqlite3';
import * as port from '../../core/ports/abuse.ts';
import * as rows from '../rows.ts';

/** The abuse tables' writes, on the one write connection (see writes.ts). */
export function abuseWrites(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  const q = {
    putRule: p(
      `INSERT INTO number_rules (${rows.RULE_COLUMNS}) VALUES (?, ?, ?, ?) ON CONFLICT (kind, prefix) DO UPDATE
        SET note = excluded.note`,
    ),
    deleteRule: p('DELETE FROM number_rules WHERE kind = ? AND prefix = ?'),
    putPolicy: p(`INSERT INTO client_policies (${rows.POLICY_COLUMNS}) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (client_id) DO UPDATE SET countries = excluded.countries, daily_messages = excluded.daily_messages,
      daily_budget_micros = excluded.daily_budget_micros, updated_at = excluded.updated_at`),
    // The later end wins; a row that had ended (ran out or lifted) is replaced, its creation time included.
    putBlock: p(`INSERT INTO scope_blocks (${rows.BLOCK_COLUMNS}) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (scope) DO UPDATE SET until = max(until, excluded.until), shadow = excluded.shadow,
        reason = excluded.reason,
      created_at = CASE WHEN until > excluded.created_at THEN created_at ELSE excluded.created_at END`),
    // The row stays, ended now, so that the breaker can tell an operator's decision from a block that ran out.
    liftBlock: p(`UPDATE scope_blocks SET until = @now, reason = @lifted || ' (was: ' || reason || ')'
      WHERE scope = @scope AND until > @now`),
  };
  return {
    putNumberRule: (r: port.NumberRule): void => void q.putRule.run(r.kind, r.prefix, r.note, r.createdAt),
    deleteNumberRule: (kind: port.NumberRuleKind, prefix: string): boolean =>
      q.deleteRule.run(kind, prefix).changes === 1,
    putClientPolicy: (c: port.ClientPolicy): void => void q.putPolicy.run(...rows.policyValues(c)),
    putBlocks(blocks: readonly port.ScopeBlock[]): void {
      for (const b of blocks) q.putBlock.run(b.scope, b.until, b.shadow ? 1 : 0, b.reason, b.createdAt);
    },
    deleteBlock: (scope: string, now: number): boolean =>
      q.liftBlock.run({ scope, now, lifted: port.LIFTED_BY_OPERATOR }).changes === 1,
  };
}

/** The abuse tables' reads, on a read connection: committed state, no lock. */
export function abuseReads(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  const q = {
    matchRules: p(`SELECT ${rows.RULE_COLUMNS} FROM number_rules WHERE prefix IN (SELECT value FROM json_each(?))`),
    policy: p(`SELECT ${rows.POLICY_COLUMNS} FROM client_policies WHERE client_id = ?`),
    activeBlocks: p(
      `SELECT ${rows.BLOCK_COLUMNS} FROM scope_blocks WHERE scope IN (SELECT value FROM json_each(?)) AND until > ?`,
    ),
    listRules: p(
      `SELECT ${rows.RULE_COLUMNS} FROM number_rules WHERE (@kind IS NULL OR kind = @kind) ORDER BY kind, prefix`,
    ),
    listPolicies: p(`SELECT ${rows.POLICY_COLUMNS} FROM client_policies ORDER BY client_id`),
    listBlocks: p(`SELECT ${rows.BLOCK_COLUMNS} FROM scope_blocks WHERE until > ? ORDER BY created_at DESC, scope`),
    stats: p(`
      SELECT 'country:' || country AS scope, count(*) AS sent, sum(status = 'verified') AS verified FROM verifications
        WHERE expires_at >= @from AND expires_at < @to AND messaged = 1 AND country IS NOT NULL GROUP BY country
      UNION ALL
      SELECT 'prefix:' || prefix, count(*), sum(status = 'verified') FROM verifications
        WHERE expires_at >= @from AND expires_at < @to AND messaged = 1 AND prefix IS NOT NULL GROUP BY prefix`),
  };
  const getPolicy = (clientId: string): port.ClientPolicy | null => {
    const r = q.policy.get(clientId) as rows.PolicyRow | undefined;
    return r ? rows.toPolicy(r) : null;
  };
  return {
    admissionFacts: (clientId: string, e164: string, scopes: readonly string[], now: number): port.AdmissionFacts => ({
      rules: (q.matchRules.all(JSON.stringify(rows.prefixesOf(e164))) as rows.NumberRuleRow[]).map(rows.toRule),
      policy: getPolicy(clientId),
      blocks: (q.activeBlocks.all(JSON.stringify(scopes), now) as rows.BlockRow[]).map(rows.toBlock),
    }),
    listNumberRules: (kind?: port.NumberRuleKind): port.NumberRule[] =>
      (q.listRules.all({ kind: kind ?? null }) as rows.NumberRuleRow[]).map(rows.toRule),
    getClientPolicy: getPolicy,
    listClientPolicies: (): port.ClientPolicy[] => (q.listPolicies.all() as rows.PolicyRow[]).map(rows.toPolicy),
    conversionStats: (from: number, to: number): port.ConversionStat[] =>
      q.stats.all({ from, to }) as port.ConversionStat[],
    listBlocks: (since: number): port.ScopeBlock[] => (q.listBlocks.all(since) as rows.BlockRow[]).map(rows.toBlock),
  };
}
