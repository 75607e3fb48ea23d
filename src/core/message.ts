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
