import { XCorrelatorPattern } from './camara/schemas.ts';

/** The x-correlator to echo: a single header value that matches the spec's pattern, else none. */
export function validCorrelator(value: unknown): string | undefined {
  return typeof value === 'string' && XCorrelatorPattern.test(value) ? value : undefined;
}

/**
 * The x-correlator of a request Node's parser refused, read from the bytes it was parsing. Only
 * the packet that failed is kept, so a header that came in an earlier packet is lost; a value is
 * echoed only when the header appears once, on a line of its own, not folded, and matches the
 * pattern (which admits no whitespace or control character, so it cannot split the answer).
 */
export function correlatorInRawRequest(raw: unknown): string | undefined {
  if (!Buffer.isBuffer(raw)) return undefined;
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = end === -1 ? text : text.slice(0, end + 2);
  const found = [...head.matchAll(/(?:^|\n)x-correlator:[ \t]*([^\r\n]*?)[ \t]*\r?\n(?![ \t])/gi)];
  return found.length === 1 ? validCorrelator(found[0]![1]) : undefined;
}
