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
    // A throttle escalated to a block in force keeps the block's action and the higher strike count.
    putBlock: p(`INSERT INTO scope_blocks (${rows.BLOCK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (scope) DO UPDATE SET until = max(until, excluded.until), shadow = excluded.shadow,
        reason = excluded.reason,
      created_at = CASE WHEN until > excluded.created_at THEN created_at ELSE excluded.created_at END,
      action = CASE WHEN until > excluded.created_at AND action = 'block' THEN 'block' ELSE excluded.action END,
      strikes = CASE WHEN until > excluded.created_at THEN max(strikes, excluded.strikes) ELSE excluded.strikes END,
      per_hour = excluded.per_hour`),
    putBaseline: p(`INSERT INTO range_baselines (${rows.BASELINE_COLUMNS}) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (scope) DO UPDATE SET sent_per_hour = excluded.sent_per_hour,
        validated_per_hour = excluded.validated_per_hour, updated_at = excluded.updated_at`),
    staleBaselines: p('DELETE FROM range_baselines WHERE updated_at < ?'),
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
      for (const b of blocks) {
        const v = rows.blockValues(b);
        q.putBlock.run(v[0], v[1], v[2] ? 1 : 0, ...v.slice(3));
      }
    },
    /** Every row given carries the same (newest) `updatedAt`; rows not given are older, and go. */
    replaceBaselines(list: readonly port.RangeBaseline[]): void {
      for (const b of list) q.putBaseline.run(...rows.baselineValues(b));
      q.staleBaselines.run(list.length ? Math.min(...list.map((b) => b.updatedAt)) : Number.MAX_SAFE_INTEGER);
    },
    deleteBlock: (scope: string, now: number): boolean =>
      q.liftBlock.run({ scope, now, lifted: port.LIFTED_BY_OPERATOR }).changes === 1,
  };
}

/** The abuse tables as one process holds them, valid while the epoch has not moved. */
interface AbuseSnapshot {
  readonly epoch: number;
  readonly rules: ReadonlyMap<string, port.NumberRule[]>;
  readonly policies: ReadonlyMap<string, port.ClientPolicy>;
  /** Blocks in force when the snapshot was taken; each is checked against `now` when read. */
  readonly blocks: ReadonlyMap<string, port.ScopeBlock>;
  /** The range guard's countries' baselines (a few per tenant), by scope. */
  readonly baselines: ReadonlyMap<string, port.RangeBaseline>;
}

/**
 * The abuse facts of a send, from memory: the three small tables are re-read (in one read
 * transaction, so they agree with the epoch read with them) only when a write anywhere, this
 * process's or the CLI's, has moved the epoch. A change still applies to the very next send.
 */
function admissionFactsReader(db: Database.Database) {
  const epoch = db.prepare('SELECT n FROM abuse_epoch').pluck();
  const allRules = db.prepare(`SELECT ${rows.RULE_COLUMNS} FROM number_rules`);
  const allPolicies = db.prepare(`SELECT ${rows.POLICY_COLUMNS} FROM client_policies`);
  const liveBlocks = db.prepare(`SELECT ${rows.BLOCK_COLUMNS} FROM scope_blocks WHERE until > ?`);
  const countryBaselines = db.prepare(
    `SELECT ${rows.BASELINE_COLUMNS} FROM range_baselines WHERE scope LIKE 't:%' AND scope GLOB '*:country:*'`,
  );
  const load = db.transaction((now: number): AbuseSnapshot => {
    const rules = new Map<string, port.NumberRule[]>();
    for (const r of (allRules.all() as rows.NumberRuleRow[]).map(rows.toRule))
      rules.set(r.prefix, [...(rules.get(r.prefix) ?? []), r]);
    const policies = new Map((allPolicies.all() as rows.PolicyRow[]).map((r) => [r.client_id, rows.toPolicy(r)]));
    const blocks = new Map((liveBlocks.all(now) as rows.BlockRow[]).map((r) => [r.scope, rows.toBlock(r)]));
    const baselines = new Map((countryBaselines.all() as rows.BaselineRow[]).map((r) => [r.scope, rows.toBaseline(r)]));
    return { epoch: epoch.get() as number, rules, policies, blocks, baselines };
  });
  let snapshot: AbuseSnapshot | undefined;
  return (clientId: string, e164: string, scopes: readonly string[], now: number): port.AdmissionFacts => {
    const s = snapshot !== undefined && snapshot.epoch === epoch.get() ? snapshot : load(now);
    snapshot = s;
    return {
      rules: rows.prefixesOf(e164).flatMap((p) => s.rules.get(p) ?? []),
      policy: s.policies.get(clientId) ?? null,
      blocks: scopes.flatMap((scope) => {
        const b = s.blocks.get(scope);
        return b && b.until > now ? [b] : [];
      }),
      baselines: scopes.flatMap((scope) => s.baselines.get(scope) ?? []),
    };
  };
}

/** The abuse tables' reads, on a read connection: committed state, no lock. */
export function abuseReads(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  const q = {
    policy: p(`SELECT ${rows.POLICY_COLUMNS} FROM client_policies WHERE client_id = ?`),
    listRules: p(
      `SELECT ${rows.RULE_COLUMNS} FROM number_rules WHERE (@kind IS NULL OR kind = @kind) ORDER BY kind, prefix`,
    ),
    listPolicies: p(`SELECT ${rows.POLICY_COLUMNS} FROM client_policies ORDER BY client_id`),
    listBlocks: p(`SELECT ${rows.BLOCK_COLUMNS} FROM scope_blocks WHERE until > ? ORDER BY created_at DESC, scope`),
    recentSends:
      p(`SELECT client_id, country, created_at, CASE WHEN status = 'verified' THEN finished_at END AS verified_at,
      signals FROM verifications WHERE expires_at >= @from AND created_at >= @from AND created_at < @to AND messaged = 1
      AND signals IS NOT NULL ORDER BY created_at DESC LIMIT @limit`),
    hasVerified: p(`SELECT 1 FROM verifications WHERE client_id = ? AND phone_index = ? AND status = 'verified'
      LIMIT 1`).pluck(),
    baselines: p(`SELECT ${rows.BASELINE_COLUMNS} FROM range_baselines ORDER BY scope`),
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
    admissionFacts: admissionFactsReader(db),
    listNumberRules: (kind?: port.NumberRuleKind): port.NumberRule[] =>
      (q.listRules.all({ kind: kind ?? null }) as rows.NumberRuleRow[]).map(rows.toRule),
    getClientPolicy: getPolicy,
    listClientPolicies: (): port.ClientPolicy[] => (q.listPolicies.all() as rows.PolicyRow[]).map(rows.toPolicy),
    conversionStats: (from: number, to: number): port.ConversionStat[] =>
      q.stats.all({ from, to }) as port.ConversionStat[],
    listBlocks: (since: number): port.ScopeBlock[] => (q.listBlocks.all(since) as rows.BlockRow[]).map(rows.toBlock),
    recentSends: (from: number, to: number, limit: number): port.SendFact[] =>
      (q.recentSends.all({ from, to, limit }) as rows.SendFactRow[]).map(rows.toSendFact),
    hasVerified: (clientId: string, phoneIndex: Buffer): boolean => q.hasVerified.get(clientId, phoneIndex) === 1,
    listBaselines: (): port.RangeBaseline[] => (q.baselines.all() as rows.BaselineRow[]).map(rows.toBaseline),
  };
}
