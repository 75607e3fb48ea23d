import type { Command } from 'commander';
import { systemClock } from '../core/clock.ts';
import type { EndpointStatus } from '../core/ports/webhooks.ts';
import { fail, orFail, withStore } from './context.ts';
import { printable, terminalJson } from './terminal.ts';

const out = (text: string) => process.stdout.write(text);
const iso = (t: number | null) => (t === null ? '-' : new Date(t).toISOString());

function since(text: string): number {
  const t = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(t))
    return fail(`--since ${text}: give a date and time, e.g. 2026-12-01T10:00:00Z`);
  return t;
}

function row(e: EndpointStatus): string {
  const state = e.enabled ? 'enabled' : `disabled since ${iso(e.disabledAt)}`;
  return (
    `${e.serviceId}\t${printable(e.clientId)}\t${state}\tbacklog ${e.backlog}\tlast success ${iso(e.lastSuccessAt)}` +
    `\t${e.failingSince === null ? '' : `failing since ${iso(e.failingSince)}: ${printable(e.lastError ?? '')}`}\t` +
    `${printable(e.url)}\n`
  );
}

/** `otpd events replay` and `otpd webhooks list|enable`: the operator's side of webhook delivery. */
export function registerEventCommands(program: Command): void {
  program
    .command('events')
    .description('Webhook events')
    .command('replay')
    .description('Post delivered and abandoned events again, from a time on (the running servers send them)')
    .requiredOption('--since <time>', 'events that happened at or after this time, e.g. 2026-12-01T10:00:00Z')
    .option('--client <id>', "one tenant's events only")
    .option('--service <id>', "one service's events only")
    .option('--config <file>', 'configuration file')
    .action(async (o: { since: string; client?: string; service?: string; config?: string }) => {
      const from = since(o.since);
      const n = await withStore(o.config, (store) =>
        orFail(() => store.replayEvents({ since: from, clientId: o.client, serviceId: o.service }, systemClock.now())),
      );
      out(`replayed ${n} event${n === 1 ? '' : 's'}\n`);
    });

  const webhooks = program.command('webhooks').description("Services' webhook endpoints");
  webhooks
    .command('list')
    .description('Every endpoint with its delivery status (or one tenant’s)')
    .option('--client <id>', 'one tenant')
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .action(async (o: { client?: string; json?: boolean; config?: string }) => {
      const all = await withStore(o.config, (store) => orFail(() => store.listEndpoints(o.client)));
      if (o.json) {
        const shown = all.map(({ secrets: _, ...e }) => e);
        return void out(`${terminalJson(shown)}\n`);
      }
      for (const e of all) out(row(e));
      if (all.length === 0) out('no webhooks\n');
    });
  webhooks
    .command('enable <service>')
    .description('Enable an endpoint that was disabled after failing for a day')
    .requiredOption('--client <id>', 'the tenant')
    .option('--config <file>', 'configuration file')
    .action(async (service: string, o: { client: string; config?: string }) => {
      const done = await withStore(o.config, (store) =>
        orFail(() => store.enableEndpoint(o.client, service, systemClock.now())),
      );
      if (!done) fail(`no webhook for service ${service} of ${o.client}`);
      out(`enabled ${service}\n`);
    });
}
