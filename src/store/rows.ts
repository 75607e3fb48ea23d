/**
 * Rows as both SQL stores return them (snake_case columns, epoch-ms times) and the port's views of
 * them: one mapping per table, so the two stores cannot disagree on what a row means.
 */
import { isChannel } from '../core/channel.ts';
import type {
  ClientPolicy,
  NumberRule,
  RangeBaseline,
  ScopeBlock,
  SendFact,
  SendSignals,
} from '../core/ports/abuse.ts';
import type { AttemptView, MessageView } from '../core/ports/outbox.ts';
import type { ApiKeyRecord, DailyStat, NewVerification, VerificationRecord } from '../core/ports/store.ts';
import type { Service, ServiceSettings } from '../core/ports/services.ts';

// ---- keys ----------------------------------------------------------------------------------------

export interface KeyRow {
  id: string;
  client_id: string;
  name: string;
  kind: string;
  /** JSON array. */
  scopes: string;
  created_at: number;
  revoked_at: number | null;
}

export const KEY_COLUMNS = 'id, client_id, name, kind, scopes, created_at, revoked_at';
/** The columns `keyValues` fills, in its order. */
export const KEY_INSERT_COLUMNS = 'id, client_id, name, kind, secret_hash, scopes, created_at, revoked_at';
/** What an upsert replaces (everything but the id). */
export const KEY_UPSERT_SET =
  'client_id = excluded.client_id, name = excluded.name, kind = excluded.kind, ' +
  'secret_hash = excluded.secret_hash, scopes = excluded.scopes, revoked_at = excluded.revoked_at';

export function toKey(r: KeyRow): ApiKeyRecord {
  return {
    id: r.id,
    clientId: r.client_id,
    name: r.name,
    // Fail closed: only the exact word grants the operator's reach.
    kind: r.kind === 'operator' ? 'operator' : 'client',
    scopes: JSON.parse(r.scopes) as string[],
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  };
}

/** A key's columns in insert order, after its id (see the stores' INSERT statements). */
export const keyValues = (k: ApiKeyRecord, secretHash: Buffer) =>
  [k.id, k.clientId, k.name, k.kind, secretHash, JSON.stringify(k.scopes), k.createdAt, k.revokedAt] as const;

// ---- verifications ------------------------------------------------------------------------------

/** The columns `verificationValues` fills, in its order. */
export const VERIFICATION_INSERT_COLUMNS =
  'id, client_id, phone_index, code_mac, key_id, max_attempts, created_at, expires_at, country, prefix, messaged, ' +
  'signals, service_id, channel, masked_to, locale, code_sealed, status';

/** A new verification's values for VERIFICATION_INSERT_COLUMNS; `messaged` says whether a message goes with it. */
export const verificationValues = (v: NewVerification) =>
  [
    v.id,
    v.clientId,
    v.phoneIndex,
    v.codeMac,
    v.keyId,
    v.maxAttempts,
    v.createdAt,
    v.expiresAt,
    v.country ?? null,
    v.prefix ?? null,
    // A resend's row is no verification of its own: out of conversion statistics.
    v.message && !v.resendOf ? 1 : 0,
    v.signals ? encodeSignals(v.signals) : null,
    v.serviceId ?? null,
    v.channel ?? null,
    v.maskedTo ?? null,
    v.locale ?? null,
    v.resendOf ? null : (v.codeSealed ?? null),
    v.resendOf ? 'resent' : 'pending',
  ] as const;

export const VERIFICATION_RECORD_COLUMNS =
  'id, client_id, service_id, channel, masked_to, locale, status, attempts, max_attempts, created_at, expires_at, ' +
  'finished_at, code_sealed';

export interface VerificationRecordRow {
  id: string;
  client_id: string;
  service_id: string | null;
  channel: string | null;
  masked_to: string | null;
  locale: string | null;
  status: string;
  attempts: number;
  max_attempts: number;
  created_at: number | string;
  expires_at: number | string;
  finished_at: number | string | null;
  code_sealed: Buffer | null;
}

export const toVerificationRecord = (r: VerificationRecordRow): VerificationRecord => ({
  id: r.id,
  clientId: r.client_id,
  serviceId: r.service_id,
  channel: isChannel(r.channel) ? r.channel : null,
  maskedTo: r.masked_to,
  locale: r.locale,
  status: r.status as VerificationRecord['status'],
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  finishedAt: r.finished_at === null ? null : Number(r.finished_at),
  codeSealed: r.code_sealed,
});

/** A send's signals in one column: `block|trusted|tag,tag` (tags are base64url, blocks digits). */
export const encodeSignals = (s: SendSignals): string => `${s.block}|${s.trusted ? 1 : 0}|${s.sources.join(',')}`;

export function decodeSignals(text: string): SendSignals {
  const [block = '', trusted, tags = ''] = text.split('|');
  return { block, trusted: trusted === '1', sources: tags ? tags.split(',') : [] };
}

export interface SendFactRow {
  client_id: string;
  country: string | null;
  created_at: number | string;
  verified_at: number | string | null;
  signals: string;
}

export const toSendFact = (r: SendFactRow): SendFact => ({
  clientId: r.client_id,
  country: r.country,
  createdAt: Number(r.created_at),
  verifiedAt: r.verified_at === null ? null : Number(r.verified_at),
  ...decodeSignals(r.signals),
});

export interface BaselineRow {
  scope: string;
  client_id: string;
  sent_per_hour: number;
  validated_per_hour: number;
  updated_at: number | string;
}

export const BASELINE_COLUMNS = 'scope, client_id, sent_per_hour, validated_per_hour, updated_at';

export const toBaseline = (r: BaselineRow): RangeBaseline => ({
  scope: r.scope,
  clientId: r.client_id,
  sentPerHour: Number(r.sent_per_hour),
  validatedPerHour: Number(r.validated_per_hour),
  updatedAt: Number(r.updated_at),
});

export const baselineValues = (b: RangeBaseline) =>
  [b.scope, b.clientId, b.sentPerHour, b.validatedPerHour, b.updatedAt] as const;

// ---- outbox --------------------------------------------------------------------------------------

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

export const MESSAGE_COLUMNS =
  'seq, channel, recipient, status, attempts, segments, gateway, provider_message_id, created_at, updated_at, ' +
  'last_error';
export const ATTEMPT_COLUMNS =
  'message_seq, attempt, gateway, started_at, finished_at, outcome, provider_message_id, error, segments';

/** A message as the port shows it: never its body. */
export function toMessageView(r: MessageRow): MessageView {
  return {
    id: String(r.seq),
    channel: r.channel,
    recipient: r.recipient,
    status: r.status,
    attempts: r.attempts,
    segments: r.segments,
    gateway: r.gateway,
    providerMessageId: r.provider_message_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastError: r.last_error,
  };
}

export function toAttemptView(r: AttemptRow): AttemptView {
  return {
    messageId: String(r.message_seq),
    attempt: r.attempt,
    gateway: r.gateway,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    outcome: r.outcome,
    providerMessageId: r.provider_message_id,
    error: r.error,
    segments: r.segments,
  };
}

export interface DevMessageRow {
  recipient: string;
  text: string;
  created_at: number;
}

export const toDevMessage = (r: DevMessageRow) => ({ to: r.recipient, text: r.text, createdAt: r.created_at });

// ---- retention -----------------------------------------------------------------------------------

export interface StatRow {
  day: string;
  client_id: string;
  metric: string;
  count: number;
}

export const toDailyStat = (r: StatRow): DailyStat => ({
  day: r.day,
  clientId: r.client_id,
  metric: r.metric,
  count: r.count,
});

// ---- abuse ---------------------------------------------------------------------------------------

export interface NumberRuleRow {
  kind: NumberRule['kind'];
  prefix: string;
  note: string | null;
  created_at: number;
}

export interface PolicyRow {
  client_id: string;
  /** JSON, or null for the configured default. */
  countries: string | null;
  daily_messages: number | null;
  daily_budget_micros: number | null;
  updated_at: number;
}

export interface BlockRow {
  scope: string;
  until: number;
  /** BOOLEAN in PostgreSQL, 0/1 in SQLite. */
  shadow: boolean | number;
  reason: string;
  created_at: number;
  action?: 'block' | 'throttle';
  strikes?: number;
  per_hour?: number;
}

export const RULE_COLUMNS = 'kind, prefix, note, created_at';
export const POLICY_COLUMNS = 'client_id, countries, daily_messages, daily_budget_micros, updated_at';
export const BLOCK_COLUMNS = 'scope, until, shadow, reason, created_at, action, strikes, per_hour';

export const toRule = (r: NumberRuleRow): NumberRule => ({
  kind: r.kind,
  prefix: r.prefix,
  note: r.note,
  createdAt: r.created_at,
});

export const toPolicy = (r: PolicyRow): ClientPolicy => ({
  clientId: r.client_id,
  countries: r.countries ? (JSON.parse(r.countries) as ClientPolicy['countries']) : null,
  dailyMessages: r.daily_messages,
  dailyBudgetMicros: r.daily_budget_micros,
  updatedAt: r.updated_at,
});

export const policyValues = (c: ClientPolicy) =>
  [
    c.clientId,
    c.countries ? JSON.stringify(c.countries) : null,
    c.dailyMessages,
    c.dailyBudgetMicros,
    c.updatedAt,
  ] as const;

export const toBlock = (r: BlockRow): ScopeBlock => ({
  scope: r.scope,
  until: r.until,
  shadow: Boolean(r.shadow),
  reason: r.reason,
  createdAt: r.created_at,
  action: r.action ?? 'block',
  strikes: r.strikes ?? 0,
  perHour: r.per_hour ?? 0,
});

export const blockValues = (b: ScopeBlock) =>
  [b.scope, b.until, b.shadow, b.reason, b.createdAt, b.action ?? 'block', b.strikes ?? 0, b.perHour ?? 0] as const;

/** Every prefix of a number, itself included: rules are looked up by primary key, not scanned. */
export function prefixesOf(e164: string): string[] {
  const out: string[] = [];
  for (let i = 2; i <= e164.length; i++) out.push(e164.slice(0, i));
  return out;
}

// ---- services -----------------------------------------------------------------------------------

export interface ServiceRow {
  id: string;
  client_id: string;
  friendly_name: string;
  /** SQLite answers 0/1, PostgreSQL a boolean. */
  is_default: boolean | number;
  /** JSON object of the overrides. */
  settings: string;
  created_at: number | string;
  updated_at: number | string;
}

export const SERVICE_COLUMNS = 'id, client_id, friendly_name, is_default, settings, created_at, updated_at';

export const toService = (r: ServiceRow): Service => ({
  id: r.id,
  clientId: r.client_id,
  friendlyName: r.friendly_name,
  isDefault: r.is_default === true || r.is_default === 1,
  settings: JSON.parse(r.settings) as ServiceSettings,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

/** A service's values in SERVICE_COLUMNS order. */
export const serviceValues = (s: Service) =>
  [s.id, s.clientId, s.friendlyName, s.isDefault, JSON.stringify(s.settings), s.createdAt, s.updatedAt] as const;
