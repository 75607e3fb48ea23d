import type Database from 'better-sqlite3';
import type { AttemptView, MessageFilter, MessageView } from '../../core/ports/outbox.ts';
import { ATTEMPT_COLUMNS, MESSAGE_COLUMNS, toAttemptView, toMessageView, type AttemptRow, type MessageRow } from '../message-rows.ts';

/** A filter as named parameters; absent criteria are NULL and match everything. */
export function filterParams(f: MessageFilter) {
  return {
    to: f.recipient ?? null, status: f.status ?? null, gateway: f.gateway ?? null, since: f.since ?? null, until: f.until ?? null,
    before: f.before !== undefined ? Number(f.before) : null, limit: f.limit,
  };
}

export function outboxReads(db: Database.Database) {
  // Operator listings walk back from the newest row (no index by recipient: it would cost every
  // send a random index page); the time bounds use the created_at index.
  const list = db.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages
    WHERE (@to IS NULL OR recipient = @to) AND (@status IS NULL OR status = @status) AND (@gateway IS NULL OR gateway = @gateway)
      AND (@since IS NULL OR created_at >= @since) AND (@until IS NULL OR created_at < @until) AND (@before IS NULL OR seq < @before)
    ORDER BY seq DESC LIMIT @limit`);
  const attempts = db.prepare(`SELECT ${ATTEMPT_COLUMNS} FROM message_attempts
    WHERE message_seq IN (SELECT value FROM json_each(?)) ORDER BY message_seq, attempt`);
  return {
    listMessages: (f: MessageFilter): MessageView[] => (list.all(filterParams(f)) as MessageRow[]).map(toMessageView),
    listAttempts: (ids: readonly string[]): AttemptView[] =>
      (attempts.all(JSON.stringify(ids.map(Number))) as AttemptRow[]).map(toAttemptView),
  };
}
