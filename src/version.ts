import { readFileSync } from 'node:fs';

/**
 * otpd's version, from package.json. A module of its own so that `otpd --version` (and every CLI
 * command) learns it without loading the server.
 */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
