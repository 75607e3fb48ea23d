import { gsm7Septets } from '../core/segments.ts';

/**
 * What an SMS sender may be, as networks accept it (GSM 03.40 TP-OA): a number in international
 * format (up to 15 digits, E.164), a short code (3 to 8 digits), or an alphanumeric name of at most
 * 11 GSM 7-bit characters from the basic alphabet (an extension character takes two, and a name
 * outside the alphabet cannot be carried at all). Checked once at boot, so that a sender a
 * network would refuse or mangle fails the configuration instead of every message.
 */
export function senderProblem(sender: string): string | undefined {
  if (/^\+?\d+$/.test(sender)) {
    const digits = sender.replace(/^\+/, '');
    if (sender.startsWith('+') || digits.length > 8)
      return digits.length <= 15 ? undefined : `"${sender}" has more than 15 digits (E.164)`;
    return digits.length >= 3 ? undefined : `"${sender}" is too short for a short code (3 to 8 digits)`;
  }
  const septets = gsm7Septets(sender);
  if (septets === undefined)
    return `"${sender}" has characters outside the GSM 7-bit alphabet, which an alphanumeric sender cannot carry`;
  if (septets > 11) return `"${sender}" is longer than the 11 GSM 7-bit characters an alphanumeric sender allows`;
  if (!/[A-Za-z]/.test(sender)) return `"${sender}" is neither a number nor a name (a name needs a letter)`;
  return undefined;
}
