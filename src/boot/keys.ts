import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { ApiKeys } from '../core/api-keys.ts';
import { writeSecretFile } from './secrets.ts';

/**
 * Makes sure some key can call the API: the bootstrap key (an operator key), or in development a
 * generated one on disk. The development key is an operator key too: on a developer's own machine
 * the developer is the operator, and trying number rules, policies and the breaker needs one; it is
 * only made in development mode, on a store with no key at all, and written with mode 0600.
 */
export async function ensureKeys(c: Config, keys: ApiKeys, log: Logger): Promise<void> {
  if (c.bootstrapKey) await keys.installBootstrap(c.bootstrapKey);
  if (c.env !== 'development') return;
  const file = join(c.dataDir, 'dev-api-key');
  if (!existsSync(file) && (await keys.list()).length === 0) {
    const k = await keys.create({ name: 'development', clientId: 'dev', kind: 'operator' });
    writeSecretFile(file, k.secret);
  }
  if (existsSync(file)) log.info({ file }, `development API key: cat ${file}`);
}
