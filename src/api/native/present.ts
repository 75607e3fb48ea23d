import type { Service } from '../../core/ports/services.ts';
import type { VerificationState, VerificationView } from '../../core/verifications.ts';
import type { WebhookView } from '../../core/webhooks.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

/** A service as the native API shows it: its overrides flattened beside its name. */
export const presentService = (s: Service) => ({
  id: s.id,
  friendlyName: s.friendlyName,
  default: s.isDefault,
  ...s.settings,
  createdAt: iso(s.createdAt),
  updatedAt: iso(s.updatedAt),
});

/** What a verification and a check of it both show. */
export const presentState = (v: VerificationState) => ({
  id: v.id,
  service: v.serviceId,
  to: v.maskedTo,
  channel: v.channel,
  status: v.status,
  locale: v.locale,
  createdAt: iso(v.createdAt),
  updatedAt: iso(v.updatedAt),
  expiresAt: iso(v.expiresAt),
  checks: { used: v.checks, allowed: v.maxChecks },
});

export const presentVerification = (v: VerificationView) => ({
  ...presentState(v),
  sendAttempts: v.sends.map((a) => ({
    id: a.id,
    channel: a.channel,
    at: iso(a.at),
    status: a.status,
    gateway: a.gateway,
    error: a.error,
  })),
});

/** A service's webhook and its delivery status. */
export const presentWebhook = (w: WebhookView) => ({
  ...w,
  lastSuccessAt: isoOrNull(w.lastSuccessAt),
  lastErrorAt: isoOrNull(w.lastErrorAt),
  failingSince: isoOrNull(w.failingSince),
  disabledAt: isoOrNull(w.disabledAt),
});
