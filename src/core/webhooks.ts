import { isIP } from 'node:net';
import type { Clock } from './clock.ts';
import { OtpdError } from './errors.ts';
import type { KeyRing } from './keyring.ts';
import { randomBytesOf } from './random.ts';
import type { Services } from './services.ts';
import type { EndpointStatus, WebhookStore } from './ports/webhooks.ts';

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
export const newWebhookSecret = (): string => `whsec_${randomBytesOf(24).toString('base64')}`;

/** The signing secrets sealed by the key ring for their service (AES-256-GCM). */
export const sealSecrets = (keys: KeyRing, serviceId: string, secrets: readonly string[]): Buffer =>
  keys.encrypt(`webhook:${serviceId}`, JSON.stringify(secrets));

/** The signing secrets, current first. */
export const openSecrets = (keys: KeyRing, serviceId: string, sealed: Buffer): string[] =>
  JSON.parse(keys.decrypt(`webhook:${serviceId}`, sealed)) as string[];

/** At most this many secrets sign at once: the current one and the one it replaced. */
const KEPT_SECRETS = 2;

export interface WebhookView {
  readonly service: string;
  readonly url: string;
  readonly enabled: boolean;
  readonly lastSuccessAt: number | null;
  readonly lastError: string | null;
  readonly lastErrorAt: number | null;
  readonly failingSince: number | null;
  readonly disabledAt: number | null;
  readonly backlog: number;
  /** How many secrets sign each event (2 during a rotation). */
  readonly secrets: number;
  /** The new secret, on creation and rotation only: otpd shows it once. */
  readonly secret?: string;
}

export interface WebhooksDeps {
  readonly store: WebhookStore;
  readonly services: Services;
  readonly keys: KeyRing;
  readonly clock: Clock;
  /** The operator lets endpoints on private, loopback and link-local addresses be used. */
  readonly allowPrivate: boolean;
}

/**
 * The URL a service's events go to: http(s), no credentials in it, and (unless the operator allows
 * it) no literal private, loopback or link-local address. Host names are checked again each time
 * they are resolved, at delivery (webhooks/sender.ts).
 */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OtpdError('INVALID_ARGUMENT', 'url must be an absolute http or https URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new OtpdError('INVALID_ARGUMENT', 'url must be an absolute http or https URL');
  if (url.username || url.password) throw new OtpdError('INVALID_ARGUMENT', 'url must not carry credentials');
  if (raw.length > 2048) throw new OtpdError('INVALID_ARGUMENT', 'url must be at most 2048 characters');
  if (isPrivateHost(url) && !allowPrivate)
    throw new OtpdError('INVALID_ARGUMENT', 'url points at a private, loopback or link-local address');
  return url.toString();
}

/** Whether a URL names this machine or a private network by its literal host (a name is checked when resolved). */
export function isPrivateHost(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return isIP(host) !== 0 && isPrivateAddress(host);
}

/** Private, loopback, link-local, shared, multicast and reserved ranges: never a webhook's address. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const a = mapped ? mapped[1]! : address;
  if (isIP(a) === 4) {
    const [x, y] = a.split('.').map(Number) as [number, number];
    return (
      x === 0 ||
      x === 10 ||
      x === 127 ||
      x >= 224 ||
      (x === 100 && y >= 64 && y < 128) ||
      (x === 169 && y === 254) ||
      (x === 172 && y >= 16 && y < 32) ||
      (x === 192 && y === 168) ||
      (x === 192 && y === 0) ||
      (x === 198 && (y === 18 || y === 19))
    );
  }
  const h = a.toLowerCase();
  return h === '::' || h === '::1' || /^f[cd]/.test(h) || /^fe[89ab]/.test(h) || h.startsWith('ff');
}

/** A service's webhook endpoint: set, read, rotate its secret, re-enable, remove. */
export class Webhooks {
  readonly #d: WebhooksDeps;

  constructor(d: WebhooksDeps) {
    this.#d = d;
  }

  /** Sets the URL; a new endpoint gets its first secret (shown once), an existing one keeps its secrets. */
  async put(clientId: string, serviceId: string, rawUrl: string): Promise<WebhookView> {
    const url = checkWebhookUrl(rawUrl, this.#d.allowPrivate);
    await this.#d.services.get(clientId, serviceId);
    const before = await this.#d.store.getEndpoint(clientId, serviceId);
    const fresh = before ? undefined : newWebhookSecret();
    const secrets = before ? this.#open(serviceId, before.secrets) : [fresh!];
    await this.#save(clientId, serviceId, url, secrets);
    return this.#view(await this.#must(clientId, serviceId), fresh);
  }

  /** A new current secret; the previous one still signs until the next rotation. */
  async rotate(clientId: string, serviceId: string): Promise<WebhookView> {
    const e = await this.#must(clientId, serviceId);
    const fresh = newWebhookSecret();
    const secrets = [fresh, ...this.#open(serviceId, e.secrets)].slice(0, KEPT_SECRETS);
    await this.#save(clientId, serviceId, e.url, secrets);
    return this.#view(await this.#must(clientId, serviceId), fresh);
  }

  async get(clientId: string, serviceId: string): Promise<WebhookView> {
    return this.#view(await this.#must(clientId, serviceId));
  }

  async enable(clientId: string, serviceId: string): Promise<WebhookView> {
    if (!(await this.#d.store.enableEndpoint(clientId, serviceId, this.#d.clock.now())))
      throw new OtpdError('NOT_FOUND', 'This service has no webhook.');
    return this.get(clientId, serviceId);
  }

  async remove(clientId: string, serviceId: string): Promise<void> {
    if (!(await this.#d.store.deleteEndpoint(clientId, serviceId)))
      throw new OtpdError('NOT_FOUND', 'This service has no webhook.');
  }

  /** Delivered and abandoned events since `since` go out again (a client's own, or any for an operator). */
  replay(since: number, clientId?: string, serviceId?: string): Promise<number> {
    return this.#d.store.replayEvents({ since, clientId, serviceId }, this.#d.clock.now());
  }

  #open(serviceId: string, sealed: Buffer): string[] {
    return openSecrets(this.#d.keys, serviceId, sealed);
  }

  #save(clientId: string, serviceId: string, url: string, secrets: readonly string[]): Promise<void> {
    const sealed = sealSecrets(this.#d.keys, serviceId, secrets);
    return this.#d.store.putEndpoint({ serviceId, clientId, url, secrets: sealed, now: this.#d.clock.now() });
  }

  async #must(clientId: string, serviceId: string): Promise<EndpointStatus> {
    const e = await this.#d.store.getEndpoint(clientId, serviceId);
    if (!e) throw new OtpdError('NOT_FOUND', 'This service has no webhook.');
    return e;
  }

  #view(e: EndpointStatus, secret?: string): WebhookView {
    return {
      service: e.serviceId,
      url: e.url,
      enabled: e.enabled,
      lastSuccessAt: e.lastSuccessAt,
      lastError: e.lastError,
      lastErrorAt: e.lastErrorAt,
      failingSince: e.failingSince,
      disabledAt: e.disabledAt,
      backlog: e.backlog,
      secrets: this.#open(e.serviceId, e.secrets).length,
      ...(secret ? { secret } : {}),
    };
  }
}
