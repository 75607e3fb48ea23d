import type { AttemptView, MessageView } from '../core/ports/outbox.ts';

/** Message and attempt rows as both SQL stores return them, and their views. */
export interface MessageRow {
  seq: number;
  channel: MessageView['channel'];
  recipient: string;
  status: MessageView['status'];
  attempts: number;
  segments: number;
  gateway: string | null;
  provider_message_id: string | null;
  created_at: number;
  updated_at: number;
  last_error: string | null;
}

export interface AttemptRow {
  message_seq: number;
  attempt: number;
  gateway: string;
  started_at: number;
  finished_at: number;
  outcome: AttemptView['outcome'];
  provider_message_id: string | null;
  error: string | null;
  segments: number | null;
}

export const MESSAGE_COLUMNS = 'seq, channel, recipient, status, attempts, segments, gateway, provider_message_id, created_at, updated_at, last_error';
export const ATTEMPT_COLUMNS = 'message_seq, attempt, gateway, started_at, finished_at, outcome, provider_message_id, error, segments';

/** Shared by both SQL stores: a message row as the port's view (never the body). */
export function toMessageView(r: MessageRow): MessageView {
  return {
    id: String(r.seq), channel: r.channel, recipient: r.recipient, status: r.status, attempts: r.attempts, segments: r.segments,
    gateway: r.gateway, providerMessageId: r.provider_message_id, createdAt: r.created_at, updatedAt: r.updated_at, lastError: r.last_error,
  };
}

export function toAttemptView(r: AttemptRow): AttemptView {
  return {
    messageId: String(r.message_seq), attempt: r.attempt, gateway: r.gateway, startedAt: r.started_at, finishedAt: r.finished_at,
    outcome: r.outcome, providerMessageId: r.provider_message_id, error: r.error, segments: r.segments,
  };
}

