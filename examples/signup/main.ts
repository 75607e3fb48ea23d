// Runs the sign-up example: SIGNUP_OTPD_URL, SIGNUP_API_KEY, SIGNUP_SERVICE, SIGNUP_WEBHOOK_SECRET and PORT.
import { createSignupApp } from './app.ts';

const need = (name: string): string => {
  const v = process.env[name];
  if (!v) {
    process.stderr.write(`set ${name}\n`);
    process.exit(2);
  }
  return v;
};

const app = createSignupApp({
  otpdUrl: need('SIGNUP_OTPD_URL'),
  apiKey: need('SIGNUP_API_KEY'),
  service: need('SIGNUP_SERVICE'),
  webhookSecret: need('SIGNUP_WEBHOOK_SECRET'),
});
const port = Number(process.env.PORT ?? 3000);
app.listen(port, '127.0.0.1', () => process.stdout.write(`signup example on http://127.0.0.1:${port}\n`));
