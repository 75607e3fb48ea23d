import type { Command } from 'commander';
import { systemClock } from '../core/clock.ts';
import { OtpdError } from '../core/errors.ts';
import { newApiKey, parseScopes } from '../api/auth.ts';
import { fail, withStore } from './context.ts';

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('Manage API keys');

  keys.command('create')
    .description('Create an API key and print its secret (shown only this once)')
    .requiredOption('--name <name>', 'a label for the key')
    .option('--scopes <scopes>', 'comma- or space-separated scopes (default: all)')
    .option('--client <id>', 'tenant the key acts for (default: a new tenant, the key id)')
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .action(async (o: { name: string; scopes?: string; client?: string; json?: boolean; config?: string }) => {
      let scopes: string[];
      try {
        scopes = parseScopes(o.scopes);
      } catch (err) {
        fail(err instanceof OtpdError ? err.message : String(err));
      }
      await withStore(o.config, async (store) => {
        const k = newApiKey(o.name, o.client, scopes, systemClock.now());
        await store.createApiKey(k.record, k.secretHash);
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ id: k.record.id, clientId: k.record.clientId, name: o.name, scopes, secret: k.secret })}\n`);
        } else {
          process.stdout.write(`id:      ${k.record.id}\nclient:  ${k.record.clientId}\nscopes:  ${scopes.join(' ')}\nsecret:  ${k.secret}\n\nStore the secret now: otpd keeps only its hash and cannot show it again.\n`);
        }
      });
    });

  keys.command('list')
    .description('List API keys (never their secrets)')
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .action(async (o: { json?: boolean; config?: string }) => {
      await withStore(o.config, async (store) => {
        const all = await store.listApiKeys();
        if (o.json) return void process.stdout.write(`${JSON.stringify(all)}\n`);
        for (const k of all) {
          const state = k.revokedAt === null ? 'active' : `revoked ${new Date(k.revokedAt).toISOString()}`;
          process.stdout.write(`${k.id}\tclient=${k.clientId}\t${k.name}\t${k.scopes.join(' ')}\t${state}\n`);
        }
      });
    });

  keys.command('revoke <id>')
    .description('Revoke an API key; effective on the next request')
    .option('--config <file>', 'configuration file')
    .action(async (id: string, o: { config?: string }) => {
      await withStore(o.config, async (store) => {
        if (!(await store.revokeApiKey(id, systemClock.now()))) fail(`no key with id ${id}`);
        process.stdout.write(`revoked ${id}\n`);
      });
    });
}
