import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { startServer, type Server } from '../../src/main.ts';
import { newApiKey, SCOPES, type KeyKind } from '../../src/core/api-keys.ts';
import { dropSchemas, freshSchema, PG_URL } from './pg.ts';

/**
 * Tests of other features send many codes from one IP to numbers in one prefix: the abuse
 * defences that would (rightly) stop that are off unless a test turns them on.
 */
export const ABUSE_OFF = {
  OTPD_VELOCITY_IP: '0',
  OTPD_VELOCITY_PREFIX: '0',
  OTPD_VELOCITY_COUNTRY: '0',
  OTPD_VELOCITY_NET: '0',
  OTPD_BREAKER: 'false',
  OTPD_RANGE_GUARD: 'false',
};

/** The server secret of every test server (unless `env` overrides it): tests can derive its keys. */
export const TEST_SECRET = 'test-secret-0123456789-0123456789-abcdef';

export const SEND = '/one-time-password-sms/v1/send-code';
export const VALIDATE = '/one-time-password-sms/v1/validate-code';
/** A valid Spanish mobile (libphonenumber "max" metadata). Use mobile(n) for distinct ones. */
export const MOBILE = '+34629255833';
export const mobile = (n: number) => `+3462925${String(n % 10000).padStart(4, '0')}`;

export interface TestServer {
  readonly server: Server;
  readonly url: string;
  readonly clock: ManualClock;
  readonly dataDir: string;
  /** The PostgreSQL schema when OTPD_TEST_STORE=postgres. */
  readonly pgSchema: string | undefined;
  /** An all-scopes client key for client "tenant-a": what `otpd keys create` makes by default. */
  readonly key: string;
  /** An all-scopes operator key (client "ops"), for cross-tenant administration and the global rules. */
  readonly operatorKey: string;
  /** Creates another key; by default an all-scopes client key of its own tenant. */
  createKey(opts?: { scopes?: string[]; clientId?: string; kind?: KeyKind }): Promise<{ id: string; secret: string }>;
  /** POST JSON (or raw string) with a Bearer key; returns status, parsed body (or null) and headers. */
  post(
    path: string,
    body: unknown,
    opts?: { key?: string | null; headers?: Record<string, string>; raw?: boolean },
  ): Promise<HttpResult>;
  get(path: string, opts?: { key?: string | null; headers?: Record<string, string> }): Promise<HttpResult>;
  /** Any method, JSON body (or raw string) when given. */
  request(
    method: string,
    path: string,
    body?: unknown,
    opts?: { key?: string | null; headers?: Record<string, string>; raw?: boolean },
  ): Promise<HttpResult>;
  /** Every dev-outbox text for a recipient (number or address), newest first, once none of its messages waits. */
  texts(to: string): Promise<string[]>;
  /** Sends a code and returns { authenticationId, code } with the code read from the dev outbox. */
  sendAndRead(phone?: string, key?: string): Promise<{ authenticationId: string; code: string }>;
  /** Latest dev-outbox text for a number, after the dispatcher drained. */
  lastText(phone: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export interface HttpResult {
  status: number;
  body: any;
  headers: Headers;
}

/**
 * A real otpd (real SQLite file, real HTTP socket on a free port) with a manual clock, so tests
 * can expire codes without sleeping. `env` takes OTPD_* variables, exactly as in production.
 * With `store: 'postgres'` (or OTPD_TEST_STORE=postgres in the test process) the server uses the
 * real PostgreSQL instead, in a schema of its own that is dropped on close.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  o: { store?: 'sqlite' | 'postgres'; configYaml?: string } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'otpd-test-'));
  const store = o.store ?? (process.env.OTPD_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite');
  const schema = store === 'postgres' ? freshSchema('otpd_api') : undefined;
  const config = loadConfig(
    {
      OTPD_DATA_DIR: dataDir,
      OTPD_PORT: '0',
      OTPD_LOG_LEVEL: 'silent',
      OTPD_SECRET: TEST_SECRET,
      OTPD_RATE_LIMIT_RPS: '0',
      OTPD_SQLITE_SYNCHRONOUS: 'NORMAL',
      OTPD_DISPATCH_POLL_MS: '50',
      // A manual clock jumps minutes ahead of messages nobody dispatched yet, which backpressure
      // would rightly take for a backlog: off here, on in test/api/backpressure.test.ts.
      OTPD_DISPATCH_MAX_QUEUE_AGE_SECONDS: '0',
      ...ABUSE_OFF,
      ...(schema ? { OTPD_DATABASE_URL: PG_URL, OTPD_DATABASE_SCHEMA: schema } : {}),
      ...env,
    },
    o.configYaml ? writeConfig(dataDir, o.configYaml) : undefined,
  );
  const clock = new ManualClock(Date.now());
  const server = await startServer(config, { clock });
  const createKey = async (o: { scopes?: string[]; clientId?: string; kind?: KeyKind } = {}) => {
    const k = newApiKey('test', o.clientId, o.scopes ?? [...SCOPES], clock.now(), o.kind);
    await server.store.createApiKey(k.record, k.secretHash);
    return { id: k.record.id, secret: k.secret };
  };
  const key = (await createKey({ clientId: 'tenant-a' })).secret;
  const operatorKey = (await createKey({ clientId: 'ops', kind: 'operator' })).secret;

  async function call(
    method: string,
    path: string,
    body: unknown,
    o: { key?: string | null; headers?: Record<string, string>; raw?: boolean } = {},
  ): Promise<HttpResult> {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    const k = o.key === undefined ? key : o.key;
    if (k !== null) headers.authorization = `Bearer ${k}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = o.raw ? String(body) : JSON.stringify(body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
        headers['content-type'] = 'application/json';
    }
    const res = await fetch(server.url + path, { method, headers, body: payload });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  /** Drives the dispatcher until `phone` has more than `seen` texts; returns the newest. */
  async function textAfter(phone: string, seen: number): Promise<string | undefined> {
    for (let i = 0; i < 400; i++) {
      await server.dispatcher.tick();
      await server.dispatcher.idle();
      const rows = await server.store.listDevMessages(phone, seen + 1);
      if (rows.length > seen) return rows[0]!.text;
      await new Promise((r) => setTimeout(r, 2));
    }
    return undefined;
  }
  const textCount = async (phone: string) => (await server.store.listDevMessages(phone, 500)).length;

  return {
    server,
    url: server.url,
    clock,
    dataDir,
    key,
    operatorKey,
    createKey,
    pgSchema: schema,
    post: (path, body, o) => call('POST', path, body, o),
    get: (path, o) => call('GET', path, undefined, o),
    lastText: (phone) => textAfter(phone, 0),
    request: (method, path, body, o) => call(method, path, body, o),
    async texts(to) {
      // Until nothing for this recipient waits in the outbox: one round may claim before a commit lands.
      for (let i = 0; i < 400; i++) {
        await server.dispatcher.tick();
        await server.dispatcher.idle();
        const waiting = (await server.store.listMessages({ recipient: to, limit: 50 })).filter(
          (m) => m.status === 'queued' || m.status === 'sending',
        );
        if (waiting.length === 0) break;
        await new Promise((r) => setTimeout(r, 2));
      }
      return (await server.store.listDevMessages(to, 500)).map((m) => m.text);
    },
    async sendAndRead(phone = MOBILE, k = key) {
      const seen = await textCount(phone);
      const r = await call('POST', SEND, { phoneNumber: phone, message: 'Your code is {{code}}' }, { key: k });
      if (r.status !== 200) throw new Error(`send-code failed: ${r.status} ${JSON.stringify(r.body)}`);
      const code = /Your code is (\S+)/.exec((await textAfter(phone, seen)) ?? '')?.[1];
      if (!code) throw new Error('no message in the development outbox');
      return { authenticationId: r.body.authenticationId as string, code };
    },
    async close() {
      try {
        await server.close();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
        if (schema) await dropSchemas([schema]);
      }
    },
  };
}

function writeConfig(dir: string, yaml: string): string {
  const file = join(dir, 'otpd.yaml');
  writeFileSync(file, yaml);
  return file;
}
