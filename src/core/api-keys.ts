/**
 * Key management, the one implementation behind the CLI's `otpd keys` and the server's bootstrap and
 * development keys. Authenticating a request with a key is the API's business (api/auth.ts); what a
 * key is, which scopes exist and how one is made, listed and revoked is decided here.
 */
import { createHash } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.ts';
import { OtpdError } from './errors.ts';
import { hashSecret } from './keyring.ts';
import type { ApiKeyRecord, KeyKind, KeyStore } from './ports/store.ts';

/**
 * What a key may do. `one-time-password-sms:send-validate`: CAMARA's two operations; `verify`: the
 * native and Twilio-compatible verifications; `services`: managing services; `admin`:
 * administration within the key's reach: its own tenant for a client key, every tenant and the
 * global abuse rules for an operator key (see KEY_KINDS).
 */
export const SCOPES = Object.freeze(['one-time-password-sms:send-validate', 'verify', 'services', 'admin'] as const);
export type Scope = (typeof SCOPES)[number];

/**
 * How far a key reaches. A client key acts for its own tenant only, whatever its scopes; an operator
 * key administers every tenant and the global rules. Operator keys are only ever made on purpose
 * (`keys create --operator`, the bootstrap key, the development key), never by default.
 */
export const KEY_KINDS: readonly KeyKind[] = Object.freeze(['client', 'operator']);
export type { KeyKind };

/** A new key: the secret embeds the key id, so a leaked secret says at a glance which key to revoke. */
export function newApiKey(
  name: string,
  clientId: string | undefined,
  scopes: readonly string[],
  now: number,
  kind: KeyKind = 'client',
) {
  const id = randomBytes(6).toString('hex');
  const secret = `otpd_${id}_${randomBytes(32).toString('base64url')}`;
  const record: ApiKeyRecord = {
    id,
    clientId: clientId ?? id,
    name,
    kind,
    scopes: [...scopes],
    createdAt: now,
    revokedAt: null,
  };
  return { record, secret, secretHash: hashSecret(secret) };
}

/** The scopes, each once and in the order given; an unknown one is INVALID_ARGUMENT naming it. */
export function checkScopes(scopes: readonly string[]): string[] {
  const unique = [...new Set(scopes)];
  for (const s of unique) {
    if (!(SCOPES as readonly string[]).includes(s)) {
      throw new OtpdError('INVALID_ARGUMENT', `unknown scope "${s}"; known: ${SCOPES.join(' ')}`);
    }
  }
  return unique;
}

/** Scopes as written by people and OAuth2 clients: comma- or space-separated; absent or empty means all. */
export function parseScopes(raw: string | undefined): string[] {
  if (!raw) return [...SCOPES];
  return checkScopes(raw.split(/[\s,]+/).filter(Boolean));
}

/** A key just made: the only moment its secret exists outside the caller's hands. */
export interface CreatedKey {
  readonly record: ApiKeyRecord;
  readonly secret: string;
}

export interface NewKeyInput {
  /** A label for people; not unique. */
  readonly name: string;
  readonly clientId?: string | undefined;
  readonly scopes?: readonly string[] | undefined;
  /** @default 'client' */
  readonly kind?: KeyKind | undefined;
}

/** Creating, listing and revoking API keys over the key store. */
export class ApiKeys {
  readonly #store: KeyStore;
  readonly #clock: Clock;

  constructor(deps: { store: KeyStore; clock: Clock }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
  }

  /**
   * Creates a key of this kind (a client key when absent) with these scopes (all when absent; an
   * unknown one is INVALID_ARGUMENT and nothing is stored) acting for `clientId` (a new tenant, the
   * key id, when absent). The secret is returned here only: the store keeps its hash, so it can never
   * be shown again.
   */
  async create(input: NewKeyInput): Promise<CreatedKey> {
    const scopes = input.scopes === undefined ? [...SCOPES] : checkScopes(input.scopes);
    const k = newApiKey(input.name, input.clientId, scopes, this.#clock.now(), input.kind ?? 'client');
    await this.#store.createApiKey(k.record, k.secretHash);
    return { record: k.record, secret: k.secret };
  }

  /** Every key, revoked ones included; never a secret (the store has none to give). */
  list(): Promise<ApiKeyRecord[]> {
    return this.#store.listApiKeys();
  }

  /**
   * Revokes a key; the API reads the key on every request, so it stops working on the next one, on
   * every replica. Revoking a revoked key changes nothing; an unknown id is NOT_FOUND.
   */
  async revoke(id: string): Promise<void> {
    const found = await this.#store.revokeApiKey(id, this.#clock.now());
    if (!found) throw new OtpdError('NOT_FOUND', `no key with id ${id}`);
  }

  /**
   * Installs the configured bootstrap key as the all-scopes operator key `bootstrap`, replacing the
   * one a previous start installed, so changing the configured secret retires the old one.
   */
  async installBootstrap(secret: string): Promise<void> {
    const record: ApiKeyRecord = {
      id: 'bootstrap',
      clientId: 'bootstrap',
      name: 'bootstrap (OTPD_BOOTSTRAP_KEY)',
      kind: 'operator',
      scopes: [...SCOPES],
      createdAt: this.#clock.now(),
      revokedAt: null,
    };
    await this.#store.upsertApiKey(record, hashSecret(secret));
  }
}

/**
 * The tenant's Twilio-style account SID: `AC` and 32 hex digits, stable for a client id (a hash of
 * it, not a secret: it names the account, the key secret authenticates).
 */
export const accountSidOf = (clientId: string): string =>
  `AC${createHash('sha256').update(`otpd:account:${clientId}`).digest('hex').slice(0, 32)}`;
