import Type from 'typebox';
import type { FieldMessages } from '../validation-messages.ts';

/** Schemas copied from the CAMARA One Time Password SMS v1.1.1 contract; they drive validation and /openapi.json. */
export const XCorrelatorPattern = /^[a-zA-Z0-9-_:;./<>{}]{0,256}$/;

export const SendCodeBody = Type.Object(
  {
    phoneNumber: Type.String({
      pattern: '^\\+[1-9][0-9]{4,14}$',
      description: 'E.164 number with a leading "+"',
      examples: ['+34629255833'],
    }),
    message: Type.String({
      pattern: '.*\\{\\{code\\}\\}.*',
      maxLength: 160,
      description: 'SMS text; `{{code}}` is replaced by the code',
      examples: ['{{code}} is your short code to authenticate with Cool App via SMS'],
    }),
  },
  { additionalProperties: false, $id: 'SendCodeBody' },
);

/** The rules of SendCodeBody in words, for the client whose request breaks one. */
export const FIELD_MESSAGES: FieldMessages = {
  'body/phoneNumber': {
    '*': 'phoneNumber must be in E.164 format: a + then the country code and number, no spaces (e.g. +34612345678)',
  },
  'headers/x-otpd-device-id': {
    '*': 'x-otpd-device-id must be 1 to 200 visible ASCII characters',
  },
  'headers/x-otpd-user-agent': { '*': 'x-otpd-user-agent must be 1 to 512 characters' },
  'headers/x-otpd-trusted-user': { '*': 'x-otpd-trusted-user must be true or false' },
  'body/message': {
    pattern:
      'message must contain the {{code}} placeholder, which is replaced by the code (e.g. "{{code}} is your code")',
  },
};

/**
 * otpd's optional fraud signals on send-code (not CAMARA's; a CAMARA client that sends none is
 * judged as before). The tenant's backend forwards what it knows of its end user; the end-user IP
 * still comes only from a trusted proxy's X-Forwarded-For.
 */
export const SignalHeaders = Type.Object({
  'x-otpd-device-id': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: '^[\\x21-\\x7e]+$',
      description: "An opaque id of the end user's device or app install",
    }),
  ),
  'x-otpd-user-agent': Type.Optional(
    Type.String({ minLength: 1, maxLength: 512, description: "The end user's browser or app user agent" }),
  ),
  'x-otpd-trusted-user': Type.Optional(
    Type.Union([Type.Literal('true'), Type.Literal('false')], {
      description: 'true: the tenant vouches for this user (signed in, with history); range throttles do not apply',
    }),
  ),
});

export const SendCodeResponse = Type.Object(
  { authenticationId: Type.String({ maxLength: 36 }) },
  { additionalProperties: false, $id: 'SendCodeResponse' },
);

export const ValidateCodeBody = Type.Object(
  {
    authenticationId: Type.String({ maxLength: 36 }),
    code: Type.String({ maxLength: 10 }),
  },
  { additionalProperties: false, $id: 'ValidateCodeBody' },
);

export const ErrorInfo = Type.Object(
  { status: Type.Integer(), code: Type.String(), message: Type.String() },
  { $id: 'ErrorInfo' },
);

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, { ...ErrorInfo, $id: undefined, description: `Error ${s}` }]));
