import type { Channel } from '../core/channel.ts';
import type { MessageTemplate } from '../core/message.ts';
import type { Service, TemplateOverride } from '../core/ports/services.ts';
import { BUILT_IN, type LocaleTexts } from './texts.ts';

/** The built-in languages (and regional variants), for documentation and tests. */
export const BUILT_IN_LOCALES = Object.freeze(Object.keys(BUILT_IN));

/** `pt-br` → `pt-BR`, `ZH` → `zh`: a language tag in its usual case. */
export function canonicalLocale(tag: string): string {
  const [lang = '', ...rest] = tag.split('-');
  return [lang.toLowerCase(), ...rest.map((p) => (p.length === 2 ? p.toUpperCase() : p))].join('-');
}

const language = (tag: string) => tag.split('-')[0]!;

/**
 * The locale a message is written in: the requested one or its language (`pt-BR` → `pt`), then the
 * service's default or its language, then English. Within each, the service's own texts come
 * before otpd's built-in ones: a service that wrote `pt` has its text used for `pt-BR` too.
 */
export function resolveLocale(requested: string | undefined, service: Pick<Service, 'settings'>): string {
  const overrides = service.settings.templates ?? {};
  const families = [requested, service.settings.defaultLocale]
    .filter((t): t is string => t !== undefined)
    .map(canonicalLocale)
    .map((t) => [t, language(t)]);
  for (const tags of families) {
    const found = tags.find((t) => overrides[t] !== undefined) ?? tags.find((t) => BUILT_IN[t] !== undefined);
    if (found) return found;
  }
  return 'en';
}

const fill = (text: string, name: string, code: string) =>
  text.split('{friendly_name}').join(name).split('{code}').join(code);

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The SMS text: the body, the Android app hash after it, and the WebOTP line last (where WebOTP looks). */
function smsText(service: Service, body: string, code: string): string {
  const { androidAppHash, webOtpDomain } = service.settings;
  const text = androidAppHash ? `${body} ${androidAppHash}` : body;
  return webOtpDomain ? `${text}\n\n@${webOtpDomain} #${code}` : text;
}

function emailHtml(lang: string, subject: string, body: string, ignore: string): string {
  const dir = lang === 'ar' ? 'rtl' : 'ltr';
  return (
    `<!doctype html><html lang="${escapeHtml(lang)}" dir="${dir}"><head><meta charset="utf-8">` +
    `<title>${escapeHtml(subject)}</title></head><body style="font-family:sans-serif">` +
    `<p style="font-size:16px">${escapeHtml(body)}</p><p style="color:#555">${escapeHtml(ignore)}</p></body></html>`
  );
}

/**
 * The one renderer of every surface and channel: the service's override for the locale where it
 * has one, else otpd's built-in text, filled with the service's name and the code.
 */
export function templateFor(service: Service, channel: Channel, requestedLocale?: string): MessageTemplate {
  const locale = resolveLocale(requestedLocale, service);
  const own: TemplateOverride = service.settings.templates?.[locale] ?? {};
  const built: LocaleTexts = BUILT_IN[locale] ?? BUILT_IN[language(locale)] ?? BUILT_IN.en!;
  const name = service.friendlyName;
  const sms = own.sms ?? built.sms;
  if (channel === 'sms') return { render: (code) => ({ text: smsText(service, fill(sms, name, code), code) }) };
  return {
    render(code) {
      const subject = fill(own.emailSubject ?? built.subject, name, code);
      const body = fill(sms, name, code);
      const ignore = built.ignore;
      const text = own.emailText ? fill(own.emailText, name, code) : `${body}\n\n${ignore}`;
      const html = own.emailHtml
        ? fill(own.emailHtml, escapeHtml(name), code)
        : emailHtml(locale, subject, body, ignore);
      return { text, subject, html };
    },
  };
}

export { BUILT_IN };
