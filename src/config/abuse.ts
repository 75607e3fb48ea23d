import Type from 'typebox';

const Velocity = (max: number, perSeconds: number, what: string) =>
  Type.Object(
    {
      max: Type.Integer({
        minimum: 0,
        maximum: 100_000_000,
        default: max,
        description: `send-codes ${what} (0 = no limit)`,
      }),
      perSeconds: Type.Integer({ minimum: 1, maximum: 604_800, default: perSeconds }),
    },
    { default: {}, additionalProperties: false },
  );

const Seconds = (def: number, min: number, max: number, description: string) =>
  Type.Integer({ minimum: min, maximum: max, default: def, description });

/**
 * The range guard (core/fraud/judge.ts): per tenant, judges sends over nested number ranges in
 * real time and throttles, then blocks, the narrowest guilty range. docs/security.md explains each
 * default and the simulation that checks them.
 */
const RangeGuardConfig = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    /** Only log, count and record (as shadow rows) what would be throttled or blocked. */
    shadow: Type.Boolean({ default: false }),
    windowSeconds: Seconds(3600, 300, 86_400, 'Sends created in this window are judged'),
    intervalSeconds: Seconds(5, 1, 300, 'How often the ranges are judged'),
    newRangeBudget: Type.Integer({
      minimum: 1,
      maximum: 10_000,
      default: 6,
      description: 'Unproven codes a range may have in the window before it is throttled',
    }),
    probationBudget: Type.Integer({
      minimum: 0,
      maximum: 10_000,
      default: 2,
      description: 'The same, for a range that offended within memorySeconds',
    }),
    failuresPerValidation: Type.Number({
      minimum: 0.05,
      maximum: 10,
      default: 0.5,
      description: 'Unproven codes allowed per credible validation, at least',
    }),
    baselineFactor: Type.Number({
      minimum: 1,
      maximum: 100,
      default: 2,
      description: "Multiple of a range's normal unproven volume it may reach",
    }),
    minProvisionalSeconds: Seconds(30, 5, 3600, 'Shortest wait before an unvalidated code counts as failed'),
    maxProvisionalSeconds: Seconds(180, 5, 3600, 'Longest such wait (before the tenant has a history)'),
    throttleSeconds: Seconds(900, 60, 86_400, 'How long a first offence is throttled'),
    throttleMinPerHour: Type.Integer({ minimum: 1, maximum: 100_000, default: 6 }),
    blockSeconds: Seconds(1800, 60, 604_800, 'A first block; doubled for each further strike'),
    maxBlockSeconds: Seconds(86_400, 60, 2_592_000, 'The longest block'),
    memorySeconds: Seconds(604_800, 3600, 7_776_000, 'How long offences are remembered'),
    spreadChildren: Type.Integer({ minimum: 2, maximum: 10, default: 3 }),
    maxRows: Type.Integer({
      minimum: 1000,
      maximum: 10_000_000,
      default: 50_000,
      description: 'Most sends read per judgement (the newest): bounds its memory and time',
    }),
    /** The proof of work a surface that supports it may answer a throttled range with (instead of a 429). */
    challenge: Type.Object(
      {
        difficultyBits: Type.Integer({ minimum: 8, maximum: 28, default: 18, description: 'Leading zero bits asked' }),
        ttlSeconds: Type.Integer({
          minimum: 30,
          maximum: 3600,
          default: 300,
          description: 'How long a challenge lasts',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    /** With gateway prices configured: each tenant's spend per destination country and hour. */
    spendCap: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        baselineFactor: Type.Number({
          minimum: 1,
          maximum: 1000,
          default: 3,
          description: "Multiple of the tenant's learnt hourly spend in the country",
        }),
        minPerHour: Type.Number({
          minimum: 0,
          maximum: 1_000_000,
          default: 2,
          description: 'Spend allowed per country and hour whatever the baseline (currency units)',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    maxBaselinesPerClient: Type.Integer({ minimum: 10, maximum: 1_000_000, default: 5000 }),
  },
  { default: {}, additionalProperties: false },
);

/**
 * The abuse and SMS-pumping defences (../shared/SECURITY.md, "Abuse and SMS pumping"). Every
 * number here is a default; docs/security.md says why each was chosen.
 */
export const AbuseConfig = Type.Object(
  {
    /** Proxies (IPs or CIDRs) whose X-Forwarded-For / X-Real-IP are believed; empty: the socket address, always. */
    trustedProxies: Type.Array(Type.String({ pattern: '^[0-9a-fA-F:.]+(/\\d{1,3})?$' }), { default: [] }),
    /** The header a trusted proxy sets: read that one only, or a client could choose its IP through the other. */
    clientIpHeader: Type.Union([Type.Literal('x-forwarded-for'), Type.Literal('x-real-ip')], {
      default: 'x-forwarded-for',
    }),
    /**
     * Countries a client may send to unless it has a policy of its own: all but `list` (deny), or only
     * `list` (allow).
     */
    countries: Type.Object(
      {
        mode: Type.Union([Type.Literal('allow'), Type.Literal('deny')], { default: 'deny' }),
        /** ISO 3166-1 alpha-2 codes, or 001 for numbers outside any country (satellite, international networks). */
        list: Type.Array(Type.String({ pattern: '^([A-Z]{2}|001)$' }), { default: ['001'] }),
      },
      { default: {}, additionalProperties: false },
    ),
    velocity: Type.Object(
      {
        perClient: Velocity(600, 60, 'per API client'),
        perIp: Velocity(20, 600, 'per client IP (an IPv6 /64)'),
        /**
         * proxied: only end-user IPs learnt from a trusted proxy are limited (a backend calling otpd
         * has one address for all its users); always: the socket address too.
         */
        perIpScope: Type.Union([Type.Literal('proxied'), Type.Literal('always')], { default: 'proxied' }),
        perNet: Velocity(100, 600, 'per client network (an IPv6 /48, an IPv4 /24)'),
        perPrefix: Velocity(20, 3600, 'per number prefix (the number without its last 4 digits)'),
        // Off by default: a fixed count per country refuses a large tenant's normal growth; the range
        // guard judges each tenant's countries against that tenant's own baseline instead.
        perCountry: Velocity(0, 3600, 'per destination country'),
      },
      { default: {}, additionalProperties: false },
    ),
    rangeGuard: RangeGuardConfig,
    /**
     * The first, global breaker: blocks a country or prefix for every tenant at once when codes
     * expire unvalidated. Superseded by the range guard (per tenant, real time, every range level)
     * and off by default; kept for operators who relied on it.
     */
    conversionBreaker: Type.Object(
      {
        enabled: Type.Boolean({ default: false }),
        /** Only log and count what would be blocked. */
        shadow: Type.Boolean({ default: false }),
        windowSeconds: Type.Integer({
          minimum: 60,
          maximum: 604_800,
          default: 3600,
          description: 'Codes that expired in this window are judged',
        }),
        minConversion: Type.Number({
          minimum: 0,
          maximum: 1,
          default: 0.2,
          description: 'Trip below this share of validated codes',
        }),
        minSentCountry: Type.Integer({
          minimum: 1,
          maximum: 1_000_000,
          default: 50,
          description: 'Judge a country only past this many codes',
        }),
        minSentPrefix: Type.Integer({
          minimum: 1,
          maximum: 1_000_000,
          default: 10,
          description: 'Judge a prefix only past this many codes',
        }),
        cooldownSeconds: Type.Integer({ minimum: 60, maximum: 604_800, default: 3600 }),
        intervalSeconds: Type.Integer({
          minimum: 1,
          maximum: 3600,
          default: 30,
          description: 'How often the statistics are evaluated',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { default: {}, additionalProperties: false },
);
