import { accountSidOf } from '../../core/api-keys.ts';
import { createHash } from 'node:crypto';
import type { Service } from '../../core/ports/services.ts';
import type { ApiStatus, VerificationState, VerificationView } from '../../core/verifications.ts';

/** Twilio's timestamps: ISO 8601 in UTC, whole seconds. */
const time = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** Twilio's name for each status (a verification out of attempts is `max_attempts_reached`). */
const STATUS: Readonly<Record<ApiStatus, string>> = {
  pending: 'pending',
  approved: 'approved',
  canceled: 'canceled',
  failed: 'max_attempts_reached',
  expired: 'expired',
};

/** A send attempt's sid: `VL` and 32 hex digits, stable for the message. */
const attemptSid = (verificationId: string, attempt: string) =>
  `VL${createHash('sha256').update(`${verificationId}:${attempt}`).digest('hex').slice(0, 32)}`;

export function presentService(s: Service, base: string, codeLength: number) {
  const url = `${base}/v2/Services/${s.id}`;
  return {
    sid: s.id,
    account_sid: accountSidOf(s.clientId),
    friendly_name: s.friendlyName,
    code_length: s.settings.codeLength ?? codeLength,
    lookup_enabled: false,
    psd2_enabled: false,
    skip_sms_to_landlines: false,
    dtmf_input_required: false,
    tts_name: null,
    do_not_share_warning_enabled: false,
    custom_code_enabled: false,
    push: null,
    totp: null,
    default_template_sid: null,
    whatsapp: null,
    passkeys: null,
    verify_event_subscription_enabled: false,
    date_created: time(s.createdAt),
    date_updated: time(s.updatedAt),
    url,
    // Only what otpd serves: Twilio's other sub-resources answer 20404 here.
    links: { verification_checks: `${url}/VerificationCheck`, verifications: `${url}/Verifications` },
  };
}

/** What a verification and a check of it both show; `to` in full where the caller just sent it, else masked. */
const head = (v: VerificationState, clientId: string, to: string | undefined) => ({
  sid: v.id,
  service_sid: v.serviceId,
  account_sid: accountSidOf(clientId),
  to: to ?? v.maskedTo,
  channel: v.channel,
  status: STATUS[v.status],
});

export function presentVerification(v: VerificationView, clientId: string, base: string, to?: string) {
  return {
    ...head(v, clientId, to),
    valid: v.status === 'approved',
    lookup: {},
    amount: null,
    payee: null,
    send_code_attempts: v.sends.map((a) => ({
      attempt_sid: attemptSid(v.id, a.id),
      channel: a.channel,
      time: new Date(a.at).toISOString(),
    })),
    date_created: time(v.createdAt),
    date_updated: time(v.updatedAt),
    sna: null,
    url: `${base}/v2/Services/${v.serviceId}/Verifications/${v.id}`,
  };
}

export function presentCheck(v: VerificationState, clientId: string, valid: boolean, to?: string) {
  return {
    ...head(v, clientId, to),
    valid,
    amount: null,
    payee: null,
    date_created: time(v.createdAt),
    date_updated: time(v.updatedAt),
    sna_attempts_error_codes: [],
  };
}
