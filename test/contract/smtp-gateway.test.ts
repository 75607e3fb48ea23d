import { SmtpGateway } from '../../src/gateways/smtp/smtp-gateway.ts';
import { startSmtpPeer } from '../helpers/smtp-peer.ts';
import { gatewayContract } from './gateway.contract.ts';

// A real SMTP server (smtp-server) on a free local port: refusals at RCPT TO, and a DATA that is never answered.
gatewayContract('smtp', {
  supports: { failures: true, timeout: true, receipts: 'none' },
  recipient: 'user@example.com',
  async start() {
    const peer = await startSmtpPeer();
    const gateway = new SmtpGateway({
      type: 'smtp',
      id: 'mail',
      host: '127.0.0.1',
      port: peer.port,
      secure: false,
      requireTls: false,
      from: 'otpd <no-reply@example.org>',
      subject: 'Your verification code',
    });
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
