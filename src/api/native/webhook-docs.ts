import { EVENT_TYPES, type EventType } from '../../core/ports/webhooks.ts';

// The events a service's webhook receives, for the OpenAPI document's `webhooks` section (3.1).

const str = (description: string) => ({ type: 'string', description });
const time = (description: string) => ({ type: 'string', format: 'date-time', description });
const nullableStr = (description: string) => ({ type: ['string', 'null'], description });

const COMMON = {
  service: str('The service id (`VA…`)'),
  to: str('The recipient, masked: never the full number or address'),
  channel: { type: 'string', enum: ['sms', 'email'] },
  at: time('When it happened'),
};

const VERIFICATION = {
  type: 'object',
  required: ['service', 'verification', 'to', 'channel', 'checks', 'maxChecks', 'createdAt', 'expiresAt', 'at'],
  properties: {
    ...COMMON,
    verification: str('The verification id (`VE…`, or the CAMARA authenticationId)'),
    checks: { type: 'integer', description: 'Checks made' },
    maxChecks: { type: 'integer', description: 'Checks allowed' },
    createdAt: time('When the verification started'),
    expiresAt: time('When its code expires'),
  },
};

const MESSAGE = {
  type: 'object',
  required: ['service', 'verification', 'message', 'to', 'channel', 'status', 'attempts', 'at'],
  properties: {
    ...COMMON,
    verification: str('The verification the message carries a code of'),
    message: str('The message id'),
    status: str('sent, delivered, failed, expired (its code expired before it could be sent) or abandoned'),
    gateway: nullableStr('The gateway that took it (or last tried)'),
    error: nullableStr("The gateway's reason, for a failure"),
    attempts: { type: 'integer', description: 'Send attempts so far' },
  },
};

const REFUSED = {
  type: 'object',
  required: ['service', 'to', 'channel', 'defence', 'at'],
  properties: {
    ...COMMON,
    defence: str('The defence that refused the send, e.g. block_list, number_type, velocity_prefix, range_block'),
  },
};

const SUMMARY: Record<EventType, [string, object]> = {
  'verification.approved': ['A verification was approved (right code, or approved by the API)', VERIFICATION],
  'verification.expired': ['A verification expired unused', VERIFICATION],
  'verification.canceled': ['A verification was canceled', VERIFICATION],
  'verification.max_attempts': ['A verification failed: every check it allowed was wrong', VERIFICATION],
  'message.sent': ['A gateway accepted a message with a code', MESSAGE],
  'message.delivered': ['A delivery receipt says the message arrived', MESSAGE],
  'message.failed': ['A message failed, with the reason', MESSAGE],
  'fraud.refused': ['A fraud defence refused a send', REFUSED],
};

const HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => ({
  name,
  in: 'header',
  required: true,
  schema: { type: 'string' },
  description: 'Standard Webhooks (https://www.standardwebhooks.com): verify with the service secret',
}));

/** One entry per event type: the signed POST otpd sends to the service's webhook URL. */
export function webhookDocs(): Record<string, unknown> {
  return Object.fromEntries(
    EVENT_TYPES.map((type) => {
      const [summary, data] = SUMMARY[type];
      return [
        type,
        {
          post: {
            tags: ['Webhooks'],
            summary,
            description:
              'Posted to the service webhook, at least once and in order per verification, signed with the ' +
              "service's secret (both secrets during a rotation). Answer 2xx; anything else is retried for a day.",
            parameters: HEADERS,
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['type', 'timestamp', 'data'],
                    properties: { type: { type: 'string', enum: [type] }, timestamp: time('When it happened'), data },
                  },
                },
              },
            },
            responses: { '2XX': { description: 'Received' } },
          },
        },
      ];
    }),
  );
}
