import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  hasCallbackReceipts,
  hasConnectionReceipts,
  type CallbackRequest,
  type Gateway,
  type ReceiptInput,
} from '../../src/core/ports/gateway.ts';

export type PeerMode = 'ok' | 'transient' | 'permanent' | 'hang';

/** The real (local) peer a gateway talks to: an SMSC, an SMTP server, a vendor's HTTP API. */
export interface GatewayPeer {
  /** How the peer answers the next sends. */
  mode(m: PeerMode): void;
  /** What the peer accepted, oldest first (`to` as the peer saw it, the decoded text). */
  received(): Promise<{ to: string; text: string }[]>;
  /**
   * Makes the peer report the outcome of a message it accepted. Connection receipts arrive through
   * the gateway's onReceipt; callback receipts are returned as the signed request the provider
   * would send to otpd.
   */
  report?(providerMessageId: string, status: ReceiptInput['status']): Promise<CallbackRequest | undefined>;
}

export interface GatewayHarness {
  /** Which failure modes the peer can produce, and how receipts arrive. */
  readonly supports: {
    readonly failures: boolean;
    readonly timeout: boolean;
    readonly receipts: 'connection' | 'callback' | 'none';
  };
  /**
   * For callback receipts: the same report with a wrong signature (or token). Providers that sign
   * the body also get a changed body checked; unsigned ones (a secret token in the URL) do not.
   */
  readonly forge?: (req: CallbackRequest) => CallbackRequest;
  readonly signsBody?: boolean;
  /** A recipient of the gateway's channel. */
  readonly recipient: string;
  start(): Promise<{ gateway: Gateway; peer: GatewayPeer; stop(): Promise<void> }>;
}

const message = (to: string, text: string, id = String(Math.floor(Math.random() * 1e9))) => ({
  id,
  channel: 'sms' as const,
  to,
  text,
});

/** The conformance suite every gateway passes against a real peer started in the test. */
export function gatewayContract(name: string, h: GatewayHarness): void {
  const withGateway = (title: string, fn: (g: Gateway, p: GatewayPeer) => Promise<void>, skip = false) =>
    test(`gateway ${name}: ${title}`, { skip, timeout: 20_000 }, async () => {
      const { gateway, peer, stop } = await h.start();
      try {
        await fn(gateway, peer);
      } finally {
        await stop();
      }
    });
  const never = new AbortController().signal;

  withGateway('success: the peer gets the text and otpd gets a provider message id', async (g, p) => {
    p.mode('ok');
    const r = await g.send({ ...message(h.recipient, 'Your code is 123456'), channel: g.channel }, never);
    assert.ok(r.ok, JSON.stringify(r));
    assert.ok(r.ok && typeof r.providerMessageId === 'string' && r.providerMessageId.length > 0);
    const got = await p.received();
    assert.equal(got.length, 1);
    assert.equal(got[0]!.text, 'Your code is 123456');
    assert.ok(
      got[0]!.to.replace(/^\+/, '') === h.recipient.replace(/^\+/, ''),
      `recipient as the peer saw it: ${got[0]!.to}`,
    );
  });

  withGateway('success with text outside GSM-7 (UCS-2): the text arrives unchanged', async (g, p) => {
    p.mode('ok');
    const r = await g.send({ ...message(h.recipient, 'Код 482913 — ваш код ✓'), channel: g.channel }, never);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal((await p.received())[0]!.text, 'Код 482913 — ваш код ✓');
  });

  withGateway(
    'transient failure is classified transient',
    async (g, p) => {
      p.mode('transient');
      const r = await g.send({ ...message(h.recipient, 'code 1'), channel: g.channel }, never);
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.kind, 'transient', JSON.stringify(r));
      assert.equal(!r.ok && r.error.includes('123456'), false, 'errors never echo message text');
    },
    !h.supports.failures,
  );

  withGateway(
    'permanent failure is classified permanent',
    async (g, p) => {
      p.mode('permanent');
      const r = await g.send({ ...message(h.recipient, 'code 2'), channel: g.channel }, never);
      assert.equal(!r.ok && r.kind, 'permanent', JSON.stringify(r));
    },
    !h.supports.failures,
  );

  withGateway(
    'a peer that does not answer: the send gives up when the signal aborts, as a transient timeout',
    async (g, p) => {
      p.mode('hang');
      const r = await g.send({ ...message(h.recipient, 'code 3'), channel: g.channel }, AbortSignal.timeout(300));
      assert.equal(r.ok, false);
      assert.deepEqual(!r.ok && [r.kind, r.timeout], ['transient', true], JSON.stringify(r));
    },
    !h.supports.timeout,
  );

  withGateway(
    'receipt: a delivery report for an accepted message reaches otpd with its provider id',
    async (g, p) => {
      p.mode('ok');
      const r = await g.send({ ...message(h.recipient, 'code 4'), channel: g.channel }, never);
      assert.ok(r.ok);
      const id = r.ok ? r.providerMessageId : '';
      if (h.supports.receipts === 'connection') {
        assert.ok(hasConnectionReceipts(g));
        const got = new Promise<ReceiptInput>((resolve) => g.onReceipt(resolve));
        await p.report!(id, 'delivered');
        const receipt = await got;
        assert.deepEqual([receipt.providerMessageId, receipt.status], [id, 'delivered']);
        return;
      }
      assert.ok(hasCallbackReceipts(g));
      for (const status of ['delivered', 'failed'] as const) {
        const req = (await p.report!(id, status)) as CallbackRequest;
        const ok = g.handleCallback(req, Date.now());
        assert.ok(ok.ok, JSON.stringify(ok));
        assert.deepEqual(ok.ok && ok.receipts.map((x) => [x.providerMessageId, x.status]), [[id, status]]);
        if (h.signsBody) {
          const tampered = g.handleCallback(
            { ...req, body: `${req.body.replace(/delivered|undelivered|failed/, 'expired')} ` },
            Date.now(),
          );
          assert.deepEqual(
            tampered.ok ? 'accepted' : tampered.reason,
            'signature',
            'a changed body fails the signature',
          );
        }
        const forged = g.handleCallback(h.forge!(req), Date.now());
        assert.deepEqual(forged.ok ? 'accepted' : forged.reason, 'signature', 'a wrong signature or token is refused');
      }
    },
    h.supports.receipts === 'none',
  );
}
