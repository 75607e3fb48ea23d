import type Database from 'better-sqlite3';
import { LIFTED_BY_OPERATOR, type AdmissionFacts, type ClientPolicy, type ConversionStat, type NumberRule, type NumberRuleKind, type ScopeBlock } from '../../core/ports/abuse.ts';
import { prefixesOf, toBlock, toPolicy, toRule, type BlockRow, type NumberRuleRow, type PolicyRow } from '../abuse-rows.ts';

/** The abuse tables' writes, run on the one write connection (see SqliteWriter). */
export function abuseWrites(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  const q = {
    putRule: p(`INSERT INTO number_rules (kind, prefix, note, created_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (kind, prefix) DO UPDATE SET note = excluded.note`),
    deleteRule: p('DELETE FROM number_rules WHERE kind = ? AND prefix = ?'),
    putPolicy: p(`INSERT INTO client_policies (client_id, countries, daily_messages, daily_budget_micros, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (client_id) DO UPDATE SET countries = excluded.countries, daily_messages = excluded.daily_messages,
      daily_budget_micros = excluded.daily_budget_micros, updated_at = excluded.updated_at`),
    putBlock: p(`INSERT INTO scope_blocks (scope, until, shadow, reason, created_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (scope) DO UPDATE SET until = max(until, excluded.until), shadow = excluded.shadow, reason = excluded.reason,
      created_at = CASE WHEN until > excluded.created_at THEN created_at ELSE excluded.created_at END`),
    // The row stays, ended now, so that the breaker can tell an operator's decision from a block that ran out.
    liftBlock: p(`UPDATE scope_blocks SET until = @now, reason = @lifted || ' (was: ' || reason || ')' WHERE scope = @scope AND until > @now`),
  };
  return {
    putNumberRule: (r: NumberRule) => void q.putRule.run(r.kind, r.prefix, r.note, r.createdAt),
    deleteNumberRule: (kind: NumberRuleKind, prefix: string) => q.deleteRule.run(kind, prefix).changes === 1,
    putClientPolicy: (c: ClientPolicy) =>
      void q.putPolicy.run(c.clientId, c.countries ? JSON.stringify(c.countries) : null, c.dailyMessages, c.dailyBudgetMicros, c.updatedAt),
    putBlocks: (blocks: readonly ScopeBlock[]) => {
      for (const b of blocks) q.putBlock.run(b.scope, b.until, b.shadow ? 1 : 0, b.reason, b.createdAt);
    },
    deleteBlock: (scope: string, now: number) => q.liftBlock.run({ scope, now, lifted: LIFTED_BY_OPERATOR }).changes === 1,
  };
}

/** The abuse tables' reads, on a read connection: committed state, no lock. */
export function abuseReads(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  const q = {
    matchRules: p('SELECT kind, prefix, note, created_at FROM number_rules WHERE prefix IN (SELECT value FROM json_each(?))'),
    policy: p('SELECT client_id, countries, daily_messages, daily_budget_micros, updated_at FROM client_policies WHERE client_id = ?'),
    activeBlocks: p('SELECT scope, until, shadow, reason, created_at FROM scope_blocks WHERE scope IN (SELECT value FROM json_each(?)) AND until > ?'),
    listRules: p('SELECT kind, prefix, note, created_at FROM number_rules WHERE (@kind IS NULL OR kind = @kind) ORDER BY kind, prefix'),
    listPolicies: p('SELECT client_id, countries, daily_messages, daily_budget_micros, updated_at FROM client_policies ORDER BY client_id'),
    listBlocks: p('SELECT scope, until, shadow, reason, created_at FROM scope_blocks WHERE until > ? ORDER BY created_at DESC, scope'),
    stats: p(`
      SELECT 'country:' || country AS scope, count(*) AS sent, sum(status = 'verified') AS verified FROM verifications
        WHERE expires_at >= @from AND expires_at < @to AND messaged = 1 AND country IS NOT NULL GROUP BY country
      UNION ALL
      SELECT 'prefix:' || prefix, count(*), sum(status = 'verified') FROM verifications
        WHERE expires_at >= @from AND expires_at < @to AND messaged = 1 AND prefix IS NOT NULL GROUP BY prefix`),
  };
  return {
    admissionFacts(clientId: string, e164: string, scopes: readonly string[], now: number): AdmissionFacts {
      const policy = q.policy.get(clientId) as PolicyRow | undefined;
      return {
        rules: (q.matchRules.all(JSON.stringify(prefixesOf(e164))) as NumberRuleRow[]).map(toRule),
        policy: policy ? toPolicy(policy) : null,
        blocks: (q.activeBlocks.all(JSON.stringify(scopes), now) as BlockRow[]).map(toBlock),
      };
    },
    listNumberRules: (kind?: NumberRuleKind) => (q.listRules.all({ kind: kind ?? null }) as NumberRuleRow[]).map(toRule),
    getClientPolicy: (clientId: string) => {
      const r = q.policy.get(clientId) as PolicyRow | undefined;
      return r ? toPolicy(r) : null;
    },
    listClientPolicies: () => (q.listPolicies.all() as PolicyRow[]).map(toPolicy),
    conversionStats: (from: number, to: number) => q.stats.all({ from, to }) as ConversionStat[],
    listBlocks: (since: number) => (q.listBlocks.all(since) as BlockRow[]).map(toBlock),
  };
}
