import type { ScopeBlock, SendFact } from '../ports/abuse.ts';
import type { GuardOptions } from './judge.ts';
import { countryScope, parseGuardScope, rangeScope, rangesOfBlock } from './ranges.ts';

/**
 * The range guard's statistics: each tenant's recent sends, classified (validated, pending, failed
 * or still in flight) and counted in a tree of its countries and ranges. judge.ts decides on it.
 */

export interface Stats {
  sent: number;
  validated: number;
  failed: number;
  pending: number;
}

export interface Node {
  readonly scope: string;
  readonly stats: Stats;
  readonly children: Node[];
  /** The children by their last digit (ranges), or by their whole prefix (a country's first ranges). */
  byDigit?: (Node | undefined)[];
  byPrefix?: Map<string, Node>;
}

export const zero = (): Stats => ({ sent: 0, validated: 0, failed: 0, pending: 0 });
export const minus = (a: Stats, b: Stats): Stats => ({
  sent: a.sent - b.sent,
  validated: a.validated - b.validated,
  failed: a.failed - b.failed,
  pending: a.pending - b.pending,
});

/** When a decision stops covering sends: those made before it (or during a block that ran out) were judged. */
export function coveredUntil(d: ScopeBlock, now: number): number {
  return d.until > now ? d.createdAt : d.until;
}

/**
 * The provisional window of each tenant: twice the time in which 90 % of its credible validations
 * came, within the bounds. Real users who have not validated by then mostly never will.
 */
export function provisionalWindows(facts: readonly SendFact[], o: GuardOptions): Map<string, number> {
  const delays = new Map<string, number[]>();
  for (const f of facts) {
    if (f.verifiedAt === null) continue;
    const list = delays.get(f.clientId) ?? [];
    list.push(f.verifiedAt - f.createdAt);
    delays.set(f.clientId, list);
  }
  const out = new Map<string, number>();
  for (const [client, list] of delays) {
    if (list.length < 10) continue;
    list.sort((a, b) => a - b);
    const p90 = list[Math.floor(0.9 * (list.length - 1))]!;
    out.set(client, Math.min(o.maxProvisionalMs, Math.max(o.minProvisionalMs, 2 * p90)));
  }
  return out;
}

/**
 * Sources (an IP, a network, a device) whose sends mostly go unvalidated: validations from them
 * prove nothing about real users, since an attacker can validate a share of its own codes.
 */
export function implicatedSources(facts: readonly SendFact[]): Set<string> {
  const seen = new Map<string, { sent: number; validated: number }>();
  for (const f of facts) {
    if (f.trusted) continue;
    for (const s of f.sources) {
      const st = seen.get(`${f.clientId}|${s}`) ?? { sent: 0, validated: 0 };
      st.sent += 1;
      if (f.verifiedAt !== null) st.validated += 1;
      seen.set(`${f.clientId}|${s}`, st);
    }
  }
  const out = new Set<string>();
  for (const [k, st] of seen) if (st.sent - st.validated >= 2 && st.validated < 0.5 * st.sent) out.add(k);
  return out;
}

/** A validation counts as proof of a real user unless one of its sources is implicated. */
export const credible = (f: SendFact, implicated: ReadonlySet<string>): boolean =>
  f.verifiedAt !== null && (f.trusted || !f.sources.some((s) => implicated.has(`${f.clientId}|${s}`)));

/** The scopes of one send, widest first: country (when known), then its ranges. */
export function factScopes(f: Pick<SendFact, 'clientId' | 'country' | 'block'>): string[] {
  return [
    ...(f.country ? [countryScope(f.clientId, f.country)] : []),
    ...rangesOfBlock(f.block).map((r) => rangeScope(f.clientId, r)),
  ];
}

type Outcome = 'validated' | 'in flight' | 'pending' | 'failed';

/** A decision as the tree builder checks sends against it, without building their scope names. */
interface Cover {
  readonly kind: 'country' | 'range';
  readonly value: string;
  /** Sends made before this are covered (see coveredUntil). */
  readonly until: number;
}

function coversByClient(decisions: ReadonlyMap<string, ScopeBlock>, now: number): Map<string, Cover[]> {
  const out = new Map<string, Cover[]>();
  for (const d of decisions.values()) {
    const p = parseGuardScope(d.scope);
    if (!p) continue;
    out.set(p.clientId, [
      ...(out.get(p.clientId) ?? []),
      { kind: p.kind, value: p.value, until: coveredUntil(d, now) },
    ]);
  }
  return out;
}

const isCovered = (f: SendFact, covers: readonly Cover[] | undefined): boolean =>
  covers?.some(
    (c) => f.createdAt < c.until && (c.kind === 'country' ? f.country === c.value : f.block.startsWith(c.value)),
  ) ?? false;

/**
 * Builds the per-tenant range trees of the sends no decision covers yet. Only sends that are not
 * validated make nodes (a range where every code was validated cannot be guilty); validated and
 * in-flight ones then count in the nodes that exist. So a busy tenant's real traffic costs a
 * tenth of the nodes it would, and the scope names are built only for the sends that need them.
 */
export function buildTrees(...args: Parameters<typeof treeSteps>): Map<string, Node> {
  const steps = treeSteps(...args);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** buildTrees with `pause()` awaited every few thousand sends: a big window never stalls a process. */
export async function buildTreesPaced(
  pause: () => Promise<void>,
  ...args: Parameters<typeof treeSteps>
): Promise<Map<string, Node>> {
  const steps = treeSteps(...args);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await pause();
  }
}

/** Sends between two pauses of buildTreesPaced (about 20 ms of work each). */
const CHUNK = 2000;

function* treeSteps(
  facts: readonly SendFact[],
  decisions: ReadonlyMap<string, ScopeBlock>,
  suspicious: ReadonlySet<string>,
  o: GuardOptions,
  now: number,
): Generator<void, Map<string, Node>> {
  // A trie per tenant and country: a send walks its number's digits, and a scope name is built
  // only when a node is new (hashing a name per level per send was most of the cost).
  const rootsByKey = new Map<string, Node>();
  const roots = new Map<string, Node>();
  const implicated = implicatedSources(facts);
  const provisional = provisionalWindows(facts, o);
  const covers = coversByClient(decisions, now);
  const later: [SendFact, Outcome][] = [];
  const count = (n: Node, outcome: Outcome) => {
    n.stats.sent += 1;
    if (outcome !== 'in flight') n.stats[outcome] += 1;
    // Where the range itself offended before, nothing is given the benefit of the doubt.
    else if (suspicious.has(n.scope)) n.stats.pending += 1;
  };
  const child = (parent: Node, f: SendFact, len: number, first: boolean, create: boolean): Node | undefined => {
    const digit = f.block.charCodeAt(len - 1) - 48;
    const found = first ? parent.byPrefix?.get(f.block.slice(0, len)) : parent.byDigit?.[digit];
    if (found || !create) return found;
    const n: Node = { scope: rangeScope(f.clientId, f.block.slice(0, len)), stats: zero(), children: [] };
    parent.children.push(n);
    if (first) {
      parent.byPrefix ??= new Map();
      parent.byPrefix.set(f.block.slice(0, len), n);
    } else {
      parent.byDigit ??= [];
      parent.byDigit[digit] = n;
    }
    return n;
  };
  const add = (f: SendFact, outcome: Outcome, create: boolean) => {
    const ranges = rangesOfBlock(f.block);
    if (ranges.length === 0) return;
    const key = `${f.clientId}|${f.country ?? ''}`;
    let root = rootsByKey.get(key);
    if (!root) {
      if (!create) return;
      const scope = f.country ? countryScope(f.clientId, f.country) : `${key}|none`;
      root = { scope, stats: zero(), children: [] };
      rootsByKey.set(key, root);
      roots.set(scope, root);
    }
    if (f.country) count(root, outcome);
    let n: Node | undefined = root;
    for (let len = ranges[0]!.length; len <= f.block.length && n; len++) {
      n = child(n, f, len, len === ranges[0]!.length, create);
      if (n) count(n, outcome);
    }
  };
  for (const [i, f] of facts.entries()) {
    if (i % CHUNK === CHUNK - 1) yield;
    if (isCovered(f, covers.get(f.clientId))) continue;
    const outcome = outcomeOf(f, implicated, provisional.get(f.clientId) ?? o.maxProvisionalMs, o, now);
    if (outcome === 'pending' || outcome === 'failed') add(f, outcome, true);
    else later.push([f, outcome]);
  }
  // An in-flight code in a range that offended counts there (add() counts it as pending).
  const offended = (f: SendFact) =>
    covers.get(f.clientId)?.some((x) => x.kind === 'range' && f.block.startsWith(x.value));
  for (const [i, [f, outcome]] of later.entries()) {
    if (i % CHUNK === CHUNK - 1) yield;
    add(f, outcome, outcome === 'in flight' && offended(f) === true);
  }
  return roots;
}

function outcomeOf(f: SendFact, implicated: ReadonlySet<string>, window: number, o: GuardOptions, now: number) {
  if (credible(f, implicated)) return 'validated';
  // A code from a source whose codes mostly go unvalidated is presumed failed at once.
  const suspect = !f.trusted && f.sources.some((s) => implicated.has(`${f.clientId}|${s}`));
  const age = now - f.createdAt;
  const waiting = f.verifiedAt === null && !suspect;
  // Younger than the quickest real users take, a code is in flight and counts for nothing yet: a
  // burst of real users (a launch) is not judged before the first of them could validate.
  if (waiting && age < o.minProvisionalMs) return 'in flight';
  return waiting && age < window ? 'pending' : 'failed';
}
