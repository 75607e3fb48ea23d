import Type, { type TSchema } from 'typebox';
import { CHANNELS } from '../../core/channel.ts';
import { MAX_CODE_LENGTH, MIN_CODE_LENGTH } from '../../core/policy.ts';
import { SERVICE_LIMITS } from '../../core/services.ts';

/** Schemas of the native API: they validate requests and document /openapi.json (tag "otpd API"). */
const L = SERVICE_LIMITS;
const Channel = Type.Union([Type.Literal('sms'), Type.Literal('email')], {
  description: `How the code is sent: ${CHANNELS.join(' or ')}`,
});

// Response members as plain `enum` and `type: [x, 'null']` schemas rather than unions (anyOf): the
// serializer writes those directly, where a union makes it validate each value to pick a branch.
const ChannelOut = Type.Unsafe<'sms' | 'email'>({ type: 'string', enum: [...CHANNELS] });
const nullable = <T>(type: string, description?: string) =>
  Type.Unsafe<T | null>({ type: [type, 'null'], ...(description ? { description } : {}) });
const Locale = Type.String({
  pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$',
  description: 'BCP 47 language tag: `pt-BR` falls back to `pt`, then to the service default, then `en`',
  examples: ['pt-BR'],
});
const ServiceId = Type.String({ pattern: '^VA[0-9a-f]{32}$', description: 'A service id' });
const VerificationId = Type.String({ minLength: 1, maxLength: 64, description: 'A verification id' });
const Time = Type.String({ format: 'date-time' });
const Template = Type.Object(
  {
    sms: Type.Optional(Type.String({ minLength: 1, maxLength: L.smsTemplate })),
    emailSubject: Type.Optional(Type.String({ minLength: 1, maxLength: L.emailSubject })),
    emailText: Type.Optional(Type.String({ minLength: 1, maxLength: L.emailText })),
    emailHtml: Type.Optional(Type.String({ minLength: 1, maxLength: L.emailHtml })),
  },
  { additionalProperties: false, description: 'Texts with `{code}` (and `{friendly_name}`) placeholders' },
);

/** Every setting a service may override; `nullable` lets an update clear one back to the server default. */
const settings = (nullable: boolean) => {
  const opt = (s: TSchema) => Type.Optional(nullable ? Type.Union([s, Type.Null()]) : s);
  return {
    codeLength: opt(Type.Integer({ minimum: MIN_CODE_LENGTH, maximum: MAX_CODE_LENGTH })),
    alphabet: opt(Type.Union([Type.Literal('numeric'), Type.Literal('alphanumeric')])),
    ttlSeconds: opt(Type.Integer({ minimum: L.ttlSeconds[0], maximum: L.ttlSeconds[1] })),
    maxChecks: opt(Type.Integer({ minimum: L.maxChecks[0], maximum: L.maxChecks[1] })),
    maxSends: opt(Type.Integer({ minimum: L.maxSends[0], maximum: L.maxSends[1] })),
    sendWindowSeconds: opt(Type.Integer({ minimum: L.sendWindowSeconds[0], maximum: L.sendWindowSeconds[1] })),
    channels: opt(Type.Array(Channel, { minItems: 1, maxItems: CHANNELS.length, uniqueItems: true })),
    defaultLocale: opt(Locale),
    templates: opt(Type.Record(Type.String(), Template, { maxProperties: L.templateLocales })),
    webOtpDomain: opt(Type.String({ minLength: 1, maxLength: 253 })),
    androidAppHash: opt(Type.String({ pattern: '^[A-Za-z0-9+/]{11}$' })),
  };
};

const FriendlyName = Type.String({ minLength: 1, maxLength: L.friendlyName });

export const ServiceCreate = Type.Object(
  { friendlyName: FriendlyName, ...settings(false) },
  { additionalProperties: false },
);
export const ServiceUpdate = Type.Object(
  { friendlyName: Type.Optional(FriendlyName), ...settings(true) },
  { additionalProperties: false },
);

export const ServiceOut = Type.Object(
  {
    id: ServiceId,
    friendlyName: Type.String(),
    default: Type.Boolean({ description: "The client's default service (CAMARA calls use it)" }),
    ...settings(false),
    createdAt: Time,
    updatedAt: Time,
  },
  { $id: 'NativeService' },
);

export const ServicePageOut = Type.Object({
  services: Type.Array(ServiceOut),
  next: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `after` for the next page' }),
});

export const ServiceParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
export const PageQuery = Type.Object(
  {
    // A query string is text: the number is read by the route (types are not coerced).
    limit: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,3}$', description: `Page size, ${L.pageSize[0]} to ${L.pageSize[1]}; 20` }),
    ),
    after: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

const Challenge = Type.Object(
  { token: Type.String({ maxLength: 1024 }), nonce: Type.String({ maxLength: 128 }) },
  { additionalProperties: false, description: 'A solved proof-of-work challenge from an earlier 429' },
);

export const StartBody = Type.Object(
  {
    service: Type.Optional(ServiceId),
    to: Type.String({ minLength: 3, maxLength: 254, description: 'E.164 number (sms) or email address (email)' }),
    channel: Type.Optional(Channel),
    locale: Type.Optional(Locale),
    challenge: Type.Optional(Challenge),
  },
  { additionalProperties: false },
);

export const CheckBody = Type.Object(
  {
    id: Type.Optional(VerificationId),
    service: Type.Optional(ServiceId),
    to: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })),
    code: Type.String({ minLength: 1, maxLength: 32 }),
  },
  { additionalProperties: false, description: 'Either `id`, or `to` (with `service`, else the default service)' },
);

export const VerificationParams = Type.Object({ id: VerificationId }, { additionalProperties: false });

const SendAttempt = Type.Object({
  id: Type.String({ description: 'The attempt, numbered from 1' }),
  channel: ChannelOut,
  at: Time,
  status: Type.String({ description: 'queued, sending, sent, delivered, failed, expired or abandoned' }),
  gateway: nullable<string>('string'),
  error: nullable<string>('string'),
});

export const VerificationOut = Type.Object(
  {
    id: Type.String(),
    service: nullable<string>('string', 'The service id'),
    to: Type.String({ description: 'The recipient, masked' }),
    channel: ChannelOut,
    status: Type.Unsafe<'pending' | 'approved' | 'canceled' | 'failed' | 'expired'>({
      type: 'string',
      enum: ['pending', 'approved', 'canceled', 'failed', 'expired'],
    }),
    locale: nullable<string>('string'),
    createdAt: Time,
    updatedAt: Time,
    expiresAt: Time,
    checks: Type.Object({ used: Type.Integer(), allowed: Type.Integer() }),
    sendAttempts: Type.Array(SendAttempt),
  },
  { $id: 'NativeVerification' },
);

const { sendAttempts: _, ...stateProperties } = VerificationOut.properties;

/** A check's answer: the verification's state after it (a check sends nothing: no send attempts). */
export const CheckOut = Type.Object({
  ...stateProperties,
  valid: Type.Boolean({ description: 'true only for the check that approved it' }),
});

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: "The error's stable code" }),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details', additionalProperties: true },
);

export const problems = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [s, { ...Problem, $id: undefined, description: `Problem ${s}`, content: undefined }]),
  );
