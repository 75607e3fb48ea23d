import { liftedByOperator, type RangeBaseline, type ScopeBlock, type SendFact } from '../ports/abuse.ts';
import { parseGuardScope, rangeScope, rangesOfBlock } from './ranges.ts';
import { buildTrees, buildTreesPaced, minus, zero, type Node, type Stats } from './tree.ts';

/** The range guard's knobs (config/abuse.ts says what each default is and why). */
export interface GuardOptions {
  /** Sends created in this trailing window are judged. */
  readonly windowMs: number;
  /** Unproven sends a range with no history of offending may have in the window before it is acted on. */
  readonly newRangeBudget: number;
  /** The same, for a range that offended within `memoryMs`: a patient attacker gets little back. */
  readonly probationBudget: number;
  /** Unproven sends allowed per credible validation at least (the tenant's own baseline may allow more). */
  readonly failuresPerValidation: number;
  /** How many times its normal unproven volume a range may reach before that alone is suspicious. */
  readonly baselineFactor: number;
  /** Bounds of the provisional window: a code not validated within it counts as failed. */
  readonly minProvisionalMs: number;
  readonly maxProvisionalMs: number;
  readonly throttleMs: number;
  readonly throttleMinPerHour: number;
  readonly blockMs: number;
  readonly maxBlockMs: number;
  /** How long a range's offences are remembered (probation, and longer blocks for repeat offenders). */
  readonly memoryMs: number;
  /** This many guilty sub-ranges of one range, and little real traffic left in it: the range itself is guilty. */
  readonly spreadChildren: number;
  readonly shadow: boolean;
}

/** What a decision was based on, as logged and shown by the admin API. */
export interface Evidence {
  readonly scope: string;
  readonly from: number;
  readonly to: number;
  readonly sent: number;
  readonly validated: number;
  readonly failed: number;
  readonly pending: number;
  readonly unproven: number;
  readonly allowance: number;
  readonly baseline: { readonly sentPerHour: number; readonly validatedPerHour: number } | null;
}

export interface Verdict {
  readonly block: ScopeBlock;
  readonly evidence: Evidence;
}

/** How many unproven sends a scope may have, given its validations and its baseline. */
function allowanceOf(
  s: Stats,
  b: RangeBaseline | undefined,
  d: ScopeBlock | undefined,
  near: boolean,
  o: GuardOptions,
  now: number,
): number {
  const offended = d !== undefined && d.until > now - o.memoryMs;
  // Around an offending range only where real users are not known (a validation an hour or more):
  // a wide range with real traffic keeps its budget (the spread rule in explain catches an attacker
  // walking its sub-ranges).
  const real = b !== undefined && b.validatedPerHour >= 1;
  const budget = offended || (near && !real) ? o.probationBudget : o.newRangeBudget;
  if (!b || b.validatedPerHour <= 0) return budget + o.failuresPerValidation * s.validated;
  const normalFailures = Math.max(0, b.sentPerHour - b.validatedPerHour);
  // The tenant's own real users say how many codes go unvalidated here; twice that is allowed.
  const ratio = Math.min(3, Math.max(MIN_RATIO, (2 * normalFailures) / b.validatedPerHour));
  return budget + ratio * s.validated + o.baselineFactor * normalFailures * (o.windowMs / 3_600_000);
}

/** However well a baseline converts, this many unproven codes per validation are allowed. */
const MIN_RATIO = 0.25;

/** Unproven sends: failed ones, and young pending ones at half weight where the tenant has no baseline. */
const unprovenOf = (s: Stats, b: RangeBaseline | undefined): number => s.failed + (b ? 0 : 0.5 * s.pending);

interface Ctx {
  readonly baselines: ReadonlyMap<string, RangeBaseline>;
  readonly decisions: ReadonlyMap<string, ScopeBlock>;
  /** Ranges with an offending sub-range within memory: a drip that walks to the next sub-range is on probation. */
  readonly near: ReadonlySet<string>;
  /** Per range, its sub-ranges one digit longer that offended within memory. */
  readonly offendingChildren: ReadonlyMap<string, ReadonlySet<string>>;
  readonly o: GuardOptions;
  readonly now: number;
}

const guilty = (n: Node, s: Stats, c: Ctx): boolean => {
  const b = c.baselines.get(n.scope);
  return unprovenOf(s, b) > allowanceOf(s, b, c.decisions.get(n.scope), isNear(n.scope, c), c.o, c.now);
};

/**
 * The narrowest ranges that explain a tree's unproven sends: a range is guilty only for what its
 * guilty sub-ranges do not already explain, so an attack on one operator's range blocks that range
 * and not the country around it. An attack spread evenly over a range makes several of its
 * sub-ranges guilty at once; with little real traffic left beside them, the range itself is chosen.
 */
function explain(n: Node, c: Ctx): readonly Node[] {
  // A range under a decision answers for its own sends (a throttle escalates on them): they
  // explain nothing about the ranges around it.
  if ((c.decisions.get(n.scope)?.until ?? 0) > c.now) return [n];
  if (n.children.length === 0) return guilty(n, n.stats, c) ? [n] : NONE;
  // Sub-ranges guilty now, or that offended within memory (an attacker walking from one to the next).
  const offended = c.offendingChildren.get(n.scope);
  let offenders = offended?.size ?? 0;
  let chosen = NONE;
  for (const k of n.children) {
    const r = explain(k, c);
    if (r.length === 0) continue;
    chosen = chosen.length === 0 ? r : chosen.concat(r);
    if (!offended?.has(k.scope)) offenders += 1;
  }
  const residual = chosen.length === 0 ? n.stats : chosen.reduce((acc, k) => minus(acc, k.stats), n.stats);
  if (guilty(n, residual, c)) return [concentrate(n, new Set(chosen), c)];
  return offenders >= c.o.spreadChildren && residual.validated <= c.o.newRangeBudget ? [n] : chosen;
}

/** No range: shared, never changed. */
const NONE: readonly Node[] = Object.freeze([]) as readonly Node[];

const unvalidated = (s: Stats): number => s.failed + s.pending;

/**
 * Where most of a guilty range's unvalidated codes are: down through any sub-range that holds at
 * least 80 % of them. An attack inside one sub-range is pinned to it even before that sub-range is
 * over its own allowance (a real user's pending code next to it must not widen the block tenfold);
 * an attack spread evenly over the range stays at the range.
 */
function concentrate(n: Node, exclude: ReadonlySet<Node>, c: Ctx): Node {
  const offended = (x: Node) => (c.decisions.get(x.scope)?.until ?? 0) > c.now - c.o.memoryMs;
  let cur = n;
  for (;;) {
    if (offended(cur)) return cur;
    const total =
      unvalidated(cur.stats) - cur.children.filter((k) => exclude.has(k)).reduce((a, k) => a + unvalidated(k.stats), 0);
    let best: Node | undefined;
    for (const k of cur.children) {
      if (exclude.has(k)) continue;
      if (!best || unvalidated(k.stats) > unvalidated(best.stats)) best = k;
    }
    if (!best || total <= 0 || unvalidated(best.stats) < 0.8 * total) return cur;
    // The sub-range that offended before is the offender again; around one, an attacker walking
    // on through sibling sub-ranges must not get a fresh first offence in each.
    if (offended(best)) return best;
    if (c.near.has(cur.scope)) return cur;
    cur = best;
  }
}

/** The block duration of a repeat offender: doubling per strike, halved when real users are back. */
function blockDuration(strikes: number, recovered: boolean, o: GuardOptions): number {
  const d = Math.min(o.maxBlockMs, o.blockMs * 2 ** Math.max(0, strikes - 1));
  return recovered ? Math.max(o.blockMs, d / 2) : d;
}

/** Room for the real users a range has (learnt, or seen validating in the window). */
function throttleRate(n: Node, b: RangeBaseline | undefined, o: GuardOptions): number {
  const seen = n.stats.validated / (o.windowMs / 3_600_000);
  return Math.max(o.throttleMinPerHour, Math.round(1.5 * Math.max(b?.validatedPerHour ?? 0, seen)));
}

function evidenceOf(n: Node, c: Ctx): Evidence {
  const b = c.baselines.get(n.scope);
  return {
    scope: n.scope,
    from: c.now - c.o.windowMs,
    to: c.now,
    ...n.stats,
    unproven: unprovenOf(n.stats, b),
    allowance: allowanceOf(n.stats, b, c.decisions.get(n.scope), isNear(n.scope, c), c.o, c.now),
    baseline: b ? { sentPerHour: b.sentPerHour, validatedPerHour: b.validatedPerHour } : null,
  };
}

function verdictFor(n: Node, c: Ctx): Verdict | undefined {
  const { o, now } = c;
  const prior = c.decisions.get(n.scope);
  const inForce = prior !== undefined && prior.until > now;
  // A throttle escalates when its range is guilty again, or when what it let through all fails.
  const failing = inForce && n.stats.failed >= 2 && n.stats.validated === 0;
  if (inForce && (prior.action !== 'throttle' || !(failing || guilty(n, n.stats, c)))) return undefined;
  const remembered = prior !== undefined && prior.until > now - o.memoryMs ? (prior.strikes ?? 0) : 0;
  const b = c.baselines.get(n.scope);
  const evidence = evidenceOf(n, c);
  // Throttle first where real users are seen (the evidence is mixed); a range with none, a throttled
  // range that keeps failing, and one that offended before are blocked.
  // A country is never blocked at a first offence: too wide to be sure no real user is in it yet.
  const realUsers =
    n.stats.validated > 0 || (b?.validatedPerHour ?? 0) > 0 || parseGuardScope(n.scope)?.kind === 'country';
  const escalate =
    !realUsers || inForce || remembered > 0 || (prior?.action === 'throttle' && prior.until > now - o.memoryMs);
  const reason = failing
    ? `none of the ${n.stats.sent} codes the throttle let through was validated`
    : `${n.stats.validated} of ${n.stats.sent} codes validated, ${evidence.unproven} unproven > ${
        Math.round(evidence.allowance * 10) / 10
      } allowed`;
  const strikes = escalate ? remembered + 1 : remembered;
  const recovered = b !== undefined && n.stats.validated >= 3 && n.stats.validated / n.stats.sent >= 0.5;
  const block: ScopeBlock = {
    scope: n.scope,
    until: now + (escalate ? blockDuration(strikes, recovered, o) : o.throttleMs),
    shadow: o.shadow,
    reason,
    createdAt: now,
    action: escalate ? 'block' : 'throttle',
    strikes,
    // A block's rate is that of the throttle that follows it.
    perHour: throttleRate(n, b, o),
  };
  return { evidence, block };
}

/**
 * A block that ran out is followed by a throttle at its rate, so a patient attacker does not find
 * the range wide open again: what the throttle lets through is judged, and fails it back into a
 * longer block (see verdictFor).
 */
function followUps(c: Ctx): Verdict[] {
  const out: Verdict[] = [];
  for (const d of c.decisions.values()) {
    if (d.action === 'throttle' || d.until > c.now || d.until <= c.now - c.o.throttleMs) continue;
    if (liftedByOperator(d) || parseGuardScope(d.scope) === undefined) continue;
    const n: Node = { scope: d.scope, stats: zero(), children: [] };
    const block: ScopeBlock = {
      ...d,
      until: c.now + c.o.throttleMs,
      shadow: c.o.shadow,
      reason: `after a block (strike ${d.strikes ?? 1})`,
      createdAt: c.now,
      action: 'throttle',
      perHour: Math.max(c.o.throttleMinPerHour, d.perHour ?? 0),
    };
    out.push({ evidence: evidenceOf(n, c), block });
  }
  return out;
}

/** Whether a scope holds a range that offended within memory. */
const isNear = (scope: string, c: Ctx): boolean => c.near.has(scope);

/** The wider ranges around every range that offended within memory (same tenant), and its parent's children. */
function nearOffences(decisions: readonly ScopeBlock[], now: number, o: GuardOptions) {
  const near = new Set<string>();
  const offendingChildren = new Map<string, Set<string>>();
  for (const d of decisions) {
    const p = parseGuardScope(d.scope);
    if (p?.kind !== 'range' || d.until <= now - o.memoryMs) continue;
    for (const r of rangesOfBlock(p.value)) if (r !== p.value) near.add(rangeScope(p.clientId, r));
    const parent = rangeScope(p.clientId, p.value.slice(0, -1));
    offendingChildren.set(parent, (offendingChildren.get(parent) ?? new Set()).add(d.scope));
  }
  return { near, offendingChildren };
}

/**
 * One judgement of the recent sends: the verdicts to record (new throttles, throttles escalated to
 * blocks). Pure: the job (jobs/range-guard.ts) reads the facts and writes the verdicts.
 * `decisions` are the guard's rows in force or ended within `memoryMs`; a scope with a block in
 * force gets no new verdict.
 */
export interface JudgeInput {
  readonly facts: readonly SendFact[];
  readonly decisions: readonly ScopeBlock[];
  readonly baselines: readonly RangeBaseline[];
  readonly now: number;
  readonly options: GuardOptions;
}

export function judgeSends(input: JudgeInput): Verdict[] {
  const c = contextOf(input);
  return decide(buildTrees(input.facts, c.decisions, suspiciousOf(input), input.options, input.now), c);
}

/** judgeSends, awaiting `pause()` now and then while it counts (the job's: a turn of the event loop). */
export async function judgeSendsPaced(input: JudgeInput, pause: () => Promise<void>): Promise<Verdict[]> {
  const c = contextOf(input);
  const roots = await buildTreesPaced(pause, input.facts, c.decisions, suspiciousOf(input), input.options, input.now);
  return decide(roots, c);
}

const contextOf = (input: JudgeInput): Ctx => ({
  baselines: new Map(input.baselines.map((b) => [b.scope, b])),
  decisions: new Map(input.decisions.map((d) => [d.scope, d])),
  ...nearOffences(input.decisions, input.now, input.options),
  o: input.options,
  now: input.now,
});

/** The scopes that offended within memory: an in-flight code there is not given the benefit of the doubt. */
const suspiciousOf = (input: JudgeInput): Set<string> =>
  new Set(input.decisions.filter((d) => d.until > input.now - input.options.memoryMs).map((d) => d.scope));

function decide(roots: ReadonlyMap<string, Node>, c: Ctx): Verdict[] {
  const out: Verdict[] = [];
  // Countries that share a calling code (GB, JE, GG, IM under +44) may reach one range twice:
  // each chosen range is decided once.
  const chosen = new Map<string, Node>();
  for (const root of roots.values())
    for (const n of explain(root, c)) if (parseGuardScope(n.scope)) chosen.set(n.scope, n);
  for (const n of chosen.values()) {
    const v = verdictFor(n, c);
    if (v) out.push(v);
  }
  const decided = new Set(out.map((v) => v.block.scope));
  out.push(...followUps(c).filter((v) => !decided.has(v.block.scope)));
  return out;
}
