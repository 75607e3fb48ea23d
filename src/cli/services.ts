import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { systemClock } from '../core/clock.ts';
import { Services, type Service, type ServiceSettings } from '../core/services.ts';
import { checked, fail, orFail, withStore } from './context.ts';
import { printable, terminalJson } from './terminal.ts';

interface SettingOptions {
  codeLength?: string;
  alphabet?: string;
  ttl?: string;
  maxChecks?: string;
  maxSends?: string;
  sendWindow?: string;
  channels?: string;
  defaultLocale?: string;
  webotpDomain?: string;
  appHash?: string;
  templates?: string;
}

interface Common {
  client: string;
  json?: boolean;
  config?: string;
}

const out = (text: string) => process.stdout.write(text);
const int = (v: string | undefined) => (v === undefined ? undefined : Number(v));

/** The settings given on the command line (the core checks their bounds); a file holds the templates. */
function settingsOf(o: SettingOptions): ServiceSettings {
  const templates = o.templates === undefined ? undefined : readTemplates(o.templates);
  const s = {
    codeLength: int(o.codeLength),
    alphabet: o.alphabet,
    ttlSeconds: int(o.ttl),
    maxChecks: int(o.maxChecks),
    maxSends: int(o.maxSends),
    sendWindowSeconds: int(o.sendWindow),
    channels: o.channels?.split(',').map((c) => c.trim()),
    defaultLocale: o.defaultLocale,
    webOtpDomain: o.webotpDomain,
    androidAppHash: o.appHash,
    templates,
  };
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as ServiceSettings;
}

function readTemplates(file: string): ServiceSettings['templates'] {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ServiceSettings['templates'];
  } catch (err) {
    return fail(`--templates ${file}: ${(err as Error).message}`);
  }
}

function print(s: Service, json: boolean | undefined): void {
  if (json) return void out(`${terminalJson(s)}\n`);
  const settings = Object.entries(s.settings).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`);
  out(
    `id:       ${s.id}\nclient:   ${printable(s.clientId)}\nname:     ${printable(s.friendlyName)}\n` +
      `default:  ${s.isDefault}\nsettings: ${printable(settings.join(' ') || '(server defaults)')}\n`,
  );
}

function withSettingOptions(c: Command): Command {
  return c
    .option('--code-length <n>', 'digits or characters per code, 4 to 10')
    .option('--alphabet <a>', 'numeric or alphanumeric')
    .option('--ttl <seconds>', 'how long a code works, 30 to 600')
    .option('--max-checks <n>', 'code attempts per verification, 1 to 10')
    .option('--max-sends <n>', 'sends per recipient in the send window, 1 to 20')
    .option('--send-window <seconds>', 'the send window, 60 to 86400')
    .option('--channels <list>', 'allowed channels, e.g. sms,email')
    .option('--default-locale <tag>', 'language when a start names none, e.g. pt-BR')
    .option('--webotp-domain <host>', 'adds the WebOTP line "@host #code" to SMS')
    .option('--app-hash <hash>', "the Android app's 11-character SMS Retriever hash")
    .option('--templates <file>', 'JSON file: {"es": {"sms": "…{code}…", "emailSubject": "…"}}');
}

export function registerServiceCommands(program: Command): void {
  const services = program.command('services').description("Manage a client's services (named configurations)");
  const use = <T>(config: string | undefined, fn: (s: Services) => Promise<T>) =>
    withStore(config, (store) => orFail(() => fn(new Services({ store, clock: systemClock }))));
  const common = (c: Command) =>
    c
      .requiredOption('--client <id>', 'the tenant')
      .option('--json', 'print JSON')
      .option('--config <file>', 'configuration file');

  withSettingOptions(common(services.command('create').description('Create a service')))
    .requiredOption('--name <name>', 'its friendly name, shown in the texts')
    .action(async (o: Common & SettingOptions & { name: string }) => {
      const settings = checked(() => settingsOf(o));
      print(await use(o.config, (s) => s.create(o.client, o.name, settings)), o.json);
    });

  common(services.command('list').description("List a client's services"))
    .option('--limit <n>', 'how many', '100')
    .action(async (o: Common & { limit: string }) => {
      const page = await use(o.config, (s) => s.list(o.client, Math.max(1, Math.min(100, Number(o.limit) || 100))));
      if (o.json) return void out(`${terminalJson(page.services)}\n`);
      for (const s of page.services) out(`${s.id}\t${s.isDefault ? 'default' : '-'}\t${printable(s.friendlyName)}\n`);
      if (page.services.length === 0) out('no services\n');
    });

  common(services.command('show <id>').description('Show a service')).action(async (id: string, o: Common) => {
    print(await use(o.config, (s) => s.get(o.client, id)), o.json);
  });

  withSettingOptions(common(services.command('update <id>').description('Change a service')))
    .option('--name <name>', 'a new friendly name')
    .option('--clear <fields>', 'settings back to the server default, e.g. codeLength,ttlSeconds')
    .action(async (id: string, o: Common & SettingOptions & { name?: string; clear?: string }) => {
      const cleared = Object.fromEntries((o.clear?.split(',') ?? []).map((f) => [f.trim(), undefined]));
      const settings = { ...cleared, ...checked(() => settingsOf(o)) } as ServiceSettings;
      print(await use(o.config, (s) => s.update(o.client, id, { friendlyName: o.name, settings })), o.json);
    });

  common(services.command('delete <id>').description('Delete a service')).action(async (id: string, o: Common) => {
    await use(o.config, (s) => s.delete(o.client, id));
    out(`deleted ${id}\n`);
  });
}
