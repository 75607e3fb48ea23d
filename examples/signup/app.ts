/**
 * A minimal server-side sign-up with otpd: the browser sends a phone number, then the code it
 * received; this server talks to otpd with its API key (never the browser), and marks the user
 * verified when otpd's signed `verification.approved` event arrives at its webhook.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createOtpdClient, OtpdApiError } from '@otpd/client';
import { verifyWebhook, WebhookVerificationError } from '@otpd/client/webhooks';

export interface SignupOptions {
  readonly otpdUrl: string;
  readonly apiKey: string;
  /** The otpd service whose webhook points at this server's /webhooks/otpd. */
  readonly service: string;
  readonly webhookSecret: string;
}

interface User {
  phone: string;
  verification: string;
  /** The check said so. */
  verified: boolean;
  /** otpd's signed event said so: what a real app would trust for later steps. */
  confirmedByWebhook: boolean;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, json: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
}

export function createSignupApp(o: SignupOptions): Server {
  const otpd = createOtpdClient({ baseUrl: o.otpdUrl, apiKey: o.apiKey });
  const users = new Map<string, User>();
  const byVerification = new Map<string, User>();

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
    'POST /signup': async (req, res) => {
      const { phone } = JSON.parse(await body(req)) as { phone: string };
      const v = await otpd.startVerification({ service: o.service, to: phone });
      const user = { phone, verification: v.id, verified: false, confirmedByWebhook: false };
      users.set(phone, user);
      byVerification.set(v.id, user);
      send(res, 202, { sent: true, expiresAt: v.expiresAt });
    },
    'POST /signup/verify': async (req, res) => {
      const { phone, code } = JSON.parse(await body(req)) as { phone: string; code: string };
      const user = users.get(phone);
      if (!user) return send(res, 404, { error: 'start with POST /signup' });
      const r = await otpd.checkVerification({ id: user.verification, code });
      user.verified ||= r.valid;
      if (r.valid) return send(res, 200, { verified: true });
      send(res, r.status === 'pending' ? 422 : 410, { verified: false, status: r.status });
    },
    'POST /webhooks/otpd': async (req, res) => {
      try {
        const event = verifyWebhook(await body(req), req.headers, o.webhookSecret);
        if (event.type === 'verification.approved') {
          const user = byVerification.get(String(event.data.verification));
          if (user) user.confirmedByWebhook = true;
        }
        res.writeHead(204).end();
      } catch (err) {
        if (err instanceof WebhookVerificationError) return send(res, 400, { error: 'not signed by otpd' });
        throw err;
      }
    },
  };

  return createServer((req, res) => {
    const user = req.method === 'GET' && /^\/users\/([^/]+)$/.exec(req.url ?? '');
    const route = user ? undefined : routes[`${req.method} ${req.url}`];
    const run = user
      ? async () => {
          const u = users.get(decodeURIComponent(user[1]!));
          send(res, u ? 200 : 404, u ?? { error: 'no such user' });
        }
      : route && (() => route(req, res));
    if (!run) return send(res, 404, { error: 'not found' });
    run().catch((err: unknown) => {
      if (err instanceof OtpdApiError) return send(res, err.status, { error: err.code, detail: err.problem.detail });
      send(res, 500, { error: 'internal error' });
    });
  });
}
