/** A message with its code in it, ready to seal into the outbox. */
export interface RenderedMessage {
  readonly text: string;
  /** Email only: the subject line. */
  readonly subject?: string | undefined;
  /** Email only: the HTML part (`text` is the plain-text part). */
  readonly html?: string | undefined;
}

/**
 * What a surface hands the core instead of a text: the core draws the code, then renders. Every
 * surface's rules about its own text (CAMARA's `{{code}}`, a service's template and locale) are
 * applied by the surface before it builds one; `render` may still refuse a text that turned out
 * too long, with an OtpdError, before anything is stored.
 */
export interface MessageTemplate {
  render(code: string): RenderedMessage;
}

/** A plain text with `placeholder` standing wherever the code goes. */
export function textTemplate(text: string, placeholder: string): MessageTemplate {
  return { render: (code) => ({ text: text.split(placeholder).join(code) }) };
}

// NUL starts no text otpd sends (every API refuses it in input), so it marks a multi-part body.
const PARTS = '\u0000';

/** The form a rendered message is sealed in: its text alone, or every part of an email. */
export function packMessage(m: RenderedMessage): string {
  if (m.subject === undefined && m.html === undefined) return m.text;
  return PARTS + JSON.stringify({ text: m.text, subject: m.subject, html: m.html });
}

/** The parts of a sealed body's plaintext (see packMessage). */
export function unpackMessage(plain: string): RenderedMessage {
  if (!plain.startsWith(PARTS)) return { text: plain };
  const p = JSON.parse(plain.slice(PARTS.length)) as { text: string; subject?: string; html?: string };
  return { text: p.text, subject: p.subject, html: p.html };
}
