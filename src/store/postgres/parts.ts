/**
 * Messages sent as several parts, each with its own provider id and receipt (SMPP): see
 * MESSAGE_PARTS_SCHEMA. Run inside the transactions of completeAttempts and recordReceipt, after
 * their (gateway, provider id) locks; the message row lock then serialises the receipts of one
 * message's parts, so the last one to arrive always sees the others.
 */
import type pg from 'pg';
import type * as port from '../../core/ports/outbox.ts';
import { partsStatus, type PartReceipt } from '../rules.ts';

export const isMultipart = (r: port.AttemptRecord): boolean => r.outcome === 'sent' && (r.partIds?.length ?? 0) > 1;

/** Every part's id of the sent multi-part records: their locks, so no receipt slips in between. */
export const partIdsOf = (records: readonly port.AttemptRecord[]): { gateway: string; id: string }[] =>
  records.filter(isMultipart).flatMap((r) => r.partIds!.map((id) => ({ gateway: r.gateway, id })));

/** Records the parts of the multi-part records just completed, and sets each message's status from them. */
export async function recordParts(c: pg.PoolClient, records: readonly port.AttemptRecord[]): Promise<void> {
  const multi = records.filter(isMultipart);
  if (multi.length === 0) return;
  const cols: [string[], string[], number[], number[]] = [[], [], [], []];
  for (const r of multi)
    r.partIds!.forEach((id, i) => {
      cols[0].push(r.gateway);
      cols[1].push(id);
      cols[2].push(Number(r.messageId));
      cols[3].push(i + 1);
    });
  await c.query({
    name: 'otpd_insert_parts',
    text: `INSERT INTO message_parts (gateway, provider_message_id, message_seq, part)
      SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::int[]) ON CONFLICT DO NOTHING`,
    values: cols,
  });
  for (const r of multi) await applyParts(c, Number(r.messageId), r.finishedAt);
}

/**
 * Records a receipt for a part of a multi-part message and moves the message on; undefined when
 * the provider id is no such part (a single-part message: the caller's own statement applies).
 */
export async function recordPartReceipt(
  c: pg.PoolClient,
  r: port.DeliveryReceipt,
): Promise<'recorded' | 'duplicate' | undefined> {
  const part = await c.query<{ seq: string }>({
    name: 'otpd_part_of',
    text: `SELECT m.seq FROM message_parts p JOIN messages m ON m.seq = p.message_seq
      WHERE p.gateway = $1 AND p.provider_message_id = $2 FOR UPDATE OF m`,
    values: [r.gateway, r.providerMessageId],
  });
  if (part.rows.length === 0) return undefined;
  const inserted = await c.query({
    name: 'otpd_part_receipt',
    text: `INSERT INTO message_receipts (gateway, provider_message_id, status, error, received_at)
      VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
    values: [r.gateway, r.providerMessageId, r.status, r.error ?? null, r.at],
  });
  if (inserted.rowCount === 0) return 'duplicate';
  await applyParts(c, Number(part.rows[0]!.seq), r.at);
  return 'recorded';
}

/** Only a sent (or, from its first part alone, delivered) message moves: a final one stays. */
async function applyParts(c: pg.PoolClient, seq: number, at: number): Promise<void> {
  const parts = await c.query<PartReceipt>({
    name: 'otpd_part_receipts',
    text: `SELECT r.status, r.error FROM message_parts p LEFT JOIN message_receipts r
      ON r.gateway = p.gateway AND r.provider_message_id = p.provider_message_id WHERE p.message_seq = $1`,
    values: [seq],
  });
  const { status, error } = partsStatus(parts.rows);
  await c.query({
    name: 'otpd_parts_status',
    text: `UPDATE messages SET status = $2, last_error = COALESCE($3, last_error), updated_at = $4
      WHERE seq = $1 AND status IN ('sent', 'delivered')`,
    values: [seq, status, error, at],
  });
}
