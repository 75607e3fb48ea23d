import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';

/** A path as a shell word: quoted only when it has to be. */
const shellWord = (s: string) => (/^[\w./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);

/** Where to go, which key to use, and three commands to paste: the README's first five minutes. */
export function quickStart(url: string, keyFile: string): string {
  const api = `${url}/one-time-password-sms/v1`;
  const auth = '-H "Authorization: Bearer $KEY"';
  const json = "-H 'Content-Type: application/json'";
  return [
    `otpd is running at ${url}, first start in development.`,
    `  docs:    ${url}/docs`,
    `  API key: ${keyFile} (development; only this user can read it)`,
    'Quick start, in another terminal:',
    `  KEY=$(cat ${shellWord(keyFile)})`,
    `  curl -s -X POST ${api}/send-code ${auth} ${json} \\`,
    `    -d '{"phoneNumber":"+34629255833","message":"{{code}} is your code"}'`,
    `  curl -s '${url}/dev/messages?to=%2B34629255833' ${auth}`,
    `  curl -s -i -X POST ${api}/validate-code ${auth} ${json} \\`,
    `    -d '{"authenticationId":"<from the first answer>","code":"<from the message>"}'`,
  ].join('\n');
}

/**
 * Notes, before the keys are made, whether this is the first start in development (no development
 * key yet), so that once otpd listens it can print the quick start; later starts stay quiet.
 */
export function firstStart(c: Config): { greet(url: string, log: Logger): void } {
  const keyFile = join(c.dataDir, 'dev-api-key');
  const first = c.env === 'development' && !existsSync(keyFile);
  return {
    greet(url, log) {
      if (first && existsSync(keyFile)) log.info(quickStart(url, keyFile));
    },
  };
}
