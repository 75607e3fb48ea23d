import type { ClientPolicy, NumberRule, ScopeBlock } from '../core/ports/abuse.ts';

/** Rows of the abuse tables as both SQL stores return them, and their port views. */
export interface NumberRuleRow { kind: NumberRule['kind']; prefix: string; note: string | null; created_at: number }
export interface PolicyRow { client_id: string; countries: string | null; daily_messages: number | null; daily_budget_micros: number | null; updated_at: number }
export interface BlockRow { scope: string; until: number; shadow: boolean | number; reason: string; created_at: number }

export const toRule = (r: NumberRuleRow): NumberRule => ({ kind: r.kind, prefix: r.prefix, note: r.note, createdAt: r.created_at });
export const toPolicy = (r: PolicyRow): ClientPolicy => ({
  clientId: r.client_id,
  countries: r.countries ? (JSON.parse(r.countries) as ClientPolicy['countries']) : null,
  dailyMessages: r.daily_messages, dailyBudgetMicros: r.daily_budget_micros, updatedAt: r.updated_at,
});
export const toBlock = (r: BlockRow): ScopeBlock => ({ scope: r.scope, until: r.until, shadow: Boolean(r.shadow), reason: r.reason, createdAt: r.created_at });

/** Every prefix of a number, itself included: rules are looked up by primary key, not scanned. */
export function prefixesOf(e164: string): string[] {
  const out: string[] = [];
  for (let i = 2; i <= e164.length; i++) out.push(e164.slice(0, i));
  return out;
}
