import Type from 'typebox';

/**
 * Twilio's form parameters that otpd reads (PascalCase strings, as the SDKs send them). Parameters
 * of Twilio's that otpd does not implement are accepted by name only to be refused in words
 * (`unsupported`), never silently ignored; anything else is an unknown parameter (60200).
 */
const Str = (o: object = {}) => Type.Optional(Type.String({ maxLength: 256, ...o }));
const Int = Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' }));

/** Service parameters Twilio has and otpd does not: a true (or any value) is refused. */
export const UNSUPPORTED_SERVICE = [
  'LookupEnabled',
  'SkipSmsToLandlines',
  'DtmfInputRequired',
  'TtsName',
  'Psd2Enabled',
  'DoNotShareWarningEnabled',
  'CustomCodeEnabled',
  'Push.IncludeDate',
  'Push.ApnCredentialSid',
  'Push.FcmCredentialSid',
  'Totp.Issuer',
  'Totp.TimeStep',
  'Totp.CodeLength',
  'Totp.Skew',
  'DefaultTemplateSid',
  'Whatsapp.MsgServiceSid',
  'Whatsapp.From',
  'VerifyEventSubscriptionEnabled',
] as const;

/** Verification parameters Twilio has and otpd does not. */
export const UNSUPPORTED_START = [
  'CustomMessage',
  'SendDigits',
  'CustomCode',
  'Amount',
  'Payee',
  'RateLimits',
  'ChannelConfiguration',
  'TemplateSid',
  'TemplateCustomSubstitutions',
  'EnableSnaClientToken',
  'Tags',
] as const;

const optional = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, Str({ maxLength: 4096 })]));

export const ServiceForm = Type.Object(
  { FriendlyName: Str({ minLength: 1, maxLength: 64 }), CodeLength: Int, ...optional(UNSUPPORTED_SERVICE) },
  { additionalProperties: false },
);

export const StartForm = Type.Object(
  {
    To: Type.String({ minLength: 1, maxLength: 254 }),
    Channel: Type.String({ minLength: 1, maxLength: 16 }),
    Locale: Str({ maxLength: 35 }),
    CustomFriendlyName: Str({ minLength: 1, maxLength: 64 }),
    AppHash: Str({ maxLength: 32 }),
    DeviceIp: Str({ maxLength: 45 }),
    RiskCheck: Type.Optional(Type.Union([Type.Literal('enable'), Type.Literal('disable')])),
    ...optional(UNSUPPORTED_START),
  },
  { additionalProperties: false },
);

export const UpdateForm = Type.Object(
  { Status: Type.Union([Type.Literal('canceled'), Type.Literal('approved')]) },
  { additionalProperties: false },
);

export const CheckForm = Type.Object(
  {
    Code: Type.String({ minLength: 1, maxLength: 32 }),
    To: Str({ minLength: 1, maxLength: 254 }),
    VerificationSid: Str({ minLength: 1, maxLength: 64 }),
    Amount: Str(),
    Payee: Str(),
  },
  { additionalProperties: false },
);

export const PageQuery = Type.Object(
  {
    PageSize: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
    Page: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}$' })),
    PageToken: Type.Optional(Type.String({ pattern: '^VA[0-9a-f]{32}$', description: 'From next_page_url' })),
  },
  { additionalProperties: false },
);

export const ServiceSidParams = Type.Object({ Sid: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
export const ServiceParams = Type.Object(
  { ServiceSid: Type.String({ maxLength: 64 }) },
  { additionalProperties: false },
);
export const VerificationParams = Type.Object(
  { ServiceSid: Type.String({ maxLength: 64 }), Sid: Type.String({ maxLength: 64 }) },
  { additionalProperties: false },
);
