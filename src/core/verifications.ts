import type { Channel } from './channel.ts';
import type { Clock } from './clock.ts';
import { channelOf } from './email.ts';
import { OtpdError } from './errors.ts';
import type { MessageTemplate } from './message.ts';
import type { Policy } from './policy.ts';
import { randomHex } from './random.ts';
import type { MessageStatus, MessageView } from './ports/outbox.ts';
import type { Service } from './ports/services.ts';
import type { Store, VerificationRecord } from './ports/store.ts';
import { checkFriendlyName, checkSettings, LOCALE, servicePolicy, type Services } from './services.ts';
import type { SendContext, Verifier } from './verification.ts';

/** A verification's status as the native API names it (Twilio's surface renames `failed`). */
export type ApiStatus = 'pending' | 'approved' | 'canceled' | 'failed' | 'expired';

export interface SendAttemptView {
  /** The attempt's number within its verification, from 1. */
  readonly id: string;
  readonly channel: Channel;
  readonly at: number;
  readonly status: MessageStatus;
  readonly gateway: string | null;
  readonly error: string | null;
}

export interface VerificationState {
  readonly id: string;
  readonly serviceId: string | null;
  readonly channel: Channel;
  /** The recipient as the caller sent it back may see it: masked. */
  readonly maskedTo: string;
  readonly locale: string | null;
  readonly status: ApiStatus;
  readonly createdAt: number;
  /** When the status last changed (its creation while pending). */
  readonly updatedAt: number;
  readonly expiresAt: number;
  readonly checks: number;
  readonly maxChecks: number;
}

export interface VerificationView extends VerificationState {
  readonly sends: readonly SendAttemptView[];
}

export interface StartRequest {
  /** A service id; the client's default service when absent. */
  readonly service?: string | undefined;
  readonly to: string;
  readonly channel: Channel;
  readonly locale?: string | undefined;
  /** This message names the app so, instead of the service's name (Twilio's CustomFriendlyName). */
  readonly friendlyName?: string | undefined;
  /** This message carries this Android app hash, instead of the service's (Twilio's AppHash). */
  readonly appHash?: string | undefined;
}

/** What a start did: a new verification, or a resend of the pending one's code. */
export interface Started {
  readonly verification: VerificationView;
  readonly created: boolean;
  /** The recipient in canonical form, for the caller that sent it (never logged or stored in clear here). */
  readonly to: string;
}

export interface CheckResult {
  /** Its state after the check (without send attempts: a check sends nothing). */
  readonly verification: VerificationState;
  readonly valid: boolean;
  /** The code was compared: the verification was pending (a closed one answers its status only). */
  readonly compared: boolean;
}

export type CheckTarget = { readonly id: string } | { readonly service?: string | undefined; readonly to: string };

/** Renders a service's text for a channel and locale, and says which locale it chose. */
export type TemplateSource = (
  service: Service,
  channel: Channel,
  locale: string | undefined,
) => { readonly template: MessageTemplate; readonly locale: string };

export interface VerificationsDeps {
  readonly verifier: Verifier;
  readonly services: Services;
  readonly store: Store;
  readonly clock: Clock;
  /** The server's policy, which a service's settings override. */
  readonly policy: Policy;
  readonly templates: TemplateSource;
  /** The keyed index of a canonical recipient (KeyRing.phoneIndex). */
  readonly indexOf: (recipient: string) => Buffer;
}

/** `VE` and 32 hex digits from the CSPRNG (128 bits): a Twilio-shaped verification sid. */
export const newVerificationId = (): string => `VE${randomHex(16)}`;

const ALL_CHANNELS: readonly Channel[] = ['sms', 'email'];

/** The service as one start renders it: its name and app hash replaced where the start says so. */
function withOverrides(s: Service, r: StartRequest): Service {
  if (r.friendlyName === undefined && r.appHash === undefined) return s;
  if (r.friendlyName !== undefined) checkFriendlyName(r.friendlyName);
  const settings = r.appHash === undefined ? s.settings : checkSettings({ ...s.settings, androidAppHash: r.appHash });
  return { ...s, friendlyName: r.friendlyName ?? s.friendlyName, settings };
}

/**
 * The verification use cases of the native and Twilio-compatible APIs: start (or resend the
 * pending code), check by id or by recipient, read, cancel, approve. Built on the Verifier's send
 * and attempt, so every limit and defence of CAMARA's send-code applies the same way.
 */
export class Verifications {
  readonly #d: VerificationsDeps;

  constructor(d: VerificationsDeps) {
    this.#d = d;
  }

  /**
   * A new verification, or the pending one's code again: the store decides in the send's own
   * operation, under the number's lock, so parallel starts (in any process) make one verification
   * and every further send a resend of it, within the send limits.
   */
  async start(clientId: string, r: StartRequest, ctx: SendContext = {}): Promise<Started> {
    const service = withOverrides(await this.#d.services.resolve(clientId, r.service), r);
    if (!(service.settings.channels ?? ALL_CHANNELS).includes(r.channel))
      throw new OtpdError('CHANNEL_NOT_ALLOWED', `channel ${r.channel} is not allowed for this service`);
    if (r.locale !== undefined && !LOCALE.test(r.locale))
      throw new OtpdError('INVALID_ARGUMENT', 'locale must be a language tag such as en or pt-BR');
    const recipient = this.#d.verifier.recipient(r.channel, r.to);
    const to = recipient.value;
    const policy = servicePolicy(this.#d.policy, service.settings);
    const { template, locale: used } = this.#d.templates(service, r.channel, r.locale);
    const sent = await this.#d.verifier.send(
      clientId,
      {
        to,
        recipient,
        channel: r.channel,
        template,
        policy,
        serviceId: service.id,
        locale: used,
        id: newVerificationId(),
        // The pending one's text in its own language unless this start names one.
        resendPending: (p) => this.#d.templates(service, r.channel, r.locale ?? p.locale ?? undefined),
      },
      ctx,
    );
    if (sent.resent) return { verification: await this.get(clientId, sent.id), created: false, to };
    // Just written: known without reading the verification back (only its first message's id is read).
    const record: VerificationRecord = {
      id: sent.id,
      clientId,
      serviceId: service.id,
      channel: r.channel,
      maskedTo: sent.maskedTo,
      locale: used,
      status: 'pending',
      attempts: 0,
      maxAttempts: policy.maxAttempts,
      createdAt: sent.createdAt,
      expiresAt: sent.expiresAt,
      finishedAt: null,
      codeSealed: null,
    };
    const first: MessageView = {
      id: '',
      channel: r.channel,
      recipient: '',
      status: 'queued',
      attempts: 0,
      segments: 1,
      gateway: null,
      providerMessageId: null,
      createdAt: sent.createdAt,
      updatedAt: sent.createdAt,
      lastError: null,
    };
    return { verification: await this.#view(record, sent.test ? [] : [first]), created: true, to };
  }

  /**
   * CAMARA's send-code: the caller's own text, under the client's default service's policy (its
   * code length, validity, checks and sends), as every CAMARA call is.
   */
  async sendInDefault(clientId: string, to: string, template: MessageTemplate, ctx: SendContext = {}) {
    const service = await this.#d.services.defaultOf(clientId);
    const policy = servicePolicy(this.#d.policy, service.settings);
    return this.#d.verifier.send(clientId, { to, channel: 'sms', template, policy, serviceId: service.id }, ctx);
  }

  /**
   * Compares the code only while the verification is pending; otherwise answers its status with
   * `valid: false` and counts nothing (no oracle after it closed).
   */
  async check(
    clientId: string,
    target: CheckTarget,
    code: string,
    ctx: Pick<SendContext, 'key' | 'request'> = {},
    inService?: string,
  ): Promise<CheckResult> {
    let id: string;
    if ('id' in target && inService === undefined) id = target.id;
    else {
      // By recipient, or within a named service: which verification, and whether it may be checked here.
      const record = await this.#find(clientId, target);
      if (!record || (inService !== undefined && record.serviceId !== inService))
        throw new OtpdError('NOT_FOUND', 'No such verification.');
      if (this.#status(record) !== 'pending')
        return { verification: this.#state(record), valid: false, compared: false };
      id = record.id;
    }
    // The attempt itself answers with the verification as it left it: no read of our own after.
    const { outcome, record } = await this.#d.verifier.attemptAndRead(clientId, id, code, ctx);
    if (outcome === 'NOT_FOUND' || !record) throw new OtpdError('NOT_FOUND', 'No such verification.');
    // The number's wrong guesses for the day are spent: this verification stays pending, no code compared.
    if (outcome === 'FAILED' && record.status === 'pending')
      throw new OtpdError('ATTEMPTS_EXHAUSTED', 'Too many wrong codes for this recipient today.');
    return { verification: this.#state(record), valid: outcome === 'VERIFIED', compared: outcome !== 'EXPIRED' };
  }

  async get(clientId: string, id: string): Promise<VerificationView> {
    const r = await this.#d.store.getVerification(clientId, id);
    if (!r) throw new OtpdError('NOT_FOUND', 'No such verification.');
    return this.#view(r);
  }

  /** pending → canceled; a verification that is no longer pending is a CONFLICT, answered with its status. */
  cancel(clientId: string, id: string): Promise<VerificationView> {
    return this.#close(clientId, id, 'cancelled');
  }

  /** pending → approved without a code (the app verified the user otherwise): Twilio's `Status=approved`. */
  approve(clientId: string, id: string): Promise<VerificationView> {
    return this.#close(clientId, id, 'verified');
  }

  async #close(clientId: string, id: string, to: 'cancelled' | 'verified'): Promise<VerificationView> {
    if (await this.#d.store.closeVerification(clientId, id, to, this.#d.clock.now())) return this.get(clientId, id);
    const now = await this.get(clientId, id);
    throw new OtpdError('VERIFICATION_CLOSED', `The verification is ${now.status}.`);
  }

  async #find(clientId: string, target: CheckTarget): Promise<VerificationRecord | null> {
    if ('id' in target) return this.#d.store.getVerification(clientId, target.id);
    const service = await this.#d.services.resolve(clientId, target.service);
    const to = this.#d.verifier.recipient(channelOf(target.to), target.to).value;
    // The newest one, whatever its status: a check of a number whose code was used up or approved
    // answers that status, as a check by id does.
    return this.#d.store.findLatestVerification(clientId, service.id, this.#d.indexOf(to));
  }

  #status(r: VerificationRecord): ApiStatus {
    switch (r.status) {
      case 'pending':
        return r.expiresAt <= this.#d.clock.now() ? 'expired' : 'pending';
      case 'verified':
        return 'approved';
      case 'cancelled':
        return 'canceled';
      case 'failed':
        return 'failed';
      default:
        return 'expired';
    }
  }

  /** A verification as the APIs show it, without its send attempts. */
  #state(r: VerificationRecord): VerificationState {
    const status = this.#status(r);
    return {
      id: r.id,
      serviceId: r.serviceId,
      channel: r.channel ?? 'sms',
      maskedTo: r.maskedTo ?? '',
      locale: r.locale,
      status,
      createdAt: r.createdAt,
      updatedAt: status === 'expired' && r.finishedAt === null ? r.expiresAt : (r.finishedAt ?? r.createdAt),
      expiresAt: r.expiresAt,
      checks: r.attempts,
      maxChecks: r.maxAttempts,
    };
  }

  /** With its send attempts, numbered from 1 in the order they were sent. */
  async #view(r: VerificationRecord, known?: readonly MessageView[]): Promise<VerificationView> {
    const messages = known ?? (await this.#d.store.listVerificationMessages(r.clientId, r.id));
    return {
      ...this.#state(r),
      sends: messages.map((m, i) => ({
        id: String(i + 1),
        channel: m.channel,
        at: m.createdAt,
        status: m.status,
        gateway: m.gateway,
        error: m.lastError,
      })),
    };
  }
}
