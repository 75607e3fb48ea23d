// The CLI's entry point. Only what every command needs is imported here: each command loads its
// own dependencies (the store and its driver, or the whole server) when it runs, so `otpd --version`
// or a mistyped flag never loads Fastify, a database driver or a gateway.
import { Command } from 'commander';
import { systemClock } from '../core/clock.ts';
import { ensureDataDir } from '../boot/secrets.ts';
import { VERSION } from '../version.ts';
import { configOrExit, opening } from './context.ts';
import { registerKeyCommands } from './keys.ts';
import { registerMessageCommands } from './messages.ts';
import { registerAbuseCommands } from './abuse.ts';
import { registerRetentionCommands } from './retention.ts';
import { registerServiceCommands } from './services.ts';
import { registerEventCommands } from './events.ts';

const program = new Command('otpd').version(VERSION).description('Self-hosted phone verification server');

program
  .command('serve')
  .description('Start the HTTP server and the dispatcher')
  .option('--config <file>', 'configuration file (YAML or JSON); environment variables override it')
  .action(async (o: { config?: string }) => {
    const c = configOrExit(o.config);
    const { serve } = await import('./serve.ts');
    await serve(c);
  });

program
  .command('migrate')
  .description('Apply database migrations and exit')
  .option('--config <file>', 'configuration file')
  .action(async (o: { config?: string }) => {
    // Migrations create tables; nothing they do is keyed by the server secret.
    const c = configOrExit(o.config, { storeOnly: true });
    const applied = await opening(c, async () => {
      ensureDataDir(c.dataDir);
      const { migrateStore } = await import('../store/from-config.ts');
      return migrateStore(c, systemClock.now());
    });
    process.stdout.write(applied.length ? `applied migrations: ${applied.join(', ')}\n` : 'database is up to date\n');
  });

registerKeyCommands(program);
registerMessageCommands(program);
registerAbuseCommands(program);
registerRetentionCommands(program);
registerServiceCommands(program);
registerEventCommands(program);

await program.parseAsync(process.argv);
