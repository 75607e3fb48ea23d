import { ManualClock } from '../../src/core/clock.ts';
import { SmppGateway } from '../../src/gateways/smpp/smpp-gateway.ts';
import { TestSmsc, smppConfig, type ReceiptStat } from '../helpers/smsc.ts';
import { gatewayContract } from './gateway.contract.ts';

const STAT: Record<'delivered' | 'failed' | 'expired', ReceiptStat> = {
  delivered: 'DELIVRD',
  failed: 'UNDELIV',
  expired: 'EXPIRED',
};

// A real SMPP 3.4 conversation with the smpp package's own server mode on 127.0.0.1.
gatewayContract('smpp', {
  supports: { failures: true, timeout: true, receipts: 'connection' },
  recipient: '+34629255833',
  async start() {
    const smsc = await TestSmsc.start();
    const gateway = new SmppGateway(smppConfig(smsc), { clock: new ManualClock() });
    return {
      gateway,
      peer: {
        mode: (m) => {
          smsc.mode = m;
        },
        received: async () => smsc.messages.map(({ to, text }) => ({ to, text })),
        report: async (id, status) => {
          await smsc.receipt(id, STAT[status]);
          return undefined; // the receipt arrives on the bind, not as a callback
        },
      },
      async stop() {
        await gateway.close();
        await smsc.stop();
      },
    };
  },
});
