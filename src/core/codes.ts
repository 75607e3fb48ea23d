import { randomInt } from 'node:crypto';

export type CodeAlphabet = 'numeric' | 'alphanumeric';

// Letters and digits a person cannot confuse when reading an SMS: no 0/O, 1/I/L.
const ALPHABETS: Record<CodeAlphabet, string> = {
  numeric: '0123456789',
  alphanumeric: 'ABCDEFGHJKMNPQRSTUVWXYZ23456789',
};

/** Draws one character at a time from the CSPRNG so every code in the full space is equally likely. */
export type RandomInt = (maxExclusive: number) => number;
export const cryptoRandomInt: RandomInt = (max) => randomInt(max);

export function generateCode(length: number, alphabet: CodeAlphabet, rand: RandomInt = cryptoRandomInt): string {
  const chars = ALPHABETS[alphabet];
  let code = '';
  for (let i = 0; i < length; i++) code += chars[rand(chars.length)];
  return code;
}

// What people type or paste around and between the groups of a code (" 123456", "123 456",
// "123-456"): whitespace of any kind and dashes, the typographic ones included. No code has them.
const SEPARATORS = /[\s\-\u2010-\u2015\u2212]/gu;

/**
 * Puts a submitted code in the form it was generated in: spaces and dashes dropped, and
 * alphanumeric codes upper-cased, as people retype them in either case.
 */
export function normalizeCode(code: string, alphabet: CodeAlphabet): string {
  const bare = code.replace(SEPARATORS, '');
  return alphabet === 'alphanumeric' ? bare.toUpperCase() : bare;
}

// ITU-T E.164 country calling codes form a prefix code: zones 1 (NANP) and 7 are one digit, these
// are the complete two-digit codes, and every other code has three digits.
const ONE_DIGIT = /^[17]/;
const TWO_DIGITS = /^(2[07]|3[0-469]|4[013-9]|5[1-8]|6[0-6]|8[1246]|9[0-58])/;

/** The country calling code of an E.164 number's digits (without the `+`), from its leading digits alone. */
export function callingCode(digits: string): string {
  return digits.slice(0, ONE_DIGIT.test(digits) ? 1 : TWO_DIGITS.test(digits) ? 2 : 3);
}

/** How many subscriber digits a masked number shows: at most half of them, and never more than 4. */
const shownDigits = (subscriber: number): number => Math.min(4, Math.floor(subscriber / 2));

/**
 * Masks a phone number for logs. The `+` and the country calling code stay; of the subscriber
 * digits after it, at most half and never more than 4 are shown, the first half of those at the
 * start and the rest at the end: `+3462*****33`, `+10***0` (+100100), `+6837**2` (+6837012).
 */
export function maskPhone(e164: string): string {
  if (!/^\+\d+$/.test(e164)) return '*'.repeat(e164.length);
  const cc = callingCode(e164.slice(1));
  const subscriber = e164.slice(1 + cc.length);
  const shown = shownDigits(subscriber.length);
  const head = Math.ceil(shown / 2);
  const hidden = subscriber.length - shown;
  return `+${cc}${subscriber.slice(0, head)}${'*'.repeat(hidden)}${subscriber.slice(head + hidden)}`;
}

/**
 * A number prefix as it may appear in a log line: the country calling code and at most 2 more
 * digits (`+3462…`). For a number's prefix (the number without its last 4 digits) that is never
 * more than maskPhone shows at the start of the number, so the two side by side give nothing away.
 */
export function maskPrefix(prefix: string): string {
  if (!/^\+\d*$/.test(prefix)) return '*'.repeat(prefix.length);
  const cc = callingCode(prefix.slice(1));
  const kept = prefix.slice(0, 1 + cc.length + 2);
  return kept.length < prefix.length ? `${kept}…` : kept;
}
