import Type, { type Static } from 'typebox';
import { GatewayConfig, RouteConfig } from './gateways.ts';
import { AbuseConfig } from './abuse.ts';

const Int = (min: number, max: number, def: number, description: string) =>
  Type.Integer({ minimum: min, maximum: max, default: def, description });

/**
 * The one configuration schema. Types derive from it; `load.ts` fills it from the file and the
 * environment, applies defaults, validates it once and freezes it. Field descriptions are the
 * configuration reference (docs/configuration.md lists the same names; a test keeps them in step).
 */
export const ConfigSchema = Type.Object(
  {
    /** @default '127.0.0.1' */
    host: Type.String({ default: '127.0.0.1', description: 'Address to listen on' }),
    /** @default 8080 */
    port: Int(0, 65535, 8080, 'TCP port to listen on'),
    /** @default './data' */
    dataDir: Type.String({
      default: './data',
      minLength: 1,
      description: 'Directory for otpd.db and generated secrets',
    }),
    /** @default 'development' */
    env: Type.Union([Type.Literal('development'), Type.Literal('production')], { default: 'development' }),
    /** Server key material (≥32 characters). Generated into dataDir in development; required in production. */
    secret: Type.Optional(Type.String({ minLength: 32 })),
    /** Earlier secrets, still accepted for codes and messages made before a rotation. */
    previousSecrets: Type.Array(Type.String({ minLength: 32 }), { default: [] }),
    logLevel: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      { default: 'info' },
    ),
    /**
     * `auto`: coloured lines for people when stdout is a terminal, JSON lines otherwise; `json` or
     * `pretty` force one.
     * @default 'auto'
     */
    logFormat: Type.Union([Type.Literal('auto'), Type.Literal('json'), Type.Literal('pretty')], { default: 'auto' }),
    /** Secret accepted as an all-scopes API key (id "bootstrap"). */
    bootstrapKey: Type.Optional(Type.String({ minLength: 24 })),
    tokenTtlSeconds: Int(60, 86400, 3600, 'Lifetime of OAuth2 access tokens'),
    code: Type.Object(
      {
        length: Int(4, 10, 6, 'Digits or characters per code'),
        alphabet: Type.Union([Type.Literal('numeric'), Type.Literal('alphanumeric')], { default: 'numeric' }),
        ttlSeconds: Int(30, 3600, 300, 'Lifetime of a code; above 600 needs allowLongTtl'),
        allowLongTtl: Type.Boolean({ default: false }),
        maxAttempts: Int(1, 10, 3, 'Guesses per authenticationId'),
      },
      { default: {}, additionalProperties: false },
    ),
    limits: Type.Object(
      {
        sendsPer15Minutes: Int(1, 1_000_000, 5, 'send-codes per number per client in 15 minutes'),
        sendsPer24Hours: Int(1, 1_000_000, 10, 'send-codes per number per client in 24 hours'),
        wrongGuessesPer24Hours: Int(1, 1_000_000, 20, 'wrong codes per number per client in 24 hours'),
        dailyMessageQuota: Int(0, 1_000_000_000, 10_000, 'messages per client per UTC day (0 = unlimited)'),
        requestsPerSecond: Int(0, 1_000_000, 100, 'API requests per client per second (0 = unlimited)'),
        requestBurst: Int(1, 1_000_000, 200, 'API requests a client may burst above the rate'),
        maxSegments: Int(1, 10, 2, 'Most SMS segments a CAMARA message may need once the code is inserted'),
        dailyBudget: Type.Number({
          minimum: 0,
          maximum: 1e9,
          default: 0,
          description: 'Spend per client per UTC day, in the currency of the gateway prices (0 = unlimited)',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    numbers: Type.Object(
      {
        /** Line types refused with RECIPIENT_NOT_ALLOWED. */
        refusedTypes: Type.Array(Type.String(), {
          default: ['FIXED_LINE', 'PREMIUM_RATE', 'SHARED_COST', 'TOLL_FREE', 'UAN', 'VOICEMAIL'],
        }),
        /** Exact numbers or prefixes refused with RECIPIENT_BLOCKED. */
        blocked: Type.Array(Type.String({ pattern: '^\\+[0-9]{1,15}$' }), { default: [] }),
        /** Number → fixed code; no message is sent. */
        test: Type.Record(
          Type.String({ pattern: '^\\+[1-9][0-9]{4,14}$' }),
          Type.String({ pattern: '^[A-Za-z0-9]{4,10}$' }),
          { default: {} },
        ),
      },
      { default: {}, additionalProperties: false },
    ),
    delivery: Type.Object(
      {
        /** The gateways messages can go through; the development outbox unless configured. */
        gateways: Type.Array(GatewayConfig, { default: [{ type: 'dev-outbox', id: 'dev-outbox' }] }),
        /** SMS routes by country or prefix, first match wins; each lists gateways to try in order. */
        routes: Type.Array(RouteConfig, { default: [] }),
        /** Gateways for SMS that match no route; empty means every SMS gateway, in the order configured. */
        defaultRoute: Type.Array(Type.String(), { default: [] }),
        /** Gateways for email; empty means every SMTP gateway, in the order configured. */
        emailRoute: Type.Array(Type.String(), { default: [] }),
        circuitBreaker: Type.Object(
          {
            failureThreshold: Int(
              1,
              1000,
              5,
              "Consecutive transient failures or timeouts that open a gateway's circuit",
            ),
            cooldownSeconds: Int(1, 3600, 30, 'How long an open circuit skips its gateway before one trial call'),
          },
          { default: {}, additionalProperties: false },
        ),
        /** Base URL providers reach otpd at, for delivery-status callbacks (e.g. https://otpd.example.com). */
        publicUrl: Type.Optional(Type.String({ pattern: '^https?://[^/]+(/.*)?$' })),
        /** Turn the in-process dispatcher off (messages stay queued for another process). */
        enabled: Type.Boolean({ default: true }),
        pollMs: Int(50, 60_000, 1000, 'How often the dispatcher looks for due retries'),
        leaseSeconds: Int(1, 3600, 30, 'How long a claimed message is reserved for one sender'),
        maxAttempts: Int(
          1,
          50,
          5,
          'Gateway calls before a message is given up (refusals wait while its code is valid)',
        ),
        backoffBaseMs: Int(10, 600_000, 1000, 'First retry delay; doubles each attempt, with full jitter'),
        backoffMaxMs: Int(100, 3_600_000, 30_000, 'Longest retry delay'),
        sendTimeoutMs: Int(100, 120_000, 10_000, 'A gateway call longer than this is a transient failure'),
        concurrency: Int(
          1,
          100_000,
          5000,
          'Messages one process holds at once, across gateways (a memory bound; each gateway has its own maxInFlight)',
        ),
        maxQueueAgeSeconds: Int(
          0,
          3600,
          5,
          'Refuse new codes (503, Retry-After) while a due message has waited longer than this for a gateway; 0: never',
        ),
      },
      { default: {}, additionalProperties: false },
    ),
    sqlite: Type.Object(
      {
        synchronous: Type.Union([Type.Literal('FULL'), Type.Literal('NORMAL')], { default: 'FULL' }),
        busyTimeoutMs: Int(0, 60_000, 5000, "How long a write waits for another process's lock"),
      },
      { default: {}, additionalProperties: false },
    ),
    database: Type.Object(
      {
        /** postgres://… selects the shared PostgreSQL store (several replicas); absent means embedded SQLite. */
        url: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'PostgreSQL connection URL' })),
        /** @default 'public' */
        schema: Type.String({
          default: 'public',
          pattern: '^[a-z_][a-z0-9_]{0,62}$',
          description: "Schema holding otpd's tables",
        }),
        poolSize: Int(1, 1000, 10, 'PostgreSQL connections per replica for requests and delivery'),
        limiterPoolSize: Int(1, 1000, 4, 'PostgreSQL connections per replica for the shared rate limiter'),
        statementTimeoutMs: Int(
          100,
          600_000,
          10_000,
          'A statement running longer fails (closed) instead of hanging a request',
        ),
      },
      { default: {}, additionalProperties: false },
    ),
    retention: Type.Object(
      {
        days: Int(1, 3650, 7, 'Days a finished verification or message is kept before it is purged'),
        /** Run the purge job in this process (every replica may; they never purge a row twice). */
        enabled: Type.Boolean({ default: true }),
        intervalSeconds: Int(10, 86_400, 3600, 'How often the purge job runs'),
        batchSize: Int(1, 100_000, 1000, 'Rows deleted per statement'),
      },
      { default: {}, additionalProperties: false },
    ),
    webhooks: Type.Object(
      {
        /** Deliver events from this process (every replica may: a lease keeps each event to one). */
        enabled: Type.Boolean({ default: true }),
        /** Endpoints may resolve to private, loopback and link-local addresses (a receiver on this network). */
        allowPrivate: Type.Boolean({ default: false }),
        timeoutMs: Int(500, 60_000, 10_000, 'Deadline of one event POST'),
        intervalMs: Int(50, 60_000, 1000, 'How often due events are looked for'),
        retryBaseSeconds: Int(1, 3600, 5, 'Mean delay before the first retry; each further retry doubles it'),
        retryMaxSeconds: Int(10, 86_400, 3600, 'Longest delay between two retries'),
      },
      { default: {}, additionalProperties: false },
    ),
    console: Type.Object(
      {
        /** Serve the web console at /console (sign-in with an API key that has the admin scope). */
        enabled: Type.Boolean({ default: true }),
        sessionMinutes: Int(1, 720, 30, 'Lifetime of a console session'),
      },
      { default: {}, additionalProperties: false },
    ),
    demo: Type.Object(
      {
        /** Serve the demo sign-in page at /demo. @default on in development, off in production */
        enabled: Type.Optional(Type.Boolean()),
        /** Seconds the page waits before it offers to send the code again. */
        resendAfterSeconds: Int(1, 600, 30, 'Wait before the demo page offers a resend'),
      },
      { default: {}, additionalProperties: false },
    ),
    abuse: AbuseConfig,
    /** Limit on request bodies, in bytes. */
    bodyLimit: Int(1024, 1_048_576, 16_384, 'Largest accepted request body'),
    /** A client that has not sent its whole request line and headers by then gets 408 (slowloris). */
    headersTimeoutMs: Int(100, 300_000, 10_000, "Time allowed to receive a request's headers"),
    /** A client that has not sent its whole request, body included, by then gets 408; at least headersTimeoutMs. */
    requestTimeoutMs: Int(100, 600_000, 30_000, 'Time allowed to receive a whole request, body included'),
    /** An idle keep-alive connection is closed after this long; behind a balancer, outlast its idle timeout. */
    keepAliveTimeoutMs: Int(100, 600_000, 5000, 'How long an idle keep-alive connection stays open'),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
