import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';

/**
 * Checks a value against the configuration schema and says, in words, everything that is wrong.
 * TypeBox's own error list stops at 8 entries and reports a union by every branch it tried (a
 * Twilio gateway with one bad field came back as the missing fields of an SMPP one); this walks the
 * schema instead: objects key by key, lists item by item, a union of literals as "one of …", and a
 * union of objects only through the branch its `type` (then `preset`) selects.
 */
export function schemaProblems(schema: TSchema, value: unknown, path: string, out: string[]): void {
  const s = schema as Node;
  if (s.anyOf) unionProblems(s.anyOf, value, path, out);
  else if (s.type === 'object') {
    if (isRecord(value)) objectProblems(s, value, path, out);
    else out.push(`${path}: must be a mapping of keys to values`);
  } else if (s.type === 'array') {
    if (!Array.isArray(value)) out.push(`${path}: must be a list`);
    else if (s.minItems !== undefined && value.length < s.minItems) out.push(`${path}: must not be empty`);
    else for (const [i, v] of value.entries()) schemaProblems(s.items as TSchema, v, `${path}.${i}`, out);
  } else if (!Value.Check(schema, value)) out.push(`${path}: ${leafMessage(s, value)}`);
}

/** The known name nearest to `name` if it is close enough to be a slip of the keyboard. */
export function didYouMean(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.min(3, Math.floor(name.length / 4))) + 1;
  const a = name.toLowerCase();
  for (const k of known) {
    const b = k.toLowerCase();
    // A word cut short or run on ("warning" for "warn") is as near as one slip.
    const cut = Math.min(a.length, b.length) >= 4 && (a.startsWith(b) || b.startsWith(a));
    const d = Math.min(distance(a, b), cut ? 1 : Number.POSITIVE_INFINITY);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

interface Node {
  type?: string;
  anyOf?: TSchema[];
  const?: unknown;
  properties?: Record<string, Node>;
  patternProperties?: Record<string, TSchema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: TSchema;
  minItems?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const quoteAll = (values: unknown[]) => values.map((v) => JSON.stringify(v)).join(', ');

function objectProblems(s: Node, value: Record<string, unknown>, path: string, out: string[]): void {
  const at = (key: string) => (path ? `${path}.${key}` : key);
  const props = s.properties ?? {};
  for (const key of s.required ?? []) if (!(key in value)) out.push(`${at(key)}: missing (required)`);
  for (const [key, v] of Object.entries(value)) {
    const known = props[key];
    if (known) {
      if (v !== undefined) schemaProblems(known as TSchema, v, at(key), out);
      continue;
    }
    const patterns = Object.entries(s.patternProperties ?? {});
    const matching = patterns.find(([p]) => new RegExp(p, 'u').test(key));
    if (matching) schemaProblems(matching[1], v, at(key), out);
    else if (patterns.length > 0) out.push(`${at(key)}: not a valid key here (keys must match ${patterns[0]![0]})`);
    else if (s.additionalProperties === false) {
      const near = didYouMean(key, Object.keys(props));
      out.push(`${at(key)}: unknown key${near ? `; did you mean "${near}"?` : ''}`);
    }
  }
}

/**
 * A union of literals is an enumeration. A union of objects is discriminated by the properties that
 * are literals in every branch (`type`, then `preset` among the HTTP providers): the value picks its
 * branch by them, and only that branch's problems are reported.
 */
function unionProblems(branches: TSchema[], value: unknown, path: string, out: string[]): void {
  if (branches.some((b) => Value.Check(b, value))) return;
  const nodes = branches as Node[];
  if (nodes.every((b) => 'const' in b)) {
    out.push(
      `${path}: ${oneOf(
        nodes.map((b) => b.const),
        value,
      )}`,
    );
    return;
  }
  let candidates = nodes.filter((b) => b.type === 'object');
  if (!isRecord(value) || candidates.length !== nodes.length) {
    const problems = nodes.map((b) => {
      const p: string[] = [];
      schemaProblems(b as TSchema, value, path, p);
      return p;
    });
    out.push(...problems.reduce((a, b) => (b.length < a.length ? b : a)));
    return;
  }
  const used = new Set<string>();
  for (let key = discriminator(candidates, used); key !== undefined; key = discriminator(candidates, used)) {
    used.add(key);
    const selected = candidates.filter((b) => b.properties![key]!.const === value[key]);
    if (selected.length === 0) {
      const allowed = candidates.map((b) => b.properties![key]!.const);
      out.push(`${path ? `${path}.` : ''}${key}: ${oneOf([...new Set(allowed)], value[key])}`);
      return;
    }
    candidates = selected;
  }
  // The branch's defaults, as Value.Default would have applied them had the value matched it.
  const branch = candidates[0] as TSchema;
  schemaProblems(branch, Value.Default(branch, structuredClone(value)), path, out);
}

/** A key not used yet whose schema is a literal in every branch left, and that tells them apart. */
function discriminator(nodes: Node[], used: ReadonlySet<string>): string | undefined {
  if (nodes.length < 2) return undefined;
  return Object.keys(nodes[0]!.properties ?? {}).find(
    (k) => !used.has(k) && nodes.every((n) => n.properties?.[k] && 'const' in n.properties[k]!),
  );
}

/** "must be one of …", with what was given and the nearest allowed value. */
function oneOf(allowed: unknown[], got: unknown): string {
  const given = got === undefined ? ' (missing)' : ` (got ${JSON.stringify(got)})`;
  const near = typeof got === 'string' ? didYouMean(got, allowed.map(String)) : undefined;
  return `must be one of ${quoteAll(allowed)}${given}${near ? `; did you mean "${near}"?` : ''}`;
}

/** What a scalar schema wants, in words; the value itself only when it cannot be a secret. */
function leafMessage(s: Node, value: unknown): string {
  if ('const' in s) return `must be ${JSON.stringify(s.const)}`;
  if (s.type === 'boolean') return 'must be true or false';
  if (s.type === 'integer' || s.type === 'number') {
    const what = s.type === 'integer' ? 'an integer' : 'a number';
    const low = s.exclusiveMinimum ?? s.minimum;
    const from = s.exclusiveMinimum !== undefined ? `above ${low}` : `from ${low}`;
    const range =
      low !== undefined && s.maximum !== undefined
        ? ` ${from} ${s.exclusiveMinimum !== undefined ? 'up ' : ''}to ${s.maximum}`
        : low !== undefined
          ? ` ${s.exclusiveMinimum !== undefined ? 'above' : 'of at least'} ${low}`
          : '';
    return `must be ${what}${range}${typeof value === 'number' ? ` (got ${value})` : ''}`;
  }
  if (s.type === 'string') {
    if (typeof value !== 'string') return 'must be a string (quote it in YAML)';
    const rules = [
      s.minLength === 1 ? 'not be empty' : undefined,
      s.minLength !== undefined && s.minLength > 1 ? `have at least ${s.minLength} characters` : undefined,
      s.maxLength !== undefined ? `have at most ${s.maxLength} characters` : undefined,
      s.pattern !== undefined ? `match ${s.pattern}` : undefined,
    ].filter(Boolean);
    return `must ${rules.join(' and ') || 'be a valid string'}`;
  }
  return `must be ${s.type ?? 'a valid value'}`;
}
