import { plainSmtpGateway, startSmtpPeer } from '../helpers/smtp-peer.ts';
import { gatewayContract } from './gateway.contract.ts';

// A real SMTP server (smtp-server) on a free local port: refusals at RCPT TO, and a DATA that is never answered.
gatewayContract('smtp', {
  supports: { failures: true, timeout: true, receipts: 'none' },
  recipient: 'user@example.com',
  async start() {
    const peer = await startSmtpPeer();
    const gateway = plainSmtpGateway(peer);
    return {
      gateway,
      peer,
      async stop() {
        await gateway.close();
        await peer.stop();
      },
    };
  },
});
