import type {
  Recipient,
  Refusal,
  Row,
  Send,
  SendCodeInput,
  SendCodeResult,
  SendContext,
  SendSpec,
  SentCode,
  Text,
} from './send.ts';
import type { Clock } from './clock.ts';
import { packMessage, type MessageTemplate } from './message.ts';
import type { Channel } from './channel.ts';
import { maskEmail, maskRecipient, normalizeEmail } from './email.ts';
import { generateCode, maskPhone, normalizeCode, type RandomInt } from './codes.ts';
import { OtpdError } from './errors.ts';
import type { CodeMac, KeyRing } from './keyring.ts';
import { MAX_CODE_LENGTH, MIN_CODE_LENGTH, type Policy } from './policy.ts';
import { segmentInfo } from './segments.ts';
import type { PhoneInspector } from './ports/phone.ts';
import { NON_GEOGRAPHIC, type Admission } from './admission.ts';
import type { Admitted } from './admission.ts';
import type { SendSignals } from './ports/abuse.ts';
import { netKey, numberBlock, sourceKeys } from './fraud/ranges.ts';
import { ChallengeRequired, type ProofOfWork } from './fraud/challenge.ts';
import type {
  CreateResult,
  GuessBudget,
  NewVerification,
  PendingCode,
  ValidationOutcome,
  VerificationLookup,
  VerificationRecord,
  VerificationStore,
} from './ports/store.ts';

/** How far delivery is behind: admission refuses new codes past `maxAgeMs`, 0 meaning never (delivery/backlog.ts). */
export interface DeliveryBacklog {
  /** The age of the longest-waiting due message; 0 when delivery keeps up. Reads memory only. */
  ageMs(): number;
  readonly maxAgeMs: number;
}

export interface VerifierDeps {
  readonly store: VerificationStore & Pick<VerificationLookup, 'attemptAndRead'>;
  readonly keys: KeyRing;
  readonly clock: Clock;
  readonly policy: Policy;
  /** At least 122 random bits (UUID v4). */
  readonly newId: () => string;
  readonly random: RandomInt;
  /** Called after a message was committed to the outbox, to wake the dispatcher. */
  readonly onQueued: () => void;
  readonly phones: PhoneInspector;
  /** The abuse defences, run before anything is stored. */
  readonly admission: Admission;
  /** When present, new codes are refused while delivery is further behind than it allows. */
  readonly backlog?: DeliveryBacklog;
  /** Called for each code refused because delivery was behind (a metric). */
  readonly onBackpressure?: () => void;
  /** Proofs of work offered instead of a range throttle's refusal, to surfaces that accept them. */
  readonly challenges?: ProofOfWork;
  /** A defence refused a send (the fraud.refused event of the service's webhook). */
  readonly onRefused?: (r: Refusal) => void;
  /** Expected cost of a message in millionths of the currency (0 when no prices are configured). */
  readonly pricing?: (recipient: string, segments: number, country: string | undefined) => number;
}

export type { Recipient, Refusal, SendCodeInput, SendCodeResult, SendContext, SendSpec, SentCode } from './send.ts';

/** A resend's row holds no code: its verification's MAC is the one checked. */
const NO_MAC: CodeMac = { mac: Buffer.alloc(0), keyId: '' };

const OUTCOME_ERRORS: Record<Exclude<ValidationOutcome, 'VERIFIED' | 'KEY_REVOKED'>, OtpdError['code']> = {
  INVALID: 'CODE_INVALID',
  FAILED: 'ATTEMPTS_EXHAUSTED',
  EXPIRED: 'VERIFICATION_CLOSED',
  NOT_FOUND: 'NOT_FOUND',
};

/** The two use cases of the CAMARA API, shared by every API surface. */
export class Verifier {
  readonly #d: VerifierDeps;

  constructor(deps: VerifierDeps) {
    this.#d = deps;
  }

  async sendCode(clientId: string, input: SendCodeInput, ctx: SendContext = {}): Promise<SendCodeResult> {
    const r = await this.send(clientId, { to: input.to, channel: 'sms', template: input.template }, ctx);
    return { authenticationId: r.id, test: r.test };
  }

  /**
   * Draws a code, renders it, admits the send and stores the verification with its message in one
   * store operation; or, when the store finds a pending verification to resend (SendSpec.resendPending),
   * sends that one's code again under the same admission. Every surface's start is this; the CAMARA
   * send-code is its simplest case.
   */
  async send(clientId: string, spec: SendSpec, ctx: SendContext = {}): Promise<SentCode> {
    try {
      return await this.#send(clientId, spec, ctx);
    } catch (err) {
      if (err instanceof OtpdError && err.defence && spec.serviceId && this.#d.onRefused)
        this.#d.onRefused({
          clientId,
          serviceId: spec.serviceId,
          channel: spec.channel,
          maskedTo: spec.recipient?.masked ?? maskRecipient(spec.to),
          defence: err.defence,
          at: this.#d.clock.now(),
        });
      throw err;
    }
  }

  async #send(clientId: string, spec: SendSpec, ctx: SendContext): Promise<SentCode> {
    const policy = spec.policy ?? this.#d.policy;
    const to = spec.recipient ?? this.recipient(spec.channel, spec.to);
    const testCode = spec.channel === 'sms' ? policy.testNumbers.get(spec.to) : undefined;
    const test = testCode !== undefined;
    const code = testCode ?? generateCode(policy.codeLength, policy.alphabet, this.#d.random);
    const text = this.#text(spec.template, code, spec.channel, to, test);
    // After the checks of the request itself: a malformed one is a 400 however far delivery is behind.
    if (!test) this.#checkBacklog();
    // One keyed index per send: admission may look the number up, and the store keys it by this.
    const phoneIndex = this.#d.keys.phoneIndex(to.value);
    const admitted = await this.#admit(clientId, to, test, phoneIndex, text.costMicros, ctx);
    const s: Send = { clientId, spec, ctx, to, test, phoneIndex, admitted, now: this.#d.clock.now(), policy };
    const id = spec.id ?? this.#d.newId();
    const row: Row = {
      id,
      mac: this.#d.keys.macCode(id, code),
      expiresAt: s.now + policy.ttlMs,
      locale: spec.locale,
      codeSealed: spec.resendPending ? this.#d.keys.encrypt(id, code) : undefined,
    };
    const result = await this.#store(s, row, text, spec.resendPending !== undefined);
    if (result.ok) return this.#sent(s, id, row.expiresAt, false);
    if (result.reason === 'PENDING') {
      const resent = await this.#resend(s, result.pending);
      if (resent) return resent;
      // Closed since the store found it: a new verification after all.
      const again = await this.#store(s, row, text, false);
      if (again.ok) return this.#sent(s, id, row.expiresAt, false);
      return this.#refused(again, s);
    }
    return this.#refused(result, s);
  }

  /** The pending verification's code again, in its own text; undefined when it closed meanwhile. */
  async #resend(s: Send, pending: PendingCode): Promise<SentCode | undefined> {
    const { template, locale } = s.spec.resendPending!(pending);
    const code = this.#d.keys.decrypt(pending.id, pending.codeSealed);
    const text = this.#text(template, code, s.spec.channel, s.to, s.test);
    const row: Row = { id: this.#d.newId(), mac: NO_MAC, expiresAt: pending.expiresAt, locale, resendOf: pending.id };
    const result = await this.#store(s, row, text, false);
    if (result.ok) return this.#sent(s, pending.id, pending.expiresAt, true);
    if (result.reason === 'CLOSED') return undefined;
    return this.#refused(result, s);
  }

  /** The text, its SMS segments (refused past the limit before anything is stored) and its price. */
  #text(template: MessageTemplate, code: string, channel: Channel, to: Recipient, test: boolean): Text {
    const rendered = template.render(code);
    const segments = channel === 'sms' ? this.#segments(rendered.text) : 1;
    // Priced before admission, which caps a tenant's spend per country (the country as admission names it).
    const country = to.info ? (to.info.country ?? (to.info.valid ? NON_GEOGRAPHIC : undefined)) : undefined;
    const costMicros = !test && channel === 'sms' ? (this.#d.pricing?.(to.value, segments, country) ?? 0) : 0;
    return { rendered, segments, costMicros };
  }

  #store(s: Send, row: Row, text: Text, resendPending: boolean): Promise<CreateResult> {
    const { spec, to, admitted } = s;
    // A resend's message is sealed for its verification, which the outbox names and decrypts it by.
    const owner = row.resendOf ?? row.id;
    const message = s.test
      ? undefined
      : {
          channel: spec.channel,
          recipient: to.value,
          body: this.#d.keys.encrypt(owner, packMessage(text.rendered)),
          segments: text.segments,
          costMicros: text.costMicros,
        };
    const v: NewVerification = {
      id: row.id,
      clientId: s.clientId,
      phoneIndex: s.phoneIndex,
      codeMac: row.mac.mac,
      keyId: row.mac.keyId,
      maxAttempts: s.policy.maxAttempts,
      createdAt: s.now,
      expiresAt: row.expiresAt,
      message,
      country: admitted.country,
      prefix: admitted.prefix,
      signals: message && to.info ? this.#signals(to.value, s.ctx) : undefined,
      serviceId: spec.serviceId,
      channel: spec.channel,
      maskedTo: to.masked,
      locale: row.locale,
      codeSealed: row.codeSealed,
      resendOf: row.resendOf,
      resendPending,
    };
    const limits = {
      windows: s.policy.sendWindows,
      dailyQuota: admitted.dailyQuota,
      dailyBudgetMicros: admitted.dailyBudgetMicros,
      rates: admitted.rates,
    };
    return this.#d.store.createVerification(v, limits, s.ctx.key);
  }

  #sent(s: Send, id: string, expiresAt: number, resent: boolean): SentCode {
    if (!s.test) this.#d.onQueued();
    return { id, resent, test: s.test, to: s.to.value, maskedTo: s.to.masked, createdAt: s.now, expiresAt };
  }

  /** The recipient in its one spelling (every limit, list and index uses it), and as it may be shown. */
  recipient(channel: Channel, to: string): Recipient {
    if (channel === 'email') {
      const value = normalizeEmail(to);
      return { value, masked: maskEmail(value), info: undefined };
    }
    const info = this.#d.phones.inspect(to);
    const value = this.#d.policy.testNumbers.has(to) ? to : (info.e164 ?? to);
    return { value, masked: maskPhone(value), info };
  }

  #admit(
    clientId: string,
    to: Recipient,
    isTest: boolean,
    phoneIndex: Buffer,
    costMicros: number,
    ctx: SendContext,
  ): Promise<Admitted> {
    const ip = { ip: ctx.ip, ipProxied: ctx.ipProxied ?? false, request: ctx.request };
    if (!to.info) return this.#d.admission.admitEmail(clientId, ip);
    return this.#d.admission.admit(clientId, to.value, {
      ...ip,
      isTest,
      info: to.info,
      trusted: ctx.trusted ?? false,
      challengeSolved: this.#solved(clientId, to.value, ctx),
      phoneIndex,
      costMicros,
    });
  }

  /** The SMS segments `text` needs, refused past the policy's limit before anything is stored. */
  #segments(text: string): number {
    const { segments, encoding } = segmentInfo(text);
    const max = this.#d.policy.maxSegments;
    if (segments <= max) return segments;
    throw new OtpdError(
      'INVALID_ARGUMENT',
      `message with the code inserted needs ${segments} SMS segments (${encoding === 'gsm7' ? 'GSM-7' : 'UCS-2'}); ` +
        `at most ${max} are allowed`,
    );
  }

  /**
   * A 200 promises the code arrives while it can be used: when delivery has fallen behind (a slow
   * or stalled gateway), new codes are refused with a Retry-After rather than queued to expire.
   * Test numbers send nothing and are never refused for it.
   */
  #checkBacklog(): void {
    const b = this.#d.backlog;
    if (!b || b.maxAgeMs <= 0 || b.ageMs() <= b.maxAgeMs) return;
    this.#d.onBackpressure?.();
    throw new OtpdError(
      'UNAVAILABLE',
      'Codes cannot be delivered in time right now: delivery has fallen behind. Retry later.',
      Math.max(1, Math.ceil(b.maxAgeMs / 1000)),
    );
  }

  /**
   * What the range guard keeps of a send. The IP counts only when it is the end user's (from a
   * trusted proxy): a backend's own address is shared by all its users. A user agent alone is
   * shared by millions, so without a device id it is taken together with the network.
   */
  #signals(phone: string, ctx: SendContext): SendSignals {
    const ip = ctx.ipProxied ? ctx.ip : undefined;
    const device = ctx.device ?? (ctx.userAgent && ip ? `${netKey(ip)} ${ctx.userAgent}` : undefined);
    const tag = (s: string) => this.#d.keys.phoneIndex(`source:${s}`).subarray(0, 9).toString('base64url');
    return { block: numberBlock(phone), sources: sourceKeys({ ip, device }).map(tag), trusted: ctx.trusted ?? false };
  }

  #solved(clientId: string, phone: string, ctx: SendContext): boolean {
    const s = ctx.challenge?.solution;
    return s !== undefined && this.#d.challenges?.verify(s, clientId, phone) === true;
  }

  #refused(r: Exclude<CreateResult, { ok: true }>, s: Send): never {
    const { clientId, admitted: a, now, ctx } = s;
    const phone = s.to.value;
    if (r.reason === 'KEY_REVOKED') throw new OtpdError('UNAUTHENTICATED');
    if (r.reason === 'RATE') {
      const take = a.rates[r.index]!;
      // A throttled range mixes real users and an attack: a client that can prove work may pass.
      if (take.reason === 'range_throttle' && ctx.challenge?.accepts && this.#d.challenges) {
        this.#d.admission.reportVelocity(clientId, phone, take);
        throw new ChallengeRequired(this.#d.challenges.issue(clientId, phone), r.retryAfterSeconds);
      }
      this.#d.admission.refuseVelocity(clientId, phone, take, r.retryAfterSeconds);
    }
    if (r.reason === 'QUOTA') throw new OtpdError('QUOTA_EXCEEDED', undefined, secondsToNextUtcDay(now));
    if (r.reason === 'CLOSED' || r.reason === 'PENDING') throw new OtpdError('VERIFICATION_CLOSED');
    throw new OtpdError('SEND_LIMIT_EXCEEDED', undefined, Math.ceil(r.retryAfterMs / 1000));
  }

  async validateCode(
    clientId: string,
    authenticationId: string,
    submitted: string,
    ctx: Pick<SendContext, 'key' | 'request'> = {},
  ): Promise<void> {
    const outcome = await this.attempt(clientId, authenticationId, submitted, ctx);
    if (outcome !== 'VERIFIED') throw new OtpdError(OUTCOME_ERRORS[outcome]);
  }

  /**
   * One attempt at a verification's code, answered as the store's outcome (a revoked key is
   * UNAUTHENTICATED, a spent request budget TOO_MANY_REQUESTS). A code no otpd code could be is
   * refused before anything is counted.
   */
  async attempt(
    clientId: string,
    id: string,
    submitted: string,
    ctx: Pick<SendContext, 'key' | 'request'> = {},
  ): Promise<Exclude<ValidationOutcome, 'KEY_REVOKED'>> {
    const [now, budget, candidates] = this.#attemptOf(id, submitted);
    const outcome = await this.#d.store.attemptValidation(clientId, id, now, budget, candidates, ctx.key, ctx.request);
    if (typeof outcome === 'object') throw new OtpdError('TOO_MANY_REQUESTS', undefined, outcome.retryAfterSeconds);
    if (outcome === 'KEY_REVOKED') throw new OtpdError('UNAUTHENTICATED');
    return outcome;
  }

  /** An attempt, answered with the verification as it left it (see VerificationLookup.attemptAndRead). */
  async attemptAndRead(
    clientId: string,
    id: string,
    submitted: string,
    ctx: Pick<SendContext, 'key' | 'request'> = {},
  ): Promise<{ outcome: Exclude<ValidationOutcome, 'KEY_REVOKED'>; record: VerificationRecord | null }> {
    const [now, budget, candidates] = this.#attemptOf(id, submitted);
    const r = await this.#d.store.attemptAndRead(clientId, id, now, budget, candidates, ctx.key, ctx.request);
    if ('retryAfterSeconds' in r) throw new OtpdError('TOO_MANY_REQUESTS', undefined, r.retryAfterSeconds);
    const { outcome, record } = r;
    if (outcome === 'KEY_REVOKED') throw new OtpdError('UNAUTHENTICATED');
    return { outcome, record };
  }

  /** What an attempt compares: refused before anything is counted when no otpd code could be it. */
  #attemptOf(id: string, submitted: string): [number, GuessBudget, Buffer[]] {
    // Upper case changes no digit: one normal form fits every service's alphabet (a CAMARA call's
    // default service may have its own).
    const code = normalizeCode(submitted, 'alphanumeric');
    checkCodeShape(code);
    return [this.#d.clock.now(), this.#d.policy.guessBudget, this.#d.keys.codeCandidates(id, code)];
  }
}

/**
 * Refuses what no otpd code could be, whatever the policy when it was sent, before the attempt is
 * counted: a format error is not a guess, and costs the caller nothing. A code of another length
 * within 4–10 is an ordinary wrong code (the configured length may have changed since the send).
 */
function checkCodeShape(code: string): void {
  if (code.length < MIN_CODE_LENGTH)
    throw new OtpdError('OUT_OF_RANGE', `code must be at least ${MIN_CODE_LENGTH} characters`);
  if (code.length > MAX_CODE_LENGTH)
    throw new OtpdError('OUT_OF_RANGE', `code must be at most ${MAX_CODE_LENGTH} characters`);
  if (!/^[0-9A-Za-z]+$/.test(code))
    throw new OtpdError('INVALID_ARGUMENT', 'code must contain only letters and digits');
}

function secondsToNextUtcDay(now: number): number {
  const next = new Date(now);
  next.setUTCHours(24, 0, 0, 0);
  return Math.max(1, Math.ceil((next.getTime() - now) / 1000));
}
