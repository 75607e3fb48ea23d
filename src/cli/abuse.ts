import type { Command } from 'commander';
import { systemClock } from '../core/clock.ts';
import type { NumberRuleKind } from '../core/ports/abuse.ts';
import {
  COUNTRY_PATTERN, MAX_DAILY_BUDGET, MAX_DAILY_MESSAGES, PREFIX_PATTERN, SCOPE_PATTERN,
  mergePolicy, presentBlock, presentPolicy, presentRule, type PolicyChange,
} from '../api/abuse-routes.ts';
import { fail, withStore } from './context.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);
const json = (v: unknown) => out(JSON.stringify(v));

function prefixOrFail(prefix: string): string {
  if (!new RegExp(PREFIX_PATTERN).test(prefix)) fail(`"${prefix}" is not a number or prefix in E.164 form: a + then 1 to 15 digits, e.g. +4479111`);
  return prefix;
}

const DESCRIBE: Record<NumberRuleKind, string> = {
  block: 'Numbers and prefixes refused with PHONE_NUMBER_BLOCKED',
  safe: 'Numbers and prefixes the heuristics (breaker, IP/prefix/country velocity) never stop',
};

/** `otpd block …` and `otpd safe …`: the same three commands over one kind of rule. */
function registerRuleCommands(program: Command, kind: NumberRuleKind): void {
  const cmd = program.command(kind).description(`${DESCRIBE[kind]}; the most specific rule wins, effective on the next send-code`);

  cmd.command('add <prefix>')
    .description(`Add a ${kind} rule for a number or prefix (E.164, with the +), or replace its note`)
    .option('--note <text>', 'why (shown in listings)')
    .option('--config <file>', 'configuration file')
    .action(async (prefix: string, o: { note?: string; config?: string }) => {
      prefixOrFail(prefix);
      if (o.note !== undefined && o.note.length > 200) fail('--note must be at most 200 characters');
      await withStore(o.config, async (store) => {
        await store.putNumberRule({ kind, prefix, note: o.note ?? null, createdAt: systemClock.now() });
        out(`${kind} ${prefix}`);
      });
    });

  cmd.command('remove <prefix>')
    .description(`Remove a ${kind} rule`)
    .option('--config <file>', 'configuration file')
    .action(async (prefix: string, o: { config?: string }) => {
      prefixOrFail(prefix);
      await withStore(o.config, async (store) => {
        if (!(await store.deleteNumberRule(kind, prefix))) fail(`no ${kind} rule for ${prefix}`);
        out(`removed ${kind} ${prefix}`);
      });
    });

  cmd.command('list')
    .description(`List ${kind} rules`)
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .action(async (o: { json?: boolean; config?: string }) => {
      await withStore(o.config, async (store) => {
        const rules = (await store.listNumberRules(kind)).map(presentRule);
        if (o.json) return json(rules);
        for (const r of rules) out(`${r.prefix}\t${r.createdAt}${r.note ? `\t${r.note}` : ''}`);
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

function countryList(raw: string, flag: string): string[] {
  const list = raw.split(/[\s,]+/).filter(Boolean).map((c) => c.toUpperCase());
  const bad = list.find((c) => !new RegExp(COUNTRY_PATTERN).test(c));
  if (bad !== undefined) fail(`${flag}: "${bad}" is not an ISO 3166-1 alpha-2 country code (e.g. ES, FR, GB)`);
  if (list.length === 0) fail(`${flag} needs at least one country code`);
  return list;
}

/** Turns the flags into a change; every mistake is refused before the store is opened. */
function policyChange(o: PolicyOptions): PolicyChange {
  const given = [o.allowCountries, o.denyCountries, o.defaultCountries].filter((x) => x !== undefined);
  if (given.length > 1) fail('give only one of --allow-countries, --deny-countries and --default-countries');
  const c: PolicyChange = {};
  if (o.allowCountries !== undefined) c.countries = { mode: 'allow', list: countryList(o.allowCountries, '--allow-countries') };
  if (o.denyCountries !== undefined) c.countries = { mode: 'deny', list: countryList(o.denyCountries, '--deny-countries') };
  if (o.defaultCountries) c.countries = null;
  if (o.dailyMessages !== undefined) {
    const n = Number(o.dailyMessages);
    if (o.dailyMessages === 'default') c.dailyMessages = null;
    else if (/^\d{1,10}$/.test(o.dailyMessages) && n <= MAX_DAILY_MESSAGES) c.dailyMessages = n;
    else fail(`--daily-messages must be a whole number from 0 (unlimited) to ${MAX_DAILY_MESSAGES}, or "default"`);
  }
  if (o.dailyBudget !== undefined) {
    const x = Number(o.dailyBudget);
    if (o.dailyBudget === 'default') c.dailyBudget = null;
    else if (/^\d+(\.\d+)?$/.test(o.dailyBudget) && x <= MAX_DAILY_BUDGET) c.dailyBudget = x;
    else fail(`--daily-budget must be an amount in currency units from 0 (unlimited) to ${MAX_DAILY_BUDGET}, e.g. 25.50, or "default"`);
  }
  if (Object.keys(c).length === 0) fail('nothing to set: give --allow-countries, --deny-countries, --default-countries, --daily-messages or --daily-budget');
  return c;
}

type ShownPolicy = ReturnType<typeof presentPolicy>;

function printPolicy(p: ShownPolicy): void {
  const dflt = '(configured default)';
  out(`client:          ${p.clientId}${p.stored ? '' : '  (no policy of its own)'}`);
  out(`countries:       ${p.countries ? `${p.countries.mode} ${p.countries.list.join(',') || '(none)'}` : dflt}`);
  out(`daily messages:  ${p.dailyMessages === null ? dflt : p.dailyMessages === 0 ? 'unlimited' : p.dailyMessages}`);
  out(`daily budget:    ${p.dailyBudget === null ? dflt : p.dailyBudget === 0 ? 'unlimited' : p.dailyBudget}`);
}

function registerPolicyCommands(program: Command): void {
  const cmd = program.command('policy').description("Per-client countries, daily messages and daily budget; effective on the next send-code");

  cmd.command('show <clientId>')
    .description("Show a client's policy (unset fields use the configured defaults)")
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .action(async (clientId: string, o: { json?: boolean; config?: string }) => {
      await withStore(o.config, async (store) => {
        const p = presentPolicy(clientId, await store.getClientPolicy(clientId));
        if (o.json) return json(p);
        printPolicy(p);
      });
    });

  cmd.command('set <clientId>')
    .description('Change a client\'s policy; options not given keep their current value')
    .option('--allow-countries <list>', 'only these countries (comma-separated ISO codes, e.g. ES,FR)')
    .option('--deny-countries <list>', 'all countries but these')
    .option('--default-countries', 'use the configured countries')
    .option('--daily-messages <n>', 'messages per UTC day (0 = unlimited), or "default"')
    .option('--daily-budget <amount>', 'spend per UTC day in currency units (0 = unlimited), or "default"')
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .action(async (clientId: string, o: PolicyOptions & { json?: boolean; config?: string }) => {
      if (clientId.length > 128) fail('the client id must be at most 128 characters');
      const change = policyChange(o);
      await withStore(o.config, async (store) => {
        const next = mergePolicy(clientId, await store.getClientPolicy(clientId), change, systemClock.now());
        await store.putClientPolicy(next);
        const p = presentPolicy(clientId, next);
        if (o.json) return json(p);
        printPolicy(p);
      });
    });

  cmd.command('list')
    .description('Clients with a policy of their own')
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .action(async (o: { json?: boolean; config?: string }) => {
      await withStore(o.config, async (store) => {
        const all = (await store.listClientPolicies()).map((p) => presentPolicy(p.clientId, p));
        if (o.json) return json(all);
        for (const p of all) out(`${p.clientId}\tcountries=${p.countries ? `${p.countries.mode}:${p.countries.list.join(',')}` : 'default'}\tdailyMessages=${p.dailyMessages ?? 'default'}\tdailyBudget=${p.dailyBudget ?? 'default'}`);
        if (all.length === 0) out('no client policies');
      });
    });
}

function registerBreakerCommands(program: Command): void {
  const cmd = program.command('breaker').description('Blocks set by the conversion circuit breaker');

  cmd.command('list')
    .description('Blocks in force now (shadow ones only report)')
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .action(async (o: { json?: boolean; config?: string }) => {
      await withStore(o.config, async (store) => {
        const blocks = (await store.listBlocks(systemClock.now())).map(presentBlock);
        if (o.json) return json(blocks);
        for (const b of blocks) out(`${b.scope}\tuntil ${b.until}${b.shadow ? '\t(shadow)' : ''}\t${b.reason}`);
        if (blocks.length === 0) out('no blocks in force');
      });
    });

  cmd.command('reset <scope>')
    .description('Lift a block early, e.g. country:GB or prefix:+44791112; the breaker leaves the scope unjudged for one window')
    .option('--config <file>', 'configuration file')
    .action(async (scope: string, o: { config?: string }) => {
      if (!new RegExp(SCOPE_PATTERN).test(scope)) fail(`"${scope}" is not a breaker scope: country:<ISO code> or prefix:+<digits>`);
      await withStore(o.config, async (store) => {
        if (!(await store.deleteBlock(scope, systemClock.now()))) fail(`no block in force for ${scope}`);
        out(`lifted ${scope}`);
      });
    });
}

/** Run-time abuse management; the same store operations and validation as the admin HTTP endpoints. */
export function registerAbuseCommands(program: Command): void {
  registerRuleCommands(program, 'block');
  registerRuleCommands(program, 'safe');
  registerPolicyCommands(program);
  registerBreakerCommands(program);
}
