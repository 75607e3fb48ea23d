/**
 * The client's daily counters (messages and spend), taken as the last part of the send's one write
 * statement (see verifications.ts): the quota row is the one row all of a client's sends share,
 * so its lock is then held only until the COMMIT that follows. ON CONFLICT DO UPDATE locks the row
 * and evaluates the guard on its latest committed version, so parallel sends from every replica
 * never take past the quota or the budget.
 *
 * Parameters: $1 client, $2 day, $3 cost, $4 quota (0: unlimited), $5 budget (0: unlimited); a
 * caller with other numbering passes its own placeholders.
 */
export function takeChargeCte(p = { client: '$1', day: '$2', cost: '$3', quota: '$4', budget: '$5' }): string {
  const quota = `${p.quota}::int`;
  const budget = `${p.budget}::bigint`;
  return `
    INSERT INTO usage_daily (client_id, day, messages, spend_micros) SELECT ${p.client}, ${p.day}, 1, ${p.cost}::bigint
    WHERE ${quota} > 0 OR ${budget} > 0
    ON CONFLICT (client_id, day) DO UPDATE
      SET messages = usage_daily.messages + 1, spend_micros = usage_daily.spend_micros + excluded.spend_micros
    WHERE (${quota} = 0 OR usage_daily.messages < ${quota})
      AND (${budget} = 0 OR usage_daily.spend_micros + excluded.spend_micros <= ${budget})
    RETURNING 1`;
}
