import type { Command } from 'commander';
import { accountSidOf, ApiKeys, parseScopes } from '../core/api-keys.ts';
import { systemClock } from '../core/clock.ts';
import { checked, orFail, withStore } from './context.ts';

const out = (text: string) => process.stdout.write(text);

interface CreateOptions {
  name: string;
  scopes?: string;
  client?: string;
  operator?: boolean;
  json?: boolean;
  config?: string;
}

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('Manage API keys');

  keys
    .command('create')
    .description('Create an API key and print its secret (shown only this once)')
    .requiredOption('--name <name>', 'a label for the key')
    .option('--scopes <scopes>', 'comma- or space-separated scopes (default: all)')
    .option('--client <id>', 'tenant the key acts for (default: a new tenant, the key id)')
    .option('--operator', 'an operator key: administers every tenant and the global abuse rules (default: client key)')
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .action(async (o: CreateOptions) => {
      // Refused before the store is opened, so a typo never creates a database.
      const scopes = checked(() => parseScopes(o.scopes));
      const kind = o.operator ? 'operator' : 'client';
      await withStore(o.config, async (store) => {
        const { record, secret } = await new ApiKeys({ store, clock: systemClock }).create({
          name: o.name,
          clientId: o.client,
          scopes,
          kind,
        });
        if (o.json) {
          const accountSid = accountSidOf(record.clientId);
          const { id, clientId } = record;
          out(`${JSON.stringify({ id, clientId, accountSid, name: o.name, kind, scopes, secret })}\n`);
        } else {
          out(
            `id:      ${record.id}\nclient:  ${record.clientId}\naccount: ${accountSidOf(record.clientId)}\n` +
              `kind:    ${kind}\nscopes:  ${scopes.join(' ')}\n` +
              `secret:  ${secret}\n\nStore the secret now: otpd keeps only its hash and cannot show it again.\n`,
          );
        }
      });
    });

  keys
    .command('list')
    .description('List API keys (never their secrets)')
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .action(async (o: { json?: boolean; config?: string }) => {
      await withStore(o.config, async (store) => {
        const all = await new ApiKeys({ store, clock: systemClock }).list();
        if (o.json) return void out(`${JSON.stringify(all)}\n`);
        for (const k of all) {
          const state = k.revokedAt === null ? 'active' : `revoked ${new Date(k.revokedAt).toISOString()}`;
          out(`${k.id}\tclient=${k.clientId}\t${k.kind}\t${k.name}\t${k.scopes.join(' ')}\t${state}\n`);
        }
      });
    });

  keys
    .command('revoke <id>')
    .description('Revoke an API key; effective on the next request')
    .option('--config <file>', 'configuration file')
    .action(async (id: string, o: { config?: string }) => {
      await withStore(o.config, async (store) => {
        await orFail(() => new ApiKeys({ store, clock: systemClock }).revoke(id));
        out(`revoked ${id}\n`);
      });
    });
}
