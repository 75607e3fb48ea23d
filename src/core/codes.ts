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

/**
 * Puts a submitted code in the form it was generated in. Alphanumeric codes are compared
 * case-insensitively because people retype them; numeric codes are taken as they are.
 */
export function normalizeCode(code: string, alphabet: CodeAlphabet): string {
  return alphabet === 'alphanumeric' ? code.toUpperCase() : code;
}

/** Masks a phone number for logs: country code and first digits kept, last two kept, rest starred. */
export function maskPhone(e164: string): string {
  if (e164.length <= 6) return '*'.repeat(e164.length);
  const head = e164.slice(0, 5);
  const tail = e164.slice(-2);
  return head + '*'.repeat(e164.length - 7) + tail;
}
