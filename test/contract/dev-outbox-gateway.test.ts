import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/core/clock.ts';
import { DevOutboxGateway } from '../../src/gateways/dev-outbox.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { gatewayContract } from './gateway.contract.ts';

// The development outbox has no network to fail: it answers every send, and has no receipts.
gatewayContract('dev-outbox', {
  supports: { failures: false, timeout: false, receipts: 'none' },
  recipient: '+34629255833',
  async start() {
    const store = new SqliteStore(
      { file: join(mkdtempSync(join(tmpdir(), 'otpd-gw-')), 'otpd.db'), synchronous: 'NORMAL', writer: 'inline' },
      Date.now(),
    );
    return {
      gateway: new DevOutboxGateway(store, new ManualClock()),
      peer: {
        mode() {},
        received: async () =>
          (await store.listDevMessages(undefined, 100)).reverse().map((m) => ({ to: m.to, text: m.text })),
      },
      stop: () => store.close(),
    };
  },
});
