// A seeded simulation of SMS pumping against otpd's core at its defaults (real SQLite store, the
// real admission, the real range guard job, an injected clock), written from the attack kinds of
// docs/security.md, not from otpd's thresholds. Used by test/integration/fraud-sim.test.ts (short,
// bounds asserted) and by `npm run bench` (longer, figures printed).
import { smsText } from './core.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { ManualClock } from '../../src/core/clock.ts';
import { KeyRing } from '../../src/core/keyring.ts';
import { Verifier, type SendContext } from '../../src/core/verification.ts';
import { Admission } from '../../src/core/admission.ts';
import { OtpdError } from '../../src/core/errors.ts';
import { LibPhoneNumberInspector } from '../../src/phone/libphonenumber.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { loadConfig } from '../../src/config/load.ts';
import { policyFrom } from '../../src/boot/verification.ts';
import { abusePolicyFrom, rangeGuardOptions } from '../../src/boot/abuse.ts';
import { RangeGuard, type RangeGuardOptions } from '../../src/jobs/range-guard.ts';
import type { Verdict } from '../../src/core/fraud/judge.ts';

const SECOND = 1000;
const HOUR = 3_600_000;

export interface SimOptions {
  readonly seed: number;
  /** Real traffic alone before the attacks start (the tenants' baselines are learnt from it). */
  readonly warmupHours: number;
  readonly attackHours: number;
  /** Real users per hour and country of tenant A (GB is where it is attacked); tenant B has GB users only. */
  readonly usersPerHour: {
    readonly GB: number;
    readonly ES: number;
    readonly FR: number;
    /** A country of tenant A that no attack touches. */
    readonly DE: number;
    readonly B_GB: number;
  };
  /** Attack requests per hour, per pattern (the hidden one scales with the real GB volume instead). */
  readonly spreadPerHour: number;
  readonly dripPerHour: number;
  readonly validatingPerHour: number;
  /** Share of real users who never validate (they leave), and who signed in before (a known number). */
  readonly neverValidate: number;
  readonly returning: number;
  readonly env?: Record<string, string>;
  /** Closes otpd's parts and starts them again on the same database at this point of the run. */
  readonly restartAfterHours?: number;
  /** Overrides of the guard's options (the defaults come from the configuration's). */
  readonly guard?: Partial<RangeGuardOptions>;
  /** Sees each real user refused twice (who therefore failed), with the last refusal. */
  readonly onUserRefused?: (group: Group, phone: string, refusal: string) => void;
  /** Sees each decision of the guard, with the simulated time since the start. */
  readonly onDecision?: (v: Verdict, elapsedMs: number) => void;
}

export const SHORT_SIM: SimOptions = {
  seed: 7,
  warmupHours: 1,
  attackHours: 3,
  usersPerHour: { GB: 120, ES: 60, FR: 60, DE: 40, B_GB: 60 },
  spreadPerHour: 1800,
  dripPerHour: 150,
  validatingPerHour: 600,
  neverValidate: 0.1,
  returning: 0.2,
};

export type Pattern = 'spread' | 'hidden' | 'drip' | 'validating';
export type Group = 'A:GB' | 'A:ES' | 'A:FR' | 'A:DE' | 'B:GB';

export interface SimResult {
  /** Per attack pattern: requests, and those accepted (a message queued for a gateway). */
  readonly attacks: Record<Pattern, { requests: number; accepted: number }>;
  /** Per group of real users who meant to validate: how many, and how many did. */
  readonly users: Record<Group, { users: number; succeeded: number }>;
  readonly decisions: number;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Event {
  readonly at: number;
  /** Insertion order: events at one instant run in the order they were scheduled. */
  readonly n: number;
  readonly run: () => Promise<void>;
}

/** A binary min-heap of events by (time, insertion order). */
class Agenda {
  readonly #h: Event[] = [];
  #n = 0;
  get size(): number {
    return this.#h.length;
  }
  push(at: number, run: () => Promise<void>): void {
    const h = this.#h;
    h.push({ at, n: this.#n++, run });
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.#less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): Event {
    const h = this.#h;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.#less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.#less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
  #less(a: Event, b: Event): boolean {
    return a.at < b.at || (a.at === b.at && a.n < b.n);
  }
}

/** Runs one simulation; every figure it returns comes from what the core accepted or refused. */
export async function runPumpingSim(o: SimOptions): Promise<SimResult> {
  const rnd = prng(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');
  const validMobile = (make: () => string): string => {
    for (;;) {
      const n = make();
      const p = parsePhoneNumberFromString(n);
      if (p?.isValid() && p.getType() === 'MOBILE') return n;
    }
  };
  const start = Date.UTC(2026, 5, 1, 8);
  const clock = new ManualClock(start);
  const dir = mkdtempSync(join(tmpdir(), 'otpd-sim-'));
  const config = loadConfig({ OTPD_TRUSTED_PROXIES: '127.0.0.1', ...o.env });
  const keys = new KeyRing('sim-secret-0123456789-0123456789-abcdef');
  const guardOptions = { ...rangeGuardOptions(config), ...o.guard };
  let lastRefusal = '';
  let lastDigits: number[] = [];
  /** otpd's parts on the database file; called again to restart them (nothing carried over in memory). */
  const boot = () => {
    const store = new SqliteStore({ file: join(dir, 'otpd.db'), synchronous: 'NORMAL' }, clock.now());
    const admission = new Admission({
      store,
      clock,
      policy: abusePolicyFrom(config),
      onAbuse: (e) => {
        lastRefusal = `${e.reason} ${e.scope ?? ''}`;
      },
    });
    const verifier = new Verifier({
      store,
      keys,
      clock,
      policy: policyFrom(config),
      admission,
      phones: new LibPhoneNumberInspector(),
      newId: randomUUID,
      random: (max) => {
        const d = Math.floor(rnd() * max);
        lastDigits.push(d);
        return d;
      },
      onQueued: () => {},
    });
    const guard = new RangeGuard({
      store,
      clock,
      options: guardOptions,
      events: {
        decided: (v) => {
          decisions += 1;
          o.onDecision?.(v, clock.now() - start);
        },
        learned: () => {},
        error: (e) => {
          throw e;
        },
      },
    });
    return { store, verifier, guard };
  };
  let { store, verifier, guard } = boot();
  let decisions = 0;
  const events = new Agenda();
  const at = (t: number, run: () => Promise<void>) => events.push(t, run);

  /** One send; the code when it was accepted (a message queued), undefined when refused. */
  let refusal = '';
  async function send(client: string, phone: string, ctx: SendContext): Promise<string | undefined> {
    lastDigits = [];
    lastRefusal = '';
    try {
      const r = await verifier.sendCode(client, { to: phone, template: smsText('Your code is {{code}}') }, ctx);
      return `${r.authenticationId} ${lastDigits.join('')}`;
    } catch (e) {
      if (!(e instanceof OtpdError)) throw e;
      refusal = `${e.code} ${lastRefusal}`;
      return undefined;
    }
  }
  const validate = async (client: string, sent: string) => {
    const [id, code] = sent.split(' ');
    await verifier.validateCode(client, id!, code!).catch((e) => {
      if (!(e instanceof OtpdError)) throw e;
    });
  };
  const octet = (n: number) => Math.floor(rnd() * n);
  // Real users at home, each from an address of their own; a proxy pool of 3000 addresses.
  const residential = () => `${pick([81, 86, 90, 92, 109, 176, 188])}.${octet(256)}.${octet(256)}.${1 + octet(253)}`;
  const proxies = Array.from(
    { length: 3000 },
    () => `${pick([5, 45, 104, 185, 193])}.${octet(40)}.${octet(256)}.${1 + octet(253)}`,
  );

  const users = Object.fromEntries(
    (['A:GB', 'A:ES', 'A:FR', 'A:DE', 'B:GB'] as const).map((g) => [g, { users: 0, succeeded: 0 }]),
  ) as SimResult['users'];
  const known: Record<Group, string[]> = { 'A:GB': [], 'A:ES': [], 'A:FR': [], 'A:DE': [], 'B:GB': [] };
  const mobile: Record<string, () => string> = {
    GB: () => validMobile(() => `+447${pick(['4', '5', '7', '8', '9'])}${digits(8)}`),
    ES: () => validMobile(() => `+34${pick(['6', '7'])}${digits(8)}`),
    FR: () => validMobile(() => `+33${pick(['6', '7'])}${digits(8)}`),
    DE: () => validMobile(() => `+491${pick(['5', '6', '7'])}${digits(9)}`),
  };

  /** A real user: asks for a code, retries once a minute later if refused, validates after 5–60 s (or never). */
  function realUser(group: Group, t: number, countStats: boolean) {
    const [tenant, country] = group.split(':') as [string, string];
    const returning = known[group].length > 0 && rnd() < o.returning;
    // A number comes back at most once in the run, as a user signing in again on another day would.
    const phone = returning ? known[group].splice(Math.floor(rnd() * known[group].length), 1)[0]! : mobile[country]!();
    const ctx: SendContext = { ip: residential(), ipProxied: true, device: randomUUID(), userAgent: 'Mozilla/5.0' };
    const leaves = rnd() < o.neverValidate;
    const delay = (5 + 55 * rnd()) * SECOND;
    if (countStats && !leaves) users[group].users += 1;
    const attempt = async (retry: boolean) => {
      const sent = await send(tenant, phone, ctx);
      if (sent === undefined) {
        if (!retry) at(clock.now() + 60 * SECOND, () => attempt(true));
        else if (countStats && !leaves) o.onUserRefused?.(group, phone, refusal);
        return;
      }
      if (leaves) return;
      at(clock.now() + delay, async () => {
        await validate(tenant, sent);
        known[group].push(phone);
        if (countStats) users[group].succeeded += 1;
      });
    };
    at(t, () => attempt(false));
  }

  const attacks: SimResult['attacks'] = {
    spread: { requests: 0, accepted: 0 },
    hidden: { requests: 0, accepted: 0 },
    drip: { requests: 0, accepted: 0 },
    validating: { requests: 0, accepted: 0 },
  };
  const spreadRanges = [
    () => validMobile(() => `+2348${pick(['0', '1'])}${digits(8)}`),
    () => validMobile(() => `+88017${digits(8)}`),
    () => validMobile(() => `+9989${digits(8)}`),
    () => validMobile(() => `+2519${digits(8)}`),
  ];
  const attackAt = (p: Pattern, t: number, phone: () => string, ip: () => string, validates = 0) =>
    at(t, async () => {
      attacks[p].requests += 1;
      const sent = await send('A', phone(), { ip: ip(), ipProxied: true });
      if (sent === undefined) return;
      attacks[p].accepted += 1;
      if (rnd() < validates) at(clock.now() + (10 + 30 * rnd()) * SECOND, () => validate('A', sent));
    });

  const attackStart = start + o.warmupHours * HOUR;
  const end = attackStart + o.attackHours * HOUR;
  const poisson = (perHour: number, from: number, to: number, each: (t: number) => void) => {
    for (let t = from; ; ) {
      t += (-Math.log(1 - rnd()) / perHour) * HOUR;
      if (t >= to) return;
      each(t);
    }
  };
  const u = o.usersPerHour;
  for (const [g, rate] of [
    ['A:GB', u.GB],
    ['A:ES', u.ES],
    ['A:FR', u.FR],
    ['A:DE', u.DE],
    ['B:GB', u.B_GB],
  ] as const)
    poisson(rate, start, end, (t) => at(t, async () => realUser(g, clock.now(), t >= attackStart)));
  poisson(o.spreadPerHour, attackStart, end, (t) => attackAt('spread', t, pick(spreadRanges), () => pick(proxies)));
  // Inside one GB mobile range (10⁶ numbers) where tenant A has real users, from 1.5× to 5× their volume.
  const hiddenRange = '+447451';
  for (let t = attackStart; t < end; ) {
    const share = (t - attackStart) / (end - attackStart);
    t += (-Math.log(1 - rnd()) / (u.GB * (1.5 + 3.5 * share))) * HOUR;
    if (t < end)
      attackAt(
        'hidden',
        t,
        () => validMobile(() => `${hiddenRange}${digits(6)}`),
        () => pick(proxies),
      );
  }
  // Paced under every velocity limit: a new IP every few sends, a new 10⁴ prefix every 10 sends.
  let drip = 0;
  poisson(o.dripPerHour, attackStart, end, (t) =>
    attackAt(
      'drip',
      t,
      () => {
        const prefix = `+3375${String(Math.floor(drip++ / 10)).padStart(3, '0')}`;
        return validMobile(() => `${prefix}${digits(4)}`);
      },
      () => pick(proxies),
    ),
  );
  poisson(o.validatingPerHour, attackStart, end, (t) =>
    attackAt(
      'validating',
      t,
      () => validMobile(() => `+346229${digits(5)}`),
      () => pick(proxies),
      0.4,
    ),
  );

  if (o.restartAfterHours !== undefined)
    at(start + o.restartAfterHours * HOUR, async () => {
      await store.close();
      ({ store, verifier, guard } = boot());
    });
  // Time runs in order through the events and the guard's runs.
  if (config.abuse.rangeGuard.enabled)
    for (let t = start; t <= end; t += guardOptions.intervalMs) at(t, async () => void (await guard.runOnce()));
  try {
    while (events.size) {
      const e = events.pop();
      if (e.at > end + 5 * 60 * SECOND) break;
      clock.set(Math.max(clock.now(), e.at));
      await e.run();
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { attacks, users, decisions };
}
