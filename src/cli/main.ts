import { Command } from 'commander';
import { systemClock } from '../core/clock.ts';
import { migrateStore } from '../store/from-config.ts';
import { ensureDataDir } from '../boot/secrets.ts';
import { VERSION } from '../main.ts';
import { configOrExit } from './context.ts';
import { registerKeyCommands } from './keys.ts';
import { registerMessageCommands } from './messages.ts';
import { registerAbuseCommands } from './abuse.ts';
import { registerRetentionCommands } from './retention.ts';
import { serve } from './serve.ts';

const program = new Command('otpd').version(VERSION).description('Self-hosted phone verification server');

program.command('serve')
  .description('Start the HTTP server and the dispatcher')
  .option('--config <file>', 'configuration file (YAML or JSON); environment variables override it')
  .action(async (o: { config?: string }) => serve(configOrExit(o.config)));

program.command('migrate')
  .description('Apply database migrations and exit')
  .option('--config <file>', 'configuration file')
  .action(async (o: { config?: string }) => {
    const c = configOrExit(o.config);
    ensureDataDir(c.dataDir);
    const applied = await migrateStore(c, systemClock.now());
    process.stdout.write(applied.length ? `applied migrations: ${applied.join(', ')}\n` : 'database is up to date\n');
  });

registerKeyCommands(program);
registerMessageCommands(program);
registerAbuseCommands(program);
registerRetentionCommands(program);

await program.parseAsync(process.argv);
