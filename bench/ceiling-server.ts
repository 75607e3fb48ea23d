/**
 * The ceiling: the Fastify otpd uses, logger off, one POST /echo route that parses a body of the
 * send-code size and answers a JSON object of the send-code response size, so the difference to
 * otpd is everything otpd adds. Prints its url as otpd logs it (spawnOtpd waits for that line);
 * exits 0 on SIGTERM, so that --cpu-prof writes its profile.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
const reply = { authenticationId: '3fa85f64-5717-4562-b3fc-2c963f66afa6' };

app.post('/echo', async (req) => {
  const body = req.body as { phoneNumber?: unknown } | null;
  if (!body || typeof body.phoneNumber !== 'string') throw new Error('phoneNumber missing');
  return reply;
});

const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.once('SIGTERM', () => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
