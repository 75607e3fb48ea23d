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
        perPrefix: Velocity(20, 3600, 'per number prefix (the number without its last 4 digits)'),
        perCountry: Velocity(1000, 3600, 'per destination country'),
      },
      { default: {}, additionalProperties: false },
    ),
    /** Blocks new sends to a country or prefix whose sent codes are rarely validated. */
    conversionBreaker: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
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
