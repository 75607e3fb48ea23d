import type Database from 'better-sqlite3';
import type { Charge } from '../rules.ts';

/**
 * The client's daily counters (messages and spend). Taken on the write connection inside the send's
 * transaction, so the guard sees every earlier send of the day.
 */
export function usageWrites(db: Database.Database) {
  const take =
    db.prepare(`INSERT INTO usage_daily (client_id, day, messages, spend_micros) VALUES (@client, @day, 1, @cost)
    ON CONFLICT (client_id, day) DO UPDATE SET messages = messages + 1,
      spend_micros = spend_micros + excluded.spend_micros
    WHERE (@quota = 0 OR messages < @quota) AND (@budget = 0 OR spend_micros + excluded.spend_micros <= @budget)
    RETURNING messages`);
  return {
    /** Takes one message and its cost from the client's day; false (nothing taken) past the quota or budget. */
    takeCharge: (clientId: string, c: Charge): boolean =>
      take.get({ client: clientId, day: c.day, cost: c.cost, quota: c.quota, budget: c.budget }) !== undefined,
  };
}
