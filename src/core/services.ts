import { randomHex } from './random.ts';
import { CHANNELS, isChannel } from './channel.ts';
import type { Clock } from './clock.ts';
import { OtpdError } from './errors.ts';
import { MAX_CODE_LENGTH, MIN_CODE_LENGTH, type Policy } from './policy.ts';
import type { Service, ServicePage, ServiceSettings, ServiceStore, TemplateOverride } from './ports/services.ts';

export type { Service, ServiceSettings } from './ports/services.ts';

/** The bounds a service's settings must keep; the API schemas and the CLI say the same. */
export const SERVICE_LIMITS = Object.freeze({
  friendlyName: 64,
  ttlSeconds: [30, 600],
  maxChecks: [1, 10],
  maxSends: [1, 20],
  sendWindowSeconds: [60, 86_400],
  templateLocales: 50,
  smsTemplate: 480,
  emailSubject: 200,
  emailText: 4_000,
  emailHtml: 20_000,
  pageSize: [1, 100],
} as const);

export const SERVICE_ID = /^VA[0-9a-f]{32}$/;
const DEFAULT_TTL_MS = 5_000;
const MAX_CACHED_DEFAULTS = 10_000;
export const LOCALE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const APP_HASH = /^[A-Za-z0-9+/]{11}$/;

/** `VA` and 32 hex digits from the CSPRNG: a Twilio-shaped service sid. */
export const newServiceId = (): string => `VA${randomHex(16)}`;

const bad = (detail: string) => new OtpdError('INVALID_ARGUMENT', detail);

function intIn(name: string, v: number | undefined, [lo, hi]: readonly [number, number]): void {
  if (v !== undefined && (!Number.isInteger(v) || v < lo || v > hi))
    throw bad(`${name} must be an integer from ${lo} to ${hi}`);
}

function checkText(where: string, v: string | undefined, max: number, needsCode: boolean): void {
  if (v === undefined) return;
  if (v.length === 0 || v.length > max) throw bad(`${where} must be 1 to ${max} characters`);
  if (needsCode && !v.includes('{code}')) throw bad(`${where} must contain the {code} placeholder`);
}

function checkTemplates(t: Readonly<Record<string, TemplateOverride>> | undefined): void {
  if (t === undefined) return;
  const locales = Object.keys(t);
  if (locales.length > SERVICE_LIMITS.templateLocales)
    throw bad(`templates may override at most ${SERVICE_LIMITS.templateLocales} locales`);
  for (const locale of locales) {
    if (!LOCALE.test(locale)) throw bad(`templates: ${JSON.stringify(locale)} is not a language tag such as pt-BR`);
    const o = t[locale]!;
    checkText(`templates.${locale}.sms`, o.sms, SERVICE_LIMITS.smsTemplate, true);
    checkText(`templates.${locale}.emailSubject`, o.emailSubject, SERVICE_LIMITS.emailSubject, false);
    checkText(`templates.${locale}.emailText`, o.emailText, SERVICE_LIMITS.emailText, true);
    checkText(`templates.${locale}.emailHtml`, o.emailHtml, SERVICE_LIMITS.emailHtml, true);
  }
}

/** Refuses settings outside their bounds with INVALID_ARGUMENT naming the field; returns them otherwise. */
export function checkSettings(s: ServiceSettings): ServiceSettings {
  intIn('codeLength', s.codeLength, [MIN_CODE_LENGTH, MAX_CODE_LENGTH]);
  if (s.alphabet !== undefined && s.alphabet !== 'numeric' && s.alphabet !== 'alphanumeric')
    throw bad('alphabet must be numeric or alphanumeric');
  intIn('ttlSeconds', s.ttlSeconds, SERVICE_LIMITS.ttlSeconds);
  intIn('maxChecks', s.maxChecks, SERVICE_LIMITS.maxChecks);
  intIn('maxSends', s.maxSends, SERVICE_LIMITS.maxSends);
  intIn('sendWindowSeconds', s.sendWindowSeconds, SERVICE_LIMITS.sendWindowSeconds);
  if (s.channels !== undefined) {
    if (s.channels.length === 0 || !s.channels.every(isChannel) || new Set(s.channels).size !== s.channels.length)
      throw bad(`channels must be a non-empty list of distinct channels from: ${CHANNELS.join(', ')}`);
  }
  if (s.defaultLocale !== undefined && !LOCALE.test(s.defaultLocale))
    throw bad('defaultLocale must be a language tag such as en or pt-BR');
  checkTemplates(s.templates);
  if (s.webOtpDomain !== undefined && !HOSTNAME.test(s.webOtpDomain))
    throw bad('webOtpDomain must be a host name such as example.com');
  if (s.androidAppHash !== undefined && !APP_HASH.test(s.androidAppHash))
    throw bad("androidAppHash must be the app's 11-character hash");
  return s;
}

export function checkFriendlyName(name: string): string {
  const n = name.trim();
  if (n.length === 0 || n.length > SERVICE_LIMITS.friendlyName || /\p{Cc}/u.test(n))
    throw bad(`friendlyName must be 1 to ${SERVICE_LIMITS.friendlyName} printable characters`);
  return n;
}

/** What a verification started within `s` decides by: the service's overrides over the server's policy. */
export function servicePolicy(base: Policy, s: ServiceSettings): Policy {
  const windowed = s.maxSends !== undefined || s.sendWindowSeconds !== undefined;
  const first = base.sendWindows[0];
  return {
    ...base,
    codeLength: s.codeLength ?? base.codeLength,
    alphabet: s.alphabet ?? base.alphabet,
    ttlMs: s.ttlSeconds !== undefined ? s.ttlSeconds * 1000 : base.ttlMs,
    maxAttempts: s.maxChecks ?? base.maxAttempts,
    // The service's own window replaces the first configured one; the longer ones still hold.
    sendWindows:
      windowed && first
        ? [
            {
              windowMs: (s.sendWindowSeconds ?? first.windowMs / 1000) * 1000,
              max: s.maxSends ?? first.max,
            },
            ...base.sendWindows.slice(1),
          ]
        : base.sendWindows,
  };
}

/** The services use cases, shared by the native API, the Twilio-compatible API and the CLI. */
export class Services {
  readonly #store: ServiceStore;
  readonly #clock: Clock;
  /**
   * Each client's default service, read by every CAMARA send: kept for DEFAULT_TTL_MS, so a change
   * made through another replica applies within that time (at once through this one).
   */
  readonly #defaults = new Map<string, { service: Service; at: number }>();
  readonly #byId = new Map<string, { service: Service; at: number }>();

  constructor(d: { store: ServiceStore; clock: Clock }) {
    this.#store = d.store;
    this.#clock = d.clock;
  }

  /** The client's default service (created on first use), from memory when read recently. */
  async defaultOf(clientId: string): Promise<Service> {
    const now = this.#clock.now();
    const hit = this.#defaults.get(clientId);
    if (hit && now - hit.at < DEFAULT_TTL_MS && now >= hit.at) return hit.service;
    const service = await this.#store.defaultService(clientId, now, newServiceId());
    if (this.#defaults.size >= MAX_CACHED_DEFAULTS) this.#defaults.clear();
    this.#defaults.set(clientId, { service, at: now });
    return service;
  }

  async create(clientId: string, friendlyName: string, settings: ServiceSettings = {}): Promise<Service> {
    const now = this.#clock.now();
    const s: Service = {
      id: newServiceId(),
      clientId,
      friendlyName: checkFriendlyName(friendlyName),
      isDefault: false,
      settings: checkSettings(settings),
      createdAt: now,
      updatedAt: now,
    };
    await this.#store.createService(s);
    return s;
  }

  /**
   * The service, or NOT_FOUND when it is missing or another client's (the same answer). Every
   * start and check names one: read from memory for DEFAULT_TTL_MS, as the default services are.
   */
  async get(clientId: string, id: string): Promise<Service> {
    const key = `${clientId}\u0000${id}`;
    const now = this.#clock.now();
    const hit = this.#byId.get(key);
    if (hit && now - hit.at < DEFAULT_TTL_MS && now >= hit.at) return hit.service;
    const s = SERVICE_ID.test(id) ? await this.#store.getService(clientId, id) : null;
    if (!s) throw new OtpdError('NOT_FOUND', 'No such service.');
    if (this.#byId.size >= MAX_CACHED_DEFAULTS) this.#byId.clear();
    this.#byId.set(key, { service: s, at: now });
    return s;
  }

  /** The service named, or the client's default one when none is. */
  async resolve(clientId: string, id: string | undefined): Promise<Service> {
    if (id !== undefined) return this.get(clientId, id);
    return this.defaultOf(clientId);
  }

  list(clientId: string, limit: number, after?: string): Promise<ServicePage> {
    intIn('limit', limit, SERVICE_LIMITS.pageSize);
    return this.#store.listServices(clientId, limit, after);
  }

  /** Applies `change` over the stored name and settings (a settings key set to undefined clears it). */
  async update(
    clientId: string,
    id: string,
    change: { friendlyName?: string | undefined; settings?: ServiceSettings | undefined },
  ): Promise<Service> {
    // Read fresh, not from memory: a change merges over what is stored now.
    const s = SERVICE_ID.test(id) ? await this.#store.getService(clientId, id) : null;
    if (!s) throw new OtpdError('NOT_FOUND', 'No such service.');
    const friendlyName = change.friendlyName === undefined ? s.friendlyName : checkFriendlyName(change.friendlyName);
    const merged = Object.fromEntries(
      Object.entries({ ...s.settings, ...change.settings }).filter(([, v]) => v !== undefined && v !== null),
    ) as ServiceSettings;
    const settings = checkSettings(merged);
    const now = this.#clock.now();
    if (!(await this.#store.updateService(clientId, id, friendlyName, settings, now)))
      throw new OtpdError('NOT_FOUND', 'No such service.');
    this.#forget(clientId, id);
    return { ...s, friendlyName, settings, updatedAt: now };
  }

  async delete(clientId: string, id: string): Promise<void> {
    if (!(SERVICE_ID.test(id) && (await this.#store.deleteService(clientId, id))))
      throw new OtpdError('NOT_FOUND', 'No such service.');
    this.#forget(clientId, id);
  }

  #forget(clientId: string, id: string): void {
    this.#defaults.delete(clientId);
    this.#byId.delete(`${clientId}\u0000${id}`);
  }
}
