import { randomBytes, timingSafeEqual } from 'node:crypto';
import { SignJWT, jwtVerify, type JWTPayload } from 'jose';
import type { Clock } from '../core/clock.ts';
import { OtpdError } from '../core/errors.ts';
import { hashSecret } from '../core/keyring.ts';
import { accountSidOf, parseScopes, type KeyKind, type Scope } from '../core/api-keys.ts';
import type { ApiKeyRecord, KeyCheck, KeyStore } from '../core/ports/store.ts';
import { BoundedCache } from './key-cache.ts';

export interface Principal {
  readonly keyId: string;
  /** The tenant the key acts for. */
  readonly clientId: string;
  /** Always the key's current kind, never a claim of a token. */
  readonly kind: KeyKind;
  readonly scopes: readonly string[];
  /** The hash of the key's secret when the request carried the key itself; absent for an access token. */
  readonly secretHash?: Buffer | undefined;
}

/** What an operation checks again in its own transaction (see KeyCheck): the key, and the secret it came with. */
export const keyCheckOf = (p: Principal): KeyCheck => ({ id: p.keyId, secretHash: p.secretHash });

/**
 * Keys (by secret hash) and key records (for access tokens, by id) kept per process for the
 * verification routes: about one entry per live key, so this bounds memory, not hit rate.
 */
const CACHE_SIZE = 4096;

const TOKEN_ISSUER = 'otpd';
const JWT_SHAPE = /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/;

const principal = (key: ApiKeyRecord, scopes: readonly string[], secretHash?: Buffer): Principal => ({
  keyId: key.id,
  clientId: key.clientId,
  kind: key.kind,
  scopes,
  secretHash,
});

/**
 * Turns an Authorization header into a principal: an API key (looked up by hash) or an access token
 * this server signed, with an expiry (its key must still be live; its tenant and kind are the key's,
 * read again). Every failure is the same UNAUTHENTICATED so a caller learns nothing from it.
 *
 * By default the key is read on every request, so a revoke by any process is effective on the next
 * one. With `cached` (the verification routes) a key found live before is taken from memory: those
 * routes' operations check the key again in their own transaction (KeyCheck), so a revoked key still
 * changes nothing, is UNAUTHENTICATED, and is then `forget`-ten here. So the cache needs no expiry
 * and no message between replicas, and costs a revoke nothing in exactness.
 */
export class Authenticator {
  readonly #keys: KeyStore;
  readonly #tokenKey: Uint8Array;
  readonly #clock: Clock;
  readonly #tokenTtl: number;
  readonly #bySecret = new BoundedCache<Principal>(CACHE_SIZE);
  readonly #byId = new BoundedCache<ApiKeyRecord>(CACHE_SIZE);

  constructor(deps: { keys: KeyStore; tokenKey: Uint8Array; clock: Clock; tokenTtlSeconds: number }) {
    this.#keys = deps.keys;
    this.#tokenKey = deps.tokenKey;
    this.#clock = deps.clock;
    this.#tokenTtl = deps.tokenTtlSeconds;
  }

  async authenticate(header: string | undefined, o: { cached?: boolean } = {}): Promise<Principal> {
    const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) throw new OtpdError('UNAUTHENTICATED');
    const credential = m[1]!;
    if (JWT_SHAPE.test(credential)) return this.#fromToken(credential, o.cached === true);
    const hash = hashSecret(credential);
    const slot = hash.toString('base64');
    const hit = o.cached ? this.#bySecret.get(slot) : undefined;
    if (hit) return hit;
    const key = await this.#keys.findApiKeyBySecretHash(hash);
    if (!key || key.revokedAt !== null) throw new OtpdError('UNAUTHENTICATED');
    const p = principal(key, key.scopes, hash);
    if (o.cached) this.#bySecret.set(slot, p);
    return p;
  }

  /**
   * HTTP Basic as Twilio's SDKs send it: the user is the key's tenant's account SID or the key id,
   * the password the key's secret. The secret finds the key (as a Bearer key); a user that names
   * neither is UNAUTHENTICATED, like a wrong secret.
   */
  async authenticateBasic(header: string | undefined, o: { cached?: boolean } = {}): Promise<Principal> {
    const creds = basicCredentials(header);
    if (!creds) throw new OtpdError('UNAUTHENTICATED');
    const [user, secret] = creds;
    const p = await this.authenticate(`Bearer ${secret}`, o);
    if (!sameText(user, p.keyId) && !sameText(user, accountSidOf(p.clientId))) throw new OtpdError('UNAUTHENTICATED');
    return p;
  }

  /** An operation found the key no longer live: the next request with it is looked up (and refused). */
  forget(keyId: string): void {
    this.#bySecret.drop((p) => p.keyId === keyId);
    this.#byId.drop((k) => k.id === keyId);
  }

  /** OAuth2 client credentials: the client id is the key id, the client secret is the key's secret. */
  async issueToken(keyId: string, secret: string, requested: string | undefined) {
    const key = await this.#keys.findApiKeyBySecretHash(hashSecret(secret));
    const sameId =
      key !== null && key.id.length === keyId.length && timingSafeEqual(Buffer.from(key.id), Buffer.from(keyId));
    if (!key || !sameId || key.revokedAt !== null) throw new OtpdError('UNAUTHENTICATED');
    const scopes = requested === undefined ? [...key.scopes] : parseScopes(requested);
    if (scopes.some((s) => !key.scopes.includes(s)))
      throw new OtpdError('PERMISSION_DENIED', "requested scope exceeds the key's scopes");
    const now = Math.floor(this.#clock.now() / 1000);
    const token = await new SignJWT({ scope: scopes.join(' '), cid: key.clientId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_ISSUER)
      .setSubject(key.id)
      .setIssuedAt(now)
      .setExpirationTime(now + this.#tokenTtl)
      .setJti(randomBytes(12).toString('base64url'))
      .sign(this.#tokenKey);
    return { access_token: token, token_type: 'Bearer', expires_in: this.#tokenTtl, scope: scopes.join(' ') };
  }

  async #fromToken(token: string, cached: boolean): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#tokenKey, {
        issuer: TOKEN_ISSUER,
        audience: TOKEN_ISSUER,
        algorithms: ['HS256'],
        // Every token this server issues expires and names its key; a signed one without an expiry
        // (a bug, or a leaked signing key used once) must not be valid forever.
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(this.#clock.now()),
      }));
    } catch {
      throw new OtpdError('UNAUTHENTICATED');
    }
    const key = typeof payload.sub === 'string' ? await this.#keyById(payload.sub, cached) : null;
    if (!key || key.revokedAt !== null) throw new OtpdError('UNAUTHENTICATED');
    const scopes =
      typeof payload.scope === 'string' ? payload.scope.split(' ').filter((s) => key.scopes.includes(s)) : [];
    return principal(key, scopes);
  }

  async #keyById(id: string, cached: boolean): Promise<ApiKeyRecord | null> {
    const hit = cached ? this.#byId.get(id) : undefined;
    if (hit) return hit;
    const key = await this.#keys.findApiKeyById(id);
    if (cached && key && key.revokedAt === null) this.#byId.set(id, key);
    return key;
  }
}

/**
 * Scopes a key created before the scope existed already implies: CAMARA's send-validate allows the
 * other APIs' verifications, admin allows managing services.
 */
const IMPLIED_BY: Partial<Record<Scope, Scope>> = {
  verify: 'one-time-password-sms:send-validate',
  services: 'admin',
};

const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** `Authorization: Basic …` as (user, password); RFC 7617 with RFC 6749's form-encoding of both parts. */
export function basicCredentials(header: string | undefined): [string, string] | undefined {
  const m = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 1) return undefined;
  // A malformed escape is bad credentials, not a crash.
  try {
    return [decodeURIComponent(decoded.slice(0, i)), decodeURIComponent(decoded.slice(i + 1))];
  } catch {
    return undefined;
  }
}

export function requireScope(p: Principal, scope: Scope): void {
  const implied = IMPLIED_BY[scope];
  if (!p.scopes.includes(scope) && !(implied && p.scopes.includes(implied))) throw new OtpdError('PERMISSION_DENIED');
}

/** Cross-tenant administration and the global abuse rules: operator keys only. */
export function requireOperator(p: Principal): void {
  if (p.kind !== 'operator') throw new OtpdError('PERMISSION_DENIED', 'this operation needs an operator key');
}

/**
 * The tenant a principal is confined to: its own for a client key, none (every tenant) for an
 * operator key. A request nobody authenticated is refused, never taken for an operator's.
 */
export function tenantOf(p: Principal | null): string | undefined {
  if (!p) throw new OtpdError('UNAUTHENTICATED');
  return p.kind === 'operator' ? undefined : p.clientId;
}
