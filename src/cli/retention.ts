import type { Command } from 'commander';
import { systemClock } from '../core/clock.ts';
import { fail, withStore } from './context.ts';

const DAY_MS = 86_400_000;
const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));

export function registerRetentionCommands(program: Command): void {
  program
    .command('purge')
    .description('Delete verifications and messages past the retention period now (their daily counts are kept)')
    .option('--days <n>', 'retention in days (default: retention.days from the configuration)')
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .action(async (o: { days?: string; json?: boolean; config?: string }) => {
      if (o.days !== undefined && !/^[1-9]\d{0,3}$/.test(o.days))
        fail('--days must be a whole number of days, at least 1');
      await withStore(o.config, async (store, c) => {
        const days = o.days !== undefined ? Number(o.days) : c.retention.days;
        const cutoff = systemClock.now() - days * DAY_MS;
        const r = await store.purge(cutoff, c.retention.batchSize);
        if (o.json)
          return void process.stdout.write(`${JSON.stringify({ cutoff: new Date(cutoff).toISOString(), ...r })}\n`);
        process.stdout.write(
          `purged what ended before ${new Date(cutoff).toISOString()}: ` +
            `${r.verifications} verifications, ${r.messages} messages, ${r.devMessages} development outbox texts\n`,
        );
      });
    });

  program
    .command('stats')
    .description('Per-day counts of verifications and messages by client (they survive purges)')
    .option('--from <day>', 'first UTC day, YYYY-MM-DD (default: 30 days ago)')
    .option('--to <day>', 'last UTC day, YYYY-MM-DD (default: today)')
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .action(async (o: { from?: string; to?: string; json?: boolean; config?: string }) => {
      const now = systemClock.now();
      const from = o.from ?? new Date(now - 30 * DAY_MS).toISOString().slice(0, 10);
      const to = o.to ?? new Date(now).toISOString().slice(0, 10);
      if (!isDay(from) || !isDay(to)) fail('--from and --to must be days in the form YYYY-MM-DD');
      await withStore(o.config, async (store) => {
        const rows = await store.dailyStats(from, to, now);
        if (o.json) return void process.stdout.write(`${JSON.stringify(rows)}\n`);
        for (const r of rows) process.stdout.write(`${r.day}  ${r.clientId}  ${r.metric}  ${r.count}\n`);
        if (rows.length === 0) process.stdout.write('no activity in that period\n');
      });
    });
}
