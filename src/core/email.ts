import { domainToASCII } from 'node:url';
import { maskPhone } from './codes.ts';
import { OtpdError } from './errors.ts';

// RFC 5321's limits; the local part is the dot-atom of RFC 5322 (no quoted strings, no comments):
// what real sign-up forms accept, and nothing a mail header could be smuggled through.
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * One address, one spelling: trimmed, the domain in lower-case ASCII (IDNs as punycode), the local
 * part lower-cased too (providers treat it so, and every limit and index must see one form).
 * Anything that is not a single plain address is INVALID_ARGUMENT.
 */
export function normalizeEmail(raw: string): string {
  const s = raw.trim();
  const at = s.lastIndexOf('@');
  const invalid = () => new OtpdError('INVALID_ARGUMENT', 'to is not a valid email address');
  if (at < 1 || s.length > 254) throw invalid();
  const local = s.slice(0, at);
  const domain = domainToASCII(s.slice(at + 1).toLowerCase());
  const labels = domain.split('.');
  if (local.length > 64 || !LOCAL.test(local)) throw invalid();
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels.at(-1)!)) throw invalid();
  return `${local.toLowerCase()}@${domain}`;
}

/** The channel a bare recipient implies: an address is email, anything else a number. */
export const channelOf = (to: string): 'email' | 'sms' => (to.includes('@') ? 'email' : 'sms');

/** An address as a log line or an API may show it: `a***@e***.com`. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '*'.repeat(address.length);
  const domain = address.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${address[0]}***@${domain[0] ?? ''}***${tld}`;
}

/** A recipient as a log line may show it, whichever kind it is (before it was validated too). */
export const maskRecipient = (to: string): string =>
  channelOf(to) === 'email' ? maskEmail(to.trim().toLowerCase()) : maskPhone(to);
