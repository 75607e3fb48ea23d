/**
 * The ceiling: the same Fastify version otpd uses, logger off, one POST /echo JSON route. It parses
 * a body of the send-code size and answers a JSON object of the send-code response size, so the
 * difference to otpd is everything otpd adds (auth, validation, crypto, SQLite, hooks, metrics).
 * Prints `READY <port>` on stdout once listening; exits 0 on SIGTERM/SIGINT (for --cpu-prof).
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
const reply = { authenticationId: '3fa85f64-5717-4562-b3fc-2c963f66afa6' };

app.post('/echo', async (req) => {
  const body = req.body as { phoneNumber?: unknown } | null;
  if (!body || typeof body.phoneNumber !== 'string') throw new Error('phoneNumber missing');
  return reply;
});

const port = Number(process.env.BENCH_CEILING_PORT ?? 0);
await app.listen({ host: '127.0.0.1', port });
const address = app.server.address();
process.stdout.write(`READY ${typeof address === 'object' && address ? address.port : port}\n`);

const stop = () => {
  app.close().then(() => process.exit(0), () => process.exit(1));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
