/**
 * The destination numbers of every send: mobiles of several countries, spread over many blocks (the
 * number without its last 4 digits, which the per-prefix limit and the conversion breaker count
 * by), each number used once in a run so that the per-number send limits never refuse one.
 */
import { LibPhoneNumberInspector } from '../src/phone/libphonenumber.ts';

/**
 * Mobile ranges that libphonenumber's full metadata (what otpd uses) calls valid MOBILE numbers of
 * the country for every value of the free digits: start, then `free` digits, the last 4 of them the
 * position inside the block.
 */
const RANGES: readonly { readonly country: string; readonly start: string; readonly free: number }[] = [
  { country: 'ES', start: '+346', free: 8 },
  { country: 'FR', start: '+3361', free: 7 },
  { country: 'DE', start: '+49151', free: 8 },
  { country: 'IT', start: '+3933', free: 8 },
  { country: 'NL', start: '+3161', free: 7 },
  { country: 'PT', start: '+35191', free: 7 },
  { country: 'PL', start: '+4850', free: 7 },
];

/** The n-th number: countries in turn, then the next block of that country, then the next number in the blocks. */
export function phone(n: number): string {
  const r = RANGES[n % RANGES.length]!;
  const k = Math.floor(n / RANGES.length);
  const blocks = 10 ** (r.free - 4);
  const block = String(k % blocks).padStart(r.free - 4, '0');
  const inBlock = String(Math.floor(k / blocks) % 10_000).padStart(4, '0');
  return `${r.start}${block}${inBlock}`;
}

let used = 0;
/** A number no send of this run has used yet (unique for the first 70 million). */
export const nextPhone = (): string => phone(used++);

/** Fails the run before it starts if otpd would refuse some of the numbers (a typo in RANGES, new metadata). */
export function checkPhones(sample = 5000): void {
  const inspector = new LibPhoneNumberInspector();
  const seen = new Set<string>();
  // The first numbers, and some far into the sequence (where the in-block digits are non-zero).
  for (const n of [...Array(sample).keys(), ...Array.from({ length: sample }, (_, i) => 7_000_000 + i * 997)]) {
    const p = phone(n);
    const info = inspector.inspect(p);
    if (!info.valid || info.type !== 'MOBILE' || seen.has(p))
      throw new Error(`bench number ${p} is ${seen.has(p) ? 'a repeat' : `not a valid mobile (${info.type})`}`);
    seen.add(p);
  }
}

/** How many blocks a run's numbers are spread over, for the log. */
export const BLOCKS = RANGES.reduce((a, r) => a + 10 ** (r.free - 4), 0);
export const COUNTRIES = RANGES.map((r) => r.country);
