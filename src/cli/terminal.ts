// Characters that act on a terminal instead of showing: C0 controls, DEL and C1 controls (ESC and
// CSI start sequences that recolour, move the cursor, rewrite the window title or, on some
// terminals, answer back), the bidirectional marks, embeddings, overrides and isolates that reorder
// what is shown (Trojan Source, CVE-2021-42574), and the line and paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]/gu;

const hex = (c: string): string => c.codePointAt(0)!.toString(16).toUpperCase();

/**
 * Text that came from outside (a message, a provider's error, an operator's note) as a terminal may
 * print it: every unsafe character becomes a visible escape, ESC as `\u{1B}`, U+202E as `\u{202E}`.
 */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u{${hex(c)}}`);
}

/**
 * JSON for a terminal: JSON.stringify leaves DEL, C1 and bidirectional controls raw, so they become
 * JSON `\u` escapes too; a JSON parser reads exactly the same values.
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE, (c) => `\\u${hex(c).padStart(4, '0')}`);
}
