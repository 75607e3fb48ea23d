import type { Command } from 'commander';
import {
  AbuseAdmin,
  checkClientId,
  checkCountries,
  checkDailyBudget,
  checkDailyMessages,
  checkNote,
  checkPrefix,
  checkScope,
  type PolicyChange,
  type PolicyView,
} from '../core/abuse-admin.ts';
import { systemClock } from '../core/clock.ts';
import { isOtpdError } from '../core/errors.ts';
import type { AbuseStore, ClientPolicy, NumberRuleKind } from '../core/ports/abuse.ts';
import { checked, fail, orFail, withStore } from './context.ts';
import { printable, terminalJson } from './terminal.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);
const json = (v: unknown) => out(terminalJson(v));
const admin = (store: AbuseStore) => new AbuseAdmin({ store, clock: systemClock });

const DESCRIBE: Record<NumberRuleKind, string> = {
  block: 'Numbers and prefixes refused with RECIPIENT_BLOCKED',
  safe: 'Numbers and prefixes the heuristics (breaker, IP/prefix/country velocity) never stop',
};

/** `otpd block …` and `otpd safe …`: the same three commands over one kind of rule. */
function registerRuleCommands(program: Command, kind: NumberRuleKind): void {
  const cmd = program
    .command(kind)
    .description(`${DESCRIBE[kind]}; the most specific rule wins, effective on the next send-code`);

  cmd
    .command('add <prefix>')
    .description(`Add a ${kind} rule for a number or prefix (E.164, with the +), or replace its note`)
    .option('--note <text>', 'why (shown in listings)')
    .option('--config <file>', 'configuration file')
    .action(async (prefix: string, o: { note?: string; config?: string }) => {
      checked(() => [checkPrefix(prefix), checkNote(o.note, '--note')]);
      await withStore(o.config, async (store) => {
        await orFail(() => admin(store).putRule({ kind, prefix, note: o.note }));
        out(`${kind} ${prefix}`);
      });
    });

  cmd
    .command('remove <prefix>')
    .description(`Remove a ${kind} rule`)
    .option('--config <file>', 'configuration file')
    .action(async (prefix: string, o: { config?: string }) => {
      checked(() => checkPrefix(prefix));
      await withStore(o.config, async (store) => {
        await orFail(() => admin(store).removeRule(kind, prefix), { NOT_FOUND: `no ${kind} rule for ${prefix}` });
        out(`removed ${kind} ${prefix}`);
      });
    });

  cmd
    .command('list')
    .description(`List ${kind} rules`)
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .action(async (o: { json?: boolean; config?: string }) => {
      await withStore(o.config, async (store) => {
        const rules = await admin(store).listRules(kind);
        if (o.json) return json(rules);
        for (const r of rules) out(`${r.prefix}\t${r.createdAt}${r.note ? `\t${printable(r.note)}` : ''}`);
        if (rules.length === 0) out(`no ${kind} rules`);
      });
    });
}

interface PolicyOptions {
  allowCountries?: string;
  denyCountries?: string;
  defaultCountries?: boolean;
  dailyMessages?: string;
  dailyBudget?: string;
}

/** `--allow-countries ES,fr`: codes separated by commas or spaces, any case; the flag needs at least one. */
function countriesFlag(mode: 'allow' | 'deny', raw: string, flag: string): ClientPolicy['countries'] {
  const list = raw
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((c) => c.toUpperCase());
  const countries = checked(() => checkCountries({ mode, list }, flag));
  if (list.length === 0) fail(`${flag} needs at least one country code`);
  return countries;
}

/**
 * `--daily-messages 100`, `--daily-budget 25.50` or "default": plain decimal notation only (so not
 * 1e3 or 0x10), then the use case's range check, whose message gets the flag's own hint.
 */
function amountFlag(
  raw: string,
  flag: string,
  syntax: RegExp,
  check: (n: number, name: string) => number | null,
  hint: string,
): number | null {
  if (raw === 'default') return null;
  try {
    return check(syntax.test(raw) ? Number(raw) : Number.NaN, flag);
  } catch (err) {
    if (isOtpdError(err)) fail(`${err.message}, ${hint}`);
    throw err;
  }
}

/** Turns the flags into a change; every mistake is refused before the store is opened. */
function policyChange(o: PolicyOptions): PolicyChange {
  const given = [o.allowCountries, o.denyCountries, o.defaultCountries].filter((x) => x !== undefined);
  if (given.length > 1) fail('give only one of --allow-countries, --deny-countries and --default-countries');
  const c: PolicyChange = {};
  if (o.allowCountries !== undefined) c.countries = countriesFlag('allow', o.allowCountries, '--allow-countries');
  if (o.denyCountries !== undefined) c.countries = countriesFlag('deny', o.denyCountries, '--deny-countries');
  if (o.defaultCountries) c.countries = null;
  if (o.dailyMessages !== undefined) {
    const hint = 'or "default"';
    c.dailyMessages = amountFlag(o.dailyMessages, '--daily-messages', /^\d{1,10}$/, checkDailyMessages, hint);
  }
  if (o.dailyBudget !== undefined) {
    const hint = 'e.g. 25.50, or "default"';
    c.dailyBudget = amountFlag(o.dailyBudget, '--daily-budget', /^\d+(\.\d+)?$/, checkDailyBudget, hint);
  }
  if (Object.keys(c).length === 0) {
    fail(
      'nothing to set: give --allow-countries, --deny-countries, --default-countries, ' +
        '--daily-messages or --daily-budget',
    );
  }
  return c;
}

function printPolicy(p: PolicyView): void {
  const dflt = '(configured default)';
  out(`client:          ${p.clientId}${p.stored ? '' : '  (no policy of its own)'}`);
  out(`countries:       ${p.countries ? `${p.countries.mode} ${p.countries.list.join(',') || '(none)'}` : dflt}`);
  out(`daily messages:  ${p.dailyMessages === null ? dflt : p.dailyMessages === 0 ? 'unlimited' : p.dailyMessages}`);
  out(`daily budget:    ${p.dailyBudget === null ? dflt : p.dailyBudget === 0 ? 'unlimited' : p.dailyBudget}`);
}

function policyLine(p: PolicyView): string {
  const countries = p.countries ? `${p.countries.mode}:${p.countries.list.join(',')}` : 'default';
  return (
    `${p.clientId}\tcountries=${countries}\tdailyMessages=${p.dailyMessages ?? 'default'}` +
    `\tdailyBudget=${p.dailyBudget ?? 'default'}`
  );
}

function registerPolicyCommands(program: Command): void {
  const cmd = program
    .command('policy')
    .description('Per-client countries, daily messages and daily budget; effective on the next send-code');

  cmd
    .command('show <clientId>')
    .description("Show a client's policy (unset fields use the configured defaults)")
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .action(async (clientId: string, o: { json?: boolean; config?: string }) => {
      checked(() => checkClientId(clientId));
      await withStore(o.config, async (store) => {
        const p = await orFail(() => admin(store).policy(clientId));
        if (o.json) return json(p);
        printPolicy(p);
      });
    });

  cmd
    .command('set <clientId>')
    .description("Change a client's policy; options not given keep their current value")
    .option('--allow-countries <list>', 'only these countries (comma-separated ISO codes, e.g. ES,FR)')
    .option('--deny-countries <list>', 'all countries but these')
    .option('--default-countries', 'use the configured countries')
    .option('--daily-messages <n>', 'messages per UTC day (0 = unlimited), or "default"')
    .option('--daily-budget <amount>', 'spend per UTC day in currency units (0 = unlimited), or "default"')
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .action(async (clientId: string, o: PolicyOptions & { json?: boolean; config?: string }) => {
      checked(() => checkClientId(clientId));
      const change = policyChange(o);
      await withStore(o.config, async (store) => {
        const p = await orFail(() => admin(store).setPolicy(clientId, change));
        if (o.json) return json(p);
        printPolicy(p);
      });
    });

  cmd
    .command('list')
    .description('Clients with a policy of their own')
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .action(async (o: { json?: boolean; config?: string }) => {
      await withStore(o.config, async (store) => {
        const all = await admin(store).listPolicies();
        if (o.json) return json(all);
        for (const p of all) out(policyLine(p));
        if (all.length === 0) out('no client policies');
      });
    });
}

function registerBreakerCommands(program: Command): void {
  const cmd = program
    .command('breaker')
    .description('Blocks and throttles set by the range guard (per tenant) and the global conversion breaker');

  cmd
    .command('list')
    .description('Blocks in force now (shadow ones only report)')
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .action(async (o: { json?: boolean; config?: string }) => {
      await withStore(o.config, async (store) => {
        const blocks = await admin(store).blocks();
        if (o.json) return json(blocks);
        for (const b of blocks) {
          const what = b.action === 'throttle' ? `throttle ${b.perHour}/h` : 'block';
          out(`${b.scope}\t${what}\tuntil ${b.until}${b.shadow ? '\t(shadow)' : ''}\t${b.reason}`);
        }
        if (blocks.length === 0) out('no blocks in force');
      });
    });

  cmd
    .command('reset <scope>')
    .description(
      'Lift a block early, e.g. country:GB or prefix:+44791112; ' +
        'the breaker leaves the scope unjudged for one window',
    )
    .option('--config <file>', 'configuration file')
    .action(async (scope: string, o: { config?: string }) => {
      checked(() => checkScope(scope));
      await withStore(o.config, async (store) => {
        await orFail(() => admin(store).liftBlock(scope), { NOT_FOUND: `no block in force for ${scope}` });
        out(`lifted ${scope}`);
      });
    });
}

/** Run-time abuse management: flags in, the same use cases (and validation) as the admin HTTP endpoints. */
export function registerAbuseCommands(program: Command): void {
  registerRuleCommands(program, 'block');
  registerRuleCommands(program, 'safe');
  registerPolicyCommands(program);
  registerBreakerCommands(program);
}
