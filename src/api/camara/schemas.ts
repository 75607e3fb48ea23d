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
  'body/message': {
    pattern:
      'message must contain the {{code}} placeholder, which is replaced by the code (e.g. "{{code}} is your code")',
  },
};

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
