import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { CallbackRequest, ReceiptInput } from '../../src/core/ports/gateway.ts';
import {
  signStandardWebhook,
  twilioSignature,
  verifyStandardWebhook,
  vonageSignature,
} from '../../src/gateways/http/signatures.ts';
import type { PeerMode } from '../contract/gateway.contract.ts';
import { segmentInfo } from '../../src/core/segments.ts';

export interface Incoming {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

/** One vendor's wire format, as its API checks and answers it (never otpd's code). */
export interface VendorSpec {
  readonly name: string;
  /** The recipient and text of a well-formed request, or the vendor's refusal of a malformed one. */
  parse(req: Incoming): { to: string; text: string } | { refuse: Reply };
  answer(mode: Exclude<PeerMode, 'hang'>, id: string, to: string, text: string): Reply;
  /** A signed delivery report for a message, as the vendor would POST it to `callbackUrl`. */
  report(callbackUrl: string, id: string, status: ReceiptInput['status'], now: number): CallbackRequest;
}

export interface FakeVendor {
  readonly spec: VendorSpec;
  readonly url: string;
  /** 'hold' keeps each request unanswered until release(): a gateway that stalls, then recovers. */
  mode(m: PeerMode | 'hold'): void;
  /** Answers every held request as accepted, in the order they came. */
  release(): void;
  /** Requests held now. */
  held(): number;
  received(): { to: string; text: string }[];
  /** Requests the vendor refused as malformed (a wire-format mistake by otpd). */
  refused(): Reply[];
  stop(): Promise<void>;
}

/** Runs a vendor's API on a local port: it checks otpd's requests and answers them as the vendor does. */
export async function startVendor(spec: VendorSpec): Promise<FakeVendor> {
  let mode: PeerMode | 'hold' = 'ok';
  let held: (() => void)[] = [];
  const got: { to: string; text: string }[] = [];
  const refused: Reply[] = [];
  const send = (res: ServerResponse, r: Reply) => {
    res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
    res.end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const parsed = spec.parse({
        method: req.method ?? '',
        url: new URL(req.url ?? '/', 'http://vendor.test'),
        headers: req.headers,
        body,
      });
      if ('refuse' in parsed) {
        refused.push(parsed.refuse);
        return send(res, parsed.refuse);
      }
      if (mode === 'hang') return;
      const answer = (m: Exclude<PeerMode, 'hang'>) => {
        if (m === 'ok') got.push(parsed);
        send(res, spec.answer(m, randomBytes(16).toString('hex'), parsed.to, parsed.text));
      };
      if (mode === 'hold') held.push(() => answer('ok'));
      else answer(mode);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    spec,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    mode: (m) => (mode = m),
    release() {
      const now = held;
      held = [];
      for (const answer of now) answer();
    },
    held: () => held.length,
    received: () => [...got],
    refused: () => [...refused],
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const refuse = (status: number, body: unknown): { refuse: Reply } => ({ refuse: { status, body } });
const formOf = (b: string) => Object.fromEntries(new URLSearchParams(b));
const jsonOf = (b: string): any => {
  try {
    return JSON.parse(b);
  } catch {
    return undefined;
  }
};
const isForm = (r: Incoming) => (r.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
const isJson = (r: Incoming) => (r.headers['content-type'] ?? '').startsWith('application/json');

export const TWILIO = {
  accountSid: `AC${'a1'.repeat(16)}`,
  authToken: 'twilio-auth-token-0123456789',
  from: '+15005550006',
};

export function twilioSpec(callbackUrl: string): VendorSpec {
  return {
    name: 'twilio',
    parse(r) {
      const auth = `Basic ${Buffer.from(`${TWILIO.accountSid}:${TWILIO.authToken}`).toString('base64')}`;
      if (r.headers.authorization !== auth) return refuse(401, { code: 20003, message: 'Authenticate', status: 401 });
      if (
        r.method !== 'POST' ||
        r.url.pathname !== `/2010-04-01/Accounts/${TWILIO.accountSid}/Messages.json` ||
        !isForm(r)
      ) {
        return refuse(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
      }
      const f = formOf(r.body);
      if (!f.To || !/^\+[1-9]\d{6,14}$/.test(f.To))
        return refuse(400, { code: 21211, message: "The 'To' number is not a valid phone number.", status: 400 });
      if (!f.Body || f.From !== TWILIO.from || f.StatusCallback !== callbackUrl)
        return refuse(400, { code: 21602, message: 'Message body is required.', status: 400 });
      return { to: f.To, text: f.Body };
    },
    answer(mode, id, to, text) {
      if (mode === 'transient')
        return {
          status: 429,
          body: { code: 20429, message: 'Too Many Requests', status: 429 },
          headers: { 'retry-after': '2' },
        };
      if (mode === 'permanent')
        return {
          status: 400,
          body: { code: 21610, message: 'Attempt to send to unsubscribed recipient', status: 400 },
        };
      return {
        status: 201,
        body: {
          sid: `SM${id}`,
          account_sid: TWILIO.accountSid,
          to,
          from: TWILIO.from,
          status: 'queued',
          num_segments: String(segmentInfo(text).segments),
          error_code: null,
        },
      };
    },
    report(url, id, status) {
      const body = new URLSearchParams({
        AccountSid: TWILIO.accountSid,
        ApiVersion: '2010-04-01',
        From: TWILIO.from,
        MessageSid: id,
        SmsSid: id,
        To: '+34629255833',
        MessageStatus: status === 'delivered' ? 'delivered' : 'undelivered',
        SmsStatus: status === 'delivered' ? 'delivered' : 'undelivered',
        ...(status === 'delivered' ? {} : { ErrorCode: '30003' }),
      });
      const sig = twilioSignature(TWILIO.authToken, url, body);
      return {
        url,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig },
        body: body.toString(),
      };
    },
  };
}

export const VONAGE = {
  apiKey: 'abcd1234',
  apiSecret: 'vonage-secret-0123',
  from: 'OTPD',
  signatureSecret: 'vonage-signature-secret',
};

export function vonageSpec(callbackUrl: string): VendorSpec {
  return {
    name: 'vonage',
    parse(r) {
      if (r.method !== 'POST' || r.url.pathname !== '/sms/json' || !isForm(r)) return refuse(404, '');
      const f = formOf(r.body);
      if (f.api_key !== VONAGE.apiKey || f.api_secret !== VONAGE.apiSecret) {
        return refuse(200, { 'message-count': '1', messages: [{ status: '4', 'error-text': 'Bad Credentials' }] });
      }
      if (!f.to || !/^[1-9]\d{6,14}$/.test(f.to) || !f.text || f.from !== VONAGE.from || f.callback !== callbackUrl) {
        return refuse(200, {
          'message-count': '1',
          messages: [{ status: '2', 'error-text': 'Missing or invalid params' }],
        });
      }
      const gsm = /^[\x20-\x7e]*$/.test(f.text);
      if ((f.type === 'unicode') === gsm)
        return refuse(200, {
          'message-count': '1',
          messages: [{ status: '3', 'error-text': 'type does not match the text' }],
        });
      return { to: f.to, text: f.text };
    },
    answer(mode, id, to) {
      const status = mode === 'ok' ? '0' : mode === 'transient' ? '1' : '6';
      return {
        status: 200,
        body: {
          'message-count': '1',
          messages: [
            {
              to,
              status,
              ...(mode === 'ok' ? { 'message-id': id.slice(0, 16).toUpperCase() } : { 'error-text': 'refused' }),
            },
          ],
        },
      };
    },
    report(url, id, status, now) {
      const p: Record<string, string> = {
        msisdn: '34629255833',
        to: VONAGE.from,
        'network-code': '21401',
        messageId: id,
        price: '0.0333',
        status,
        scts: '2601011200',
        'err-code': status === 'delivered' ? '0' : '6',
        'api-key': VONAGE.apiKey,
        'message-timestamp': '2026-01-01 12:00:00',
        timestamp: String(Math.floor(now / 1000)),
        nonce: randomBytes(8).toString('hex'),
      };
      p.sig = vonageSignature(VONAGE.signatureSecret, 'sha256', p);
      return { url, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(p) };
    },
  };
}

export const INFOBIP = { apiKey: 'infobip-key-0123456789', from: 'OTPD', callbackToken: 'infobip-token-0123456789' };

export function infobipSpec(callbackUrl: string): VendorSpec {
  const err = (status: number, messageId: string) =>
    refuse(status, { requestError: { serviceException: { messageId, text: messageId } } });
  return {
    name: 'infobip',
    parse(r) {
      if (r.headers.authorization !== `App ${INFOBIP.apiKey}`) return err(401, 'UNAUTHORIZED');
      if (r.method !== 'POST' || r.url.pathname !== '/sms/2/text/advanced' || !isJson(r)) return err(404, 'NOT_FOUND');
      const m = jsonOf(r.body)?.messages?.[0];
      const to = m?.destinations?.[0]?.to;
      if (
        typeof to !== 'string' ||
        !/^[1-9]\d{6,14}$/.test(to) ||
        typeof m.text !== 'string' ||
        m.from !== INFOBIP.from
      )
        return err(400, 'BAD_REQUEST');
      if (m.notifyUrl !== callbackUrl || m.notifyContentType !== 'application/json') return err(400, 'BAD_REQUEST');
      return { to, text: m.text };
    },
    answer(mode, id, to) {
      if (mode === 'transient')
        return {
          status: 503,
          body: { requestError: { serviceException: { messageId: 'SERVICE_UNAVAILABLE', text: 'try later' } } },
        };
      const status =
        mode === 'ok'
          ? {
              groupId: 1,
              groupName: 'PENDING',
              id: 26,
              name: 'PENDING_ACCEPTED',
              description: 'Message sent to next instance',
            }
          : { groupId: 5, groupName: 'REJECTED', id: 6, name: 'REJECTED_NETWORK', description: 'Network is forbidden' };
      return { status: 200, body: { bulkId: `bulk-${id}`, messages: [{ to, status, messageId: id }] } };
    },
    report(url, id, status) {
      const group = status === 'delivered' ? 'DELIVERED' : status === 'expired' ? 'EXPIRED' : 'UNDELIVERABLE';
      const body = {
        results: [
          {
            messageId: id,
            to: '34629255833',
            status: { groupId: 3, groupName: group, id: 5, name: `${group}_X` },
            error: { groupId: 0, groupName: 'OK', id: 0, name: 'NO_ERROR', permanent: false },
          },
        ],
      };
      return { url, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    },
  };
}

export const MSG91 = {
  authKey: 'msg91-auth-key-0123',
  sender: 'OTPDIN',
  dltTemplateId: '1307160000000000001',
  entityId: '1201160000000000001',
  callbackToken: 'msg91-token-0123456789',
};

export function msg91Spec(): VendorSpec {
  const error = (message: string, code: string) => refuse(200, { type: 'error', message, code });
  return {
    name: 'msg91',
    parse(r) {
      if (r.headers.authkey !== MSG91.authKey) return error('Authentication failure', '201');
      if (r.method !== 'POST' || r.url.pathname !== '/api/v2/sendsms' || !isJson(r))
        return refuse(404, { type: 'error', message: 'not found' });
      const b = jsonOf(r.body);
      if (b?.DLT_TE_ID !== MSG91.dltTemplateId || b?.PE_ID !== MSG91.entityId)
        return error('SMS not Matched with DLT Template', '418');
      const sms = b.sms?.[0];
      const to = sms?.to?.[0];
      if (
        typeof to !== 'string' ||
        !/^[1-9]\d{6,14}$/.test(to) ||
        typeof sms.message !== 'string' ||
        b.sender !== MSG91.sender
      )
        return error('Missing mobile no.', '101');
      return { to, text: sms.message };
    },
    answer(mode, id) {
      if (mode === 'transient') return { status: 500, body: { type: 'error', message: 'Internal Server Error' } };
      if (mode === 'permanent')
        return { status: 200, body: { type: 'error', message: 'Invalid mobile number', code: '102' } };
      return { status: 200, body: { type: 'success', message: id.slice(0, 24) } };
    },
    report(url, id, status) {
      const body = {
        requestId: id,
        number: '34629255833',
        senderId: MSG91.sender,
        status: status === 'delivered' ? '1' : '2',
        desc: status === 'delivered' ? 'DELIVERED' : 'FAILED',
        date: '2026-01-01 12:00:00',
      };
      return { url, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    },
  };
}

export const WEBHOOK_SECRET = `whsec_${Buffer.from('webhook-secret-for-tests-0123456789').toString('base64')}`;

export function webhookSpec(): VendorSpec {
  return {
    name: 'webhook',
    parse(r) {
      const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
      if (!verifyStandardWebhook(WEBHOOK_SECRET, headers, r.body, Date.now()))
        return refuse(401, { error: 'bad signature' });
      const b = jsonOf(r.body);
      if (
        b?.type !== 'message.send' ||
        typeof b.data?.to !== 'string' ||
        typeof b.data?.text !== 'string' ||
        b.data?.id !== headers['webhook-id']
      )
        return refuse(400, { error: 'bad body' });
      return { to: b.data.to, text: b.data.text };
    },
    answer(mode, id) {
      if (mode === 'transient') return { status: 503, body: { error: 'busy' }, headers: { 'retry-after': '2' } };
      if (mode === 'permanent') return { status: 422, body: { error: 'unroutable' } };
      return { status: 200, body: { id: `rcv_${id}` } };
    },
    report(url, id, status, now) {
      const body = JSON.stringify({
        type: 'message.status',
        data: { id, status, ...(status === 'delivered' ? {} : { error: 'handset unreachable' }) },
      });
      return {
        url,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...signStandardWebhook(WEBHOOK_SECRET, `evt_${randomBytes(6).toString('hex')}`, now, body),
        },
        body,
      };
    },
  };
}
