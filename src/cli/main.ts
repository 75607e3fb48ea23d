import { Command } from 'commander';
import { systemClock } from '../core/clock.ts';
import { migrateStore } from '../store/from-config.ts';
import { ensureDataDir } from '../boot/secrets.ts';
import { VERSION } from '../main.ts';
import { configOrExit, withStore } from './context.ts';
import { registerKeyCommands } from './keys.ts';
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

program.command('messages')
  .description('Show texts delivered to the development outbox, newest first')
  .option('--to <e164>', 'only this recipient')
  .option('--limit <n>', 'how many', '20')
  .option('--json', 'print JSON')
  .option('--config <file>', 'configuration file')
  .action(async (o: { to?: string; limit: string; json?: boolean; config?: string }) => {
    await withStore(o.config, async (store) => {
      const rows = await store.listDevMessages(o.to, Math.max(1, Math.min(500, Number(o.limit) || 20)));
      if (o.json) return void process.stdout.write(`${JSON.stringify(rows.map((r) => ({ ...r, createdAt: new Date(r.createdAt).toISOString() })))}\n`);
      for (const r of rows) process.stdout.write(`${new Date(r.createdAt).toISOString()}  ${r.to}  ${r.text}\n`);
      if (rows.length === 0) process.stdout.write('no messages\n');
    });
  });

registerKeyCommands(program);
registerRetentionCommands(program);

await program.parseAsync(process.argv);
