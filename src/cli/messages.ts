import type { Command } from 'commander';
import { parseInstant } from '../core/clock.ts';
import { MESSAGE_STATUSES, checkStatus, messageHistory } from '../core/message-log.ts';
import { checked, fail, orFail, withStore } from './context.ts';
import { printable as p, terminalJson } from './terminal.ts';

interface MessagesOptions {
  to?: string;
  status?: string;
  gateway?: string;
  since?: string;
  until?: string;
  limit: string;
  json?: boolean;
  config?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

function time(s: string | undefined, name: string): number | undefined {
  if (s === undefined) return undefined;
  const ms = parseInstant(s);
  if (ms === undefined) fail(`${name} must be an ISO 8601 time or epoch milliseconds`);
  return ms;
}

/** `otpd messages`: delivery status and attempts (never the text); `otpd outbox`: the development outbox. */
export function registerMessageCommands(program: Command): void {
  program
    .command('messages')
    .description('Messages with their delivery status and every attempt, newest first (never the text)')
    .option('--to <recipient>', 'only this number or address')
    .option('--status <status>', `only this status: ${MESSAGE_STATUSES.join(', ')}`)
    .option('--gateway <id>', 'only messages last handled by this gateway')
    .option('--since <time>', 'created at or after (ISO 8601 or epoch ms)')
    .option('--until <time>', 'created before')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .action(async (o: MessagesOptions) => {
      const { status: raw } = o;
      const status = raw === undefined ? undefined : checked(() => checkStatus(raw, '--status'));
      const filter = {
        recipient: o.to,
        status,
        gateway: o.gateway,
        since: time(o.since, '--since'),
        until: time(o.until, '--until'),
        limit: Math.max(1, Math.min(500, Number(o.limit) || 20)),
      };
      await withStore(o.config, async (store) => {
        const history = await orFail(() => messageHistory(store, filter));
        if (o.json) {
          const rows = history.map(({ message, attempts }) => ({ ...message, attempts }));
          return void process.stdout.write(`${terminalJson(rows)}\n`);
        }
        for (const { message: m, attempts } of history) {
          process.stdout.write(
            `${iso(m.createdAt)}  #${m.id}  ${p(m.recipient)}  ${m.status}  ${m.segments} seg  ` +
              `${p(m.gateway ?? '-')}  ${p(m.providerMessageId ?? '')}${m.lastError ? `  (${p(m.lastError)})` : ''}\n`,
          );
          for (const a of attempts) {
            process.stdout.write(
              `    attempt ${a.attempt}  ${iso(a.startedAt)}  ${p(a.gateway)}  ${a.outcome}  ` +
                `${a.finishedAt - a.startedAt} ms${a.error ? `  ${p(a.error)}` : ''}\n`,
            );
          }
        }
        if (history.length === 0) process.stdout.write('no messages\n');
      });
    });

  program
    .command('outbox')
    .description('Texts delivered to the development outbox (the "virtual phone"), newest first')
    .option('--to <recipient>', 'only this recipient (an E.164 number or an email address)')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .action(async (o: { to?: string; limit: string; json?: boolean; config?: string }) => {
      await withStore(o.config, async (store) => {
        const rows = await store.listDevMessages(o.to, Math.max(1, Math.min(500, Number(o.limit) || 20)));
        if (o.json)
          return void process.stdout.write(
            `${terminalJson(rows.map((r) => ({ ...r, createdAt: iso(r.createdAt) })))}\n`,
          );
        for (const r of rows) process.stdout.write(`${iso(r.createdAt)}  ${p(r.to)}  ${p(r.text)}\n`);
        if (rows.length === 0) process.stdout.write('no messages\n');
      });
    });
}
