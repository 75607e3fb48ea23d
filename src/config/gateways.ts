import type { Channel } from '../core/channel.ts';
import Type, { type Static } from 'typebox';

/**
 * Gateway and route configuration: a discriminated union on `type` (and `preset` for HTTP
 * providers), validated at boot with the rest of the configuration. Secret fields are listed in
 * SECRET_FIELDS so the printable configuration can redact them.
 */
const Id = Type.String({
  pattern: '^[a-z0-9][a-z0-9_-]{0,31}$',
  description: 'Name used in routes, logs, metrics and callback URLs',
});
const Rate = Type.Optional(
  Type.Number({
    exclusiveMinimum: 0,
    maximum: 100_000,
    description: 'Messages per second through this gateway (per process)',
  }),
);
const Secret = (description: string) => Type.String({ minLength: 1, description });
const Url = (def?: string) => Type.String({ pattern: '^https?://', ...(def ? { default: def } : {}) });
const Price = Type.Optional(
  Type.Number({ minimum: 0, maximum: 100, description: 'What one SMS segment costs through this gateway' }),
);
const common = {
  id: Id,
  ratePerSecond: Rate,
  maxInFlight: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 100_000,
      description:
        'Calls to this gateway in flight at once (per process). Default: 1000 for the development outbox, ' +
        '200 for HTTP providers, the window for SMPP, 10 for SMTP',
    }),
  ),
  pricePerSegment: Price,
  /** Prices by ISO country where they differ from pricePerSegment. */
  countryPrices: Type.Optional(
    Type.Record(Type.String({ pattern: '^[A-Z]{2}$' }), Type.Number({ minimum: 0, maximum: 100 })),
  ),
};
const strict = { additionalProperties: false } as const;

export const DevOutboxConfig = Type.Object({ type: Type.Literal('dev-outbox'), ...common }, strict);

/** A vendor-specific SMPP optional parameter, as configured. */
const Tlv = Type.Object(
  {
    tag: Type.Integer({ minimum: 0x1400, maximum: 0x3fff, description: 'vendor-specific range (SMPP 3.4 §5.3.2)' }),
    value: Type.String({ maxLength: 255 }),
    encoding: Type.Union([Type.Literal('cstring'), Type.Literal('string'), Type.Literal('hex')], {
      default: 'cstring',
    }),
  },
  strict,
);

export const SmppConfig = Type.Object(
  {
    type: Type.Literal('smpp'),
    ...common,
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 2775 }),
    tls: Type.Boolean({ default: false }),
    accountPerSecond: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 10_000,
        description:
          "submit_sm per second for this SMPP account over every replica (the store's shared limiter on " +
          'PostgreSQL; this process alone on SQLite), on top of throughputPerSecond per process',
      }),
    ),
    accountBinds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 64,
        description:
          'Binds this SMPP account may have open over every replica (slots held through PostgreSQL); ' +
          'each process opens at most `binds` of them',
      }),
    ),
    binds: Type.Integer({
      minimum: 1,
      maximum: 16,
      default: 1,
      description: 'Binds that submit (transceivers, or transmitters with bindMode: separate)',
    }),
    bindMode: Type.Union([Type.Literal('transceiver'), Type.Literal('separate')], {
      default: 'transceiver',
      description: 'separate: transmitter binds submit and one receiver bind takes the receipts',
    }),
    tlsCaFile: Type.Optional(
      Type.String({
        minLength: 1,
        description: "PEM file of the CA that signed the SMSC's certificate, when it is not a public one",
      }),
    ),
    systemId: Type.String({ minLength: 1, maxLength: 15 }),
    password: Type.String({ maxLength: 8, description: 'SMPP 3.4 allows at most 8 characters' }),
    systemType: Type.String({ maxLength: 12, default: '' }),
    sourceAddr: Type.String({
      minLength: 1,
      maxLength: 20,
      description: 'Sender: a short code, a number or an alphanumeric name',
    }),
    sourceTon: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 6,
        description: 'Default: 5 (alphanumeric) for a name, 1 (international) for digits',
      }),
    ),
    sourceNpi: Type.Optional(Type.Integer({ minimum: 0, maximum: 18 })),
    window: Type.Integer({
      minimum: 1,
      maximum: 1000,
      default: 10,
      description: 'submit_sm requests awaiting a response at once',
    }),
    throughputPerSecond: Type.Number({
      exclusiveMinimum: 0,
      maximum: 10_000,
      default: 50,
      description: 'submit_sm per second on this bind',
    }),
    enquireLinkSeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 30 }),
    requestTimeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
    reconnectBaseMs: Type.Integer({ minimum: 10, maximum: 60_000, default: 1000 }),
    reconnectMaxMs: Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000 }),
    textEncoding: Type.Union(
      [Type.Literal('gsm7'), Type.Literal('ascii'), Type.Literal('latin1'), Type.Literal('ucs2')],
      {
        default: 'gsm7',
        description:
          'How a GSM-7 text goes out: gsm7 (data_coding 0, the SMSC default alphabet being GSM 03.38), ' +
          'ascii (1) or latin1 (3) for SMSCs whose default alphabet is not, ucs2 (8) always',
      },
    ),
    serviceType: Type.String({ maxLength: 5, default: '', description: 'submit_sm service_type' }),
    protocolId: Type.Integer({ minimum: 0, maximum: 255, default: 0, description: 'submit_sm protocol_id' }),
    priorityFlag: Type.Integer({ minimum: 0, maximum: 3, default: 0, description: 'submit_sm priority_flag' }),
    replaceIfPresent: Type.Boolean({
      default: false,
      description:
        'replace_if_present_flag: the SMSC replaces a message to the same number from the same sender that it ' +
        'still holds, so a superseded code is not delivered after the new one',
    }),
    tlvs: Type.Array(Tlv, {
      default: [],
      description: 'Optional parameters on every submit_sm, e.g. India DLT: PE_ID 0x1400, template id 0x1401',
    }),
  },
  strict,
);

export const SmtpConfig = Type.Object(
  {
    type: Type.Literal('smtp'),
    ...common,
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 587 }),
    secure: Type.Boolean({
      default: false,
      description: 'TLS from the start (port 465); otherwise STARTTLS when offered',
    }),
    requireTls: Type.Boolean({ default: false, description: 'Refuse to send unless STARTTLS succeeds' }),
    user: Type.Optional(Type.String()),
    password: Type.Optional(Type.String()),
    from: Type.String({ minLength: 3 }),
    subject: Type.String({ default: 'Your verification code' }),
  },
  strict,
);

const http = { type: Type.Literal('http'), ...common };
export const TwilioConfig = Type.Object(
  {
    ...http,
    preset: Type.Literal('twilio'),
    accountSid: Type.String({ pattern: '^AC[0-9a-fA-F]{32}$' }),
    authToken: Secret('Also the key of X-Twilio-Signature on status callbacks'),
    from: Type.Optional(Type.String({ minLength: 1 })),
    messagingServiceSid: Type.Optional(Type.String({ pattern: '^MG[0-9a-fA-F]{32}$' })),
    baseUrl: Url('https://api.twilio.com'),
  },
  strict,
);

export const VonageConfig = Type.Object(
  {
    ...http,
    preset: Type.Literal('vonage'),
    apiKey: Type.String({ minLength: 1 }),
    apiSecret: Secret('Vonage API secret'),
    from: Type.String({ minLength: 1 }),
    /** Key of the `sig` parameter Vonage adds to delivery receipts once signing is enabled on the account. */
    signatureSecret: Secret('Vonage signature secret'),
    signatureMethod: Type.Union(
      [
        Type.Literal('md5hash'),
        Type.Literal('md5'),
        Type.Literal('sha1'),
        Type.Literal('sha256'),
        Type.Literal('sha512'),
      ],
      { default: 'sha256' },
    ),
    baseUrl: Url('https://rest.nexmo.com'),
  },
  strict,
);

export const InfobipConfig = Type.Object(
  {
    ...http,
    preset: Type.Literal('infobip'),
    baseUrl: Url(),
    apiKey: Secret('Infobip API key'),
    from: Type.String({ minLength: 1 }),
    /** Infobip does not sign delivery reports: this secret goes in the notify URL and is checked in constant time. */
    callbackToken: Type.String({ minLength: 16 }),
  },
  strict,
);

export const Msg91Config = Type.Object(
  {
    ...http,
    preset: Type.Literal('msg91'),
    authKey: Secret('MSG91 auth key'),
    sender: Type.String({ minLength: 1, maxLength: 11 }),
    /** India DLT: the template registered with the operator (DLT_TE_ID) and the principal entity (PE_ID). */
    dltTemplateId: Type.String({ pattern: '^[0-9]{10,25}$' }),
    entityId: Type.String({ pattern: '^[0-9]{10,25}$' }),
    route: Type.String({ default: '4', description: '4 = transactional' }),
    callbackToken: Type.String({ minLength: 16 }),
    baseUrl: Url('https://control.msg91.com'),
  },
  strict,
);

export const WebhookConfig = Type.Object(
  {
    ...http,
    preset: Type.Literal('webhook'),
    url: Url(),
    /** Standard Webhooks secret (`whsec_` + base64): signs what otpd sends and checks what comes back. */
    secret: Type.String({ pattern: '^whsec_[A-Za-z0-9+/=]{24,}$' }),
    /** Allow a URL on a loopback or private address (refused by default: SSRF). */
    allowPrivateNetwork: Type.Boolean({ default: false }),
  },
  strict,
);

export const GatewayConfig = Type.Union([
  DevOutboxConfig,
  SmppConfig,
  SmtpConfig,
  TwilioConfig,
  VonageConfig,
  InfobipConfig,
  Msg91Config,
  WebhookConfig,
]);
export type GatewayConfig = Static<typeof GatewayConfig>;
export type HttpGatewayConfig =
  | Static<typeof TwilioConfig>
  | Static<typeof VonageConfig>
  | Static<typeof InfobipConfig>
  | Static<typeof Msg91Config>
  | Static<typeof WebhookConfig>;

export const RouteConfig = Type.Object(
  {
    countries: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Z]{2}$' }), { minItems: 1 })),
    prefixes: Type.Optional(Type.Array(Type.String({ pattern: '^\\+[0-9]{1,15}$' }), { minItems: 1 })),
    gateways: Type.Array(Id, { minItems: 1 }),
    smppTlvs: Type.Optional(
      Type.Array(Tlv, {
        description: 'TLVs added to the submit_sm of the messages this route sends over SMPP (e.g. a DLT template id)',
      }),
    ),
  },
  strict,
);

/** Field names whose values are credentials: never logged, never printed. */
export const SECRET_FIELDS = [
  'password',
  'authToken',
  'apiSecret',
  'apiKey',
  'signatureSecret',
  'authKey',
  'secret',
  'callbackToken',
] as const;

/** The channels a gateway carries: the development outbox catches both, as a developer's phone and inbox. */
export const channelsOf = (g: GatewayConfig): readonly Channel[] =>
  g.type === 'dev-outbox' ? ['sms', 'email'] : g.type === 'smtp' ? ['email'] : ['sms'];
