import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Value } from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import { ConfigSchema, type Config } from './schema.ts';
import { deliveryChecks, redactGateways } from './delivery-checks.ts';

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
  ['OTPD_RETENTION_DAYS', 'retention.days', 'int'],
  ['OTPD_PURGE', 'retention.enabled', 'bool'],
  ['OTPD_PURGE_INTERVAL_SECONDS', 'retention.intervalSeconds', 'int'],
];

function convert(name: string, raw: string, kind: Kind, problems: string[]): unknown {
  switch (kind) {
    case 'string':
      return raw;
    case 'int': {
      if (!/^-?\d+$/.test(raw.trim())) problems.push(`${name}: expected an integer, got "${raw}"`);
      return Number(raw);
    }
    case 'bool': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      problems.push(`${name}: expected true or false, got "${raw}"`);
      return raw;
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
        if (i < 1) problems.push(`${name}: expected +NUMBER:CODE, got "${pair}"`);
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

/** Rules the schema cannot express; every one is checked so all problems are listed together. */
function crossChecks(c: Config, problems: string[]): void {
  if (c.code.ttlSeconds > 600 && !c.code.allowLongTtl)
    problems.push('code.ttlSeconds: above 600 needs code.allowLongTtl (OTPD_ALLOW_LONG_TTL=true)');
  if (c.env === 'production' && !c.secret) problems.push('secret: OTPD_SECRET is required in production');
  deliveryChecks(c, problems);
  for (const t of c.abuse.trustedProxies) {
    const [addr, bits] = t.split('/');
    const v = isIP(addr!);
    if (v === 0 || (bits !== undefined && Number(bits) > (v === 4 ? 32 : 128)))
      problems.push(`abuse.trustedProxies: "${t}" is not an IP address or CIDR block`);
  }
  if (c.database.url && !c.secret)
    problems.push('secret: OTPD_SECRET is required with OTPD_DATABASE_URL, and every replica must share it');
  if (c.limits.sendsPer24Hours < c.limits.sendsPer15Minutes)
    problems.push('limits.sendsPer24Hours must be at least limits.sendsPer15Minutes');
  // Node refuses a server whose headers deadline is later than the whole request's.
  if (c.headersTimeoutMs > c.requestTimeoutMs)
    problems.push('headersTimeoutMs must be at most requestTimeoutMs (the whole request includes its headers)');
}

/**
 * Builds the configuration from an optional YAML/JSON file and the environment (environment wins),
 * validates it, and returns it frozen. Throws ConfigError listing every problem at once.
 */
export function loadConfig(env: NodeJS.ProcessEnv, file?: string): Readonly<Config> {
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
  for (const [name, path, kind] of ENV) {
    const v = env[name];
    if (v !== undefined && v !== '') setPath(raw, path, convert(name, v, kind, problems));
  }
  const withDefaults = Value.Default(ConfigSchema, raw) as Config;
  for (const e of Value.Errors(ConfigSchema, withDefaults)) {
    const where = e.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(root)';
    const extra =
      e.keyword === 'additionalProperties'
        ? ` ${JSON.stringify((e.params as { additionalProperties?: unknown }).additionalProperties)}`
        : '';
    problems.push(`${where}: ${e.message}${extra}`);
  }
  if (problems.length === 0) crossChecks(withDefaults, problems);
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
