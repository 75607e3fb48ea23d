import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Value } from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import { ConfigSchema, type Config } from './schema.ts';
import { deliveryChecks, redactGateways } from './delivery-checks.ts';
import { didYouMean, schemaProblems } from './problems.ts';

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Kind = 'string' | 'int' | 'bool' | 'list' | 'testNumbers';

/** Environment variable → config path. The only place `process.env` names are known; a test keeps docs/ in step. */
export const ENV: readonly [name: string, path: string, kind: Kind][] = [
  ['OTPD_HOST', 'host', 'string'],
  ['PORT', 'port', 'int'],
  ['OTPD_PORT', 'port', 'int'],
  ['OTPD_DATA_DIR', 'dataDir', 'string'],
  ['OTPD_ENV', 'env', 'string'],
  ['OTPD_SECRET', 'secret', 'string'],
  ['OTPD_PREVIOUS_SECRETS', 'previousSecrets', 'list'],
  ['OTPD_LOG_LEVEL', 'logLevel', 'string'],
  ['OTPD_LOG_FORMAT', 'logFormat', 'string'],
  ['OTPD_BOOTSTRAP_KEY', 'bootstrapKey', 'string'],
  ['OTPD_TOKEN_TTL_SECONDS', 'tokenTtlSeconds', 'int'],
  ['OTPD_CODE_LENGTH', 'code.length', 'int'],
  ['OTPD_CODE_ALPHABET', 'code.alphabet', 'string'],
  ['OTPD_CODE_TTL_SECONDS', 'code.ttlSeconds', 'int'],
  ['OTPD_ALLOW_LONG_TTL', 'code.allowLongTtl', 'bool'],
  ['OTPD_MAX_ATTEMPTS', 'code.maxAttempts', 'int'],
  ['OTPD_SEND_LIMIT_15M', 'limits.sendsPer15Minutes', 'int'],
  ['OTPD_SEND_LIMIT_24H', 'limits.sendsPer24Hours', 'int'],
  ['OTPD_WRONG_GUESS_LIMIT_24H', 'limits.wrongGuessesPer24Hours', 'int'],
  ['OTPD_DAILY_MESSAGE_QUOTA', 'limits.dailyMessageQuota', 'int'],
  ['OTPD_RATE_LIMIT_RPS', 'limits.requestsPerSecond', 'int'],
  ['OTPD_RATE_LIMIT_BURST', 'limits.requestBurst', 'int'],
  ['OTPD_MAX_SEGMENTS', 'limits.maxSegments', 'int'],
  ['OTPD_TRUSTED_PROXIES', 'abuse.trustedProxies', 'list'],
  ['OTPD_BREAKER_SHADOW', 'abuse.conversionBreaker.shadow', 'bool'],
  ['OTPD_BREAKER', 'abuse.conversionBreaker.enabled', 'bool'],
  ['OTPD_RANGE_GUARD', 'abuse.rangeGuard.enabled', 'bool'],
  ['OTPD_RANGE_GUARD_SHADOW', 'abuse.rangeGuard.shadow', 'bool'],
  ['OTPD_VELOCITY_NET', 'abuse.velocity.perNet.max', 'int'],
  ['OTPD_VELOCITY_CLIENT', 'abuse.velocity.perClient.max', 'int'],
  ['OTPD_VELOCITY_IP', 'abuse.velocity.perIp.max', 'int'],
  ['OTPD_VELOCITY_IP_SCOPE', 'abuse.velocity.perIpScope', 'string'],
  ['OTPD_CLIENT_IP_HEADER', 'abuse.clientIpHeader', 'string'],
  ['OTPD_VELOCITY_PREFIX', 'abuse.velocity.perPrefix.max', 'int'],
  ['OTPD_VELOCITY_COUNTRY', 'abuse.velocity.perCountry.max', 'int'],
  ['OTPD_REFUSED_NUMBER_TYPES', 'numbers.refusedTypes', 'list'],
  ['OTPD_BLOCKED_NUMBERS', 'numbers.blocked', 'list'],
  ['OTPD_TEST_NUMBERS', 'numbers.test', 'testNumbers'],
  ['OTPD_DISPATCHER', 'delivery.enabled', 'bool'],
  ['OTPD_DISPATCH_POLL_MS', 'delivery.pollMs', 'int'],
  ['OTPD_DISPATCH_MAX_ATTEMPTS', 'delivery.maxAttempts', 'int'],
  ['OTPD_DISPATCH_LEASE_SECONDS', 'delivery.leaseSeconds', 'int'],
  ['OTPD_DISPATCH_TIMEOUT_MS', 'delivery.sendTimeoutMs', 'int'],
  ['OTPD_DISPATCH_CONCURRENCY', 'delivery.concurrency', 'int'],
  ['OTPD_DISPATCH_MAX_QUEUE_AGE_SECONDS', 'delivery.maxQueueAgeSeconds', 'int'],
  ['OTPD_PUBLIC_URL', 'delivery.publicUrl', 'string'],
  ['OTPD_SQLITE_SYNCHRONOUS', 'sqlite.synchronous', 'string'],
  ['OTPD_SQLITE_BUSY_TIMEOUT_MS', 'sqlite.busyTimeoutMs', 'int'],
  ['OTPD_BODY_LIMIT', 'bodyLimit', 'int'],
  ['OTPD_HEADERS_TIMEOUT_MS', 'headersTimeoutMs', 'int'],
  ['OTPD_REQUEST_TIMEOUT_MS', 'requestTimeoutMs', 'int'],
  ['OTPD_KEEP_ALIVE_TIMEOUT_MS', 'keepAliveTimeoutMs', 'int'],
  ['OTPD_DATABASE_URL', 'database.url', 'string'],
  ['OTPD_DATABASE_SCHEMA', 'database.schema', 'string'],
  ['OTPD_DATABASE_POOL_SIZE', 'database.poolSize', 'int'],
  ['OTPD_DATABASE_STATEMENT_TIMEOUT_MS', 'database.statementTimeoutMs', 'int'],
  ['OTPD_WEBHOOKS', 'webhooks.enabled', 'bool'],
  ['OTPD_WEBHOOKS_ALLOW_PRIVATE', 'webhooks.allowPrivate', 'bool'],
  ['OTPD_CONSOLE', 'console.enabled', 'bool'],
  ['OTPD_CONSOLE_SESSION_MINUTES', 'console.sessionMinutes', 'int'],
  ['OTPD_DEMO', 'demo.enabled', 'bool'],
  ['OTPD_DEMO_RESEND_SECONDS', 'demo.resendAfterSeconds', 'int'],
  ['OTPD_WEBHOOK_TIMEOUT_MS', 'webhooks.timeoutMs', 'int'],
  ['OTPD_WEBHOOK_INTERVAL_MS', 'webhooks.intervalMs', 'int'],
  ['OTPD_WEBHOOK_RETRY_BASE_SECONDS', 'webhooks.retryBaseSeconds', 'int'],
  ['OTPD_WEBHOOK_RETRY_MAX_SECONDS', 'webhooks.retryMaxSeconds', 'int'],
  ['OTPD_RETENTION_DAYS', 'retention.days', 'int'],
  ['OTPD_PURGE', 'retention.enabled', 'bool'],
  ['OTPD_PURGE_INTERVAL_SECONDS', 'retention.intervalSeconds', 'int'],
];

/** Marks a variable whose text could not be read: its problem is listed and the value left unset. */
const UNREADABLE = Symbol('unreadable');

function convert(name: string, raw: string, kind: Kind, problems: string[]): unknown {
  switch (kind) {
    case 'string':
      return raw;
    case 'int': {
      if (/^-?\d+$/.test(raw.trim())) return Number(raw);
      problems.push(`${name}: expected an integer, got "${raw}"`);
      return UNREADABLE;
    }
    case 'bool': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      problems.push(`${name}: expected true or false, got "${raw}"`);
      return UNREADABLE;
    }
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    case 'testNumbers': {
      const out: Record<string, string> = {};
      for (const pair of raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)) {
        const i = pair.lastIndexOf(':');
        if (i < 1) problems.push(`${name}: expected +NUMBER:CODE pairs separated by commas`);
        else out[pair.slice(0, i)] = pair.slice(i + 1);
      }
      return out;
    }
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const p of parts.slice(0, -1)) {
    const next = node[p];
    if (typeof next !== 'object' || next === null) node[p] = {};
    node = node[p] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** Variables starting with this are the test suite's own (its database URL, its store), never otpd's. */
const TEST_PREFIX = 'OTPD_TEST_';
const KNOWN = new Set(ENV.map(([name]) => name));

/** An `OTPD_*` variable otpd does not know is a typo until proven otherwise: it would be silently ignored. */
function unknownVariables(env: NodeJS.ProcessEnv, problems: string[]): void {
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith('OTPD_') || name.startsWith(TEST_PREFIX) || KNOWN.has(name)) continue;
    const near = didYouMean(name, KNOWN);
    problems.push(`${name}: not an otpd variable${near ? `; did you mean ${near}?` : ''}`);
  }
}

export interface LoadOptions {
  /**
   * Only the store will be opened (`otpd migrate`): the rules about serving (a secret in production
   * or with a shared database, a real gateway in production) do not apply.
   */
  readonly storeOnly?: boolean;
}

/** Rules the schema cannot express; every one is checked so all problems are listed together. */
function crossChecks(c: Config, problems: string[], o: LoadOptions): void {
  if (c.code.ttlSeconds > 600 && !c.code.allowLongTtl)
    problems.push('code.ttlSeconds: above 600 needs code.allowLongTtl (OTPD_ALLOW_LONG_TTL=true)');
  deliveryChecks(c, problems);
  // Backpressure exists so that an accepted code still reaches its user alive.
  if (c.delivery.maxQueueAgeSeconds >= c.code.ttlSeconds)
    problems.push('delivery.maxQueueAgeSeconds must be shorter than code.ttlSeconds');
  for (const t of c.abuse.trustedProxies) {
    const [addr, bits] = t.split('/');
    const v = isIP(addr!);
    if (v === 0 || (bits !== undefined && Number(bits) > (v === 4 ? 32 : 128)))
      problems.push(`abuse.trustedProxies: "${t}" is not an IP address or CIDR block`);
  }
  rangeGuardChecks(c, problems);
  if (c.limits.sendsPer24Hours < c.limits.sendsPer15Minutes)
    problems.push('limits.sendsPer24Hours must be at least limits.sendsPer15Minutes');
  // Node refuses a server whose headers deadline is later than the whole request's.
  if (c.headersTimeoutMs > c.requestTimeoutMs)
    problems.push('headersTimeoutMs must be at most requestTimeoutMs (the whole request includes its headers)');
  if (o.storeOnly) return;
  if (c.env === 'production' && !c.secret) problems.push('secret: OTPD_SECRET is required in production');
  if (c.database.url && !c.secret)
    problems.push('secret: OTPD_SECRET is required with OTPD_DATABASE_URL, and every replica must share it');
  for (const g of c.delivery.gateways) {
    if (c.env === 'production' && g.type === 'dev-outbox') {
      problems.push(
        `delivery.gateways.${g.id}: the development outbox is refused in production; configure a real gateway`,
      );
    }
  }
}

/** Names the variable a problem's value came from: `code.length (OTPD_CODE_LENGTH): …`. */
function attribute(problem: string, sources: ReadonlyMap<string, string>): string {
  const where = problem.slice(0, problem.indexOf(':'));
  for (let path = where; path; path = path.slice(0, Math.max(0, path.lastIndexOf('.')))) {
    const name = sources.get(path);
    if (name) return `${where} (${name})${problem.slice(where.length)}`;
  }
  return problem;
}

/**
 * Builds the configuration from an optional YAML/JSON file and the environment (environment wins),
 * validates it, and returns it frozen. Throws ConfigError listing every problem at once: a value
 * that cannot be read, an unknown key or variable (with the nearest known name), a value out of its
 * range (with the range, or the allowed values), and the rules across keys.
 */
export function loadConfig(env: NodeJS.ProcessEnv, file?: string, o: LoadOptions = {}): Readonly<Config> {
  const problems: string[] = [];
  let raw: Record<string, unknown> = {};
  if (file) {
    try {
      const parsed: unknown = parseYaml(readFileSync(file, 'utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) raw = parsed as Record<string, unknown>;
      else if (parsed != null) problems.push(`${file}: expected a mapping at the top level`);
    } catch (err) {
      problems.push(`${file}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  const sources = new Map<string, string>();
  for (const [name, path, kind] of ENV) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    const value = convert(name, v, kind, problems);
    if (value === UNREADABLE) continue;
    setPath(raw, path, value);
    sources.set(path, name);
  }
  unknownVariables(env, problems);
  const withDefaults = Value.Default(ConfigSchema, raw) as Config;
  const invalid: string[] = [];
  schemaProblems(ConfigSchema, withDefaults, '', invalid);
  // The walk above covers every keyword the schema uses; should a new one slip past it, TypeBox's
  // own (shorter) list still stops a config that does not match.
  if (invalid.length === 0 && !Value.Check(ConfigSchema, withDefaults)) {
    for (const e of Value.Errors(ConfigSchema, withDefaults))
      invalid.push(`${e.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(root)'}: ${e.message}`);
  }
  problems.push(...invalid.map((p) => attribute(p, sources)));
  if (invalid.length === 0) crossChecks(withDefaults, problems, o);
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return deepFreeze(withDefaults);
}

/** A copy safe to print: secrets replaced. */
export function redactConfig(c: Config): Record<string, unknown> {
  return {
    ...c,
    secret: c.secret ? '[redacted]' : undefined,
    previousSecrets: c.previousSecrets.map(() => '[redacted]'),
    bootstrapKey: c.bootstrapKey ? '[redacted]' : undefined,
    delivery: { ...c.delivery, gateways: redactGateways(c.delivery.gateways) },
    database: { ...c.database, url: c.database.url?.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:[redacted]@') },
    numbers: { ...c.numbers, test: Object.fromEntries(Object.keys(c.numbers.test).map((k) => [k, '[redacted]'])) },
  };
}

function rangeGuardChecks(c: Config, problems: string[]): void {
  const g = c.abuse.rangeGuard;
  if (g.probationBudget > g.newRangeBudget)
    problems.push('abuse.rangeGuard.probationBudget must not exceed abuse.rangeGuard.newRangeBudget');
  if (g.minProvisionalSeconds > g.maxProvisionalSeconds)
    problems.push('abuse.rangeGuard.minProvisionalSeconds must not exceed abuse.rangeGuard.maxProvisionalSeconds');
  if (g.blockSeconds > g.maxBlockSeconds)
    problems.push('abuse.rangeGuard.blockSeconds must not exceed abuse.rangeGuard.maxBlockSeconds');
}
