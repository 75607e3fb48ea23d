import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PAGE_TEXTS, type PageLanguage } from '../templates/page-texts.ts';

const WEB = fileURLToPath(new URL('../../web/demo/', import.meta.url));
// The library's browser bundle is not among its package exports: found from its package.json.
const PHONE_LIB = join(
  dirname(createRequire(import.meta.url).resolve('libphonenumber-js/package.json')),
  'bundle',
  'libphonenumber-min.js',
);

/** The files the page loads, by the name it loads them under. */
export const DEMO_ASSETS: Readonly<Record<string, { file: string; type: string }>> = {
  'demo.js': { file: join(WEB, 'demo.js'), type: 'text/javascript; charset=utf-8' },
  'demo.css': { file: join(WEB, 'demo.css'), type: 'text/css; charset=utf-8' },
  'base.css': { file: join(WEB, '..', 'base.css'), type: 'text/css; charset=utf-8' },
  'libphonenumber-min.js': { file: PHONE_LIB, type: 'text/javascript; charset=utf-8' },
  'icon.svg': { file: join(WEB, 'icon.svg'), type: 'image/svg+xml' },
};

const LANGUAGES = Object.keys(PAGE_TEXTS) as PageLanguage[];

/** The page's language: `?lang=` when it names one, else the browser's first one we have, else English. */
export function demoLanguage(asked: string | undefined, acceptLanguage: string | undefined): PageLanguage {
  const wanted = [asked, ...(acceptLanguage ?? '').split(',').map((p) => p.split(';')[0])];
  for (const w of wanted) {
    const base = w?.trim().toLowerCase().split('-')[0];
    if (base && (LANGUAGES as string[]).includes(base)) return base as PageLanguage;
  }
  return 'en';
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The country a number is assumed to be from until the visitor picks another. */
const DEFAULT_COUNTRY: Record<PageLanguage, string> = { en: 'US', es: 'ES' };

/** The whole page, in one language; the script finds its texts in data attributes (no inline script). */
export function demoPage(lang: PageLanguage, resendAfterSeconds: number, devOutbox: boolean): string {
  const t = PAGE_TEXTS[lang];
  const e = escapeHtml;
  const languages = LANGUAGES.map((l) =>
    l === lang
      ? `<a href="/demo?lang=${l}" aria-current="page">${e(PAGE_TEXTS[l].language)}: ${l.toUpperCase()}</a>`
      : `<a href="/demo?lang=${l}" lang="${l}" hreflang="${l}">${l.toUpperCase()}</a>`,
  ).join(' ');
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(t.title)} · otpd</title>
<link rel="icon" href="/demo/assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/demo/assets/base.css">
<link rel="stylesheet" href="/demo/assets/demo.css">
<script src="/demo/assets/libphonenumber-min.js" defer></script>
<script type="module" src="/demo/assets/demo.js"></script>
</head>
<body data-texts="${e(JSON.stringify(t))}" data-lang="${lang}" data-country="${DEFAULT_COUNTRY[lang]}"
  data-resend-after="${resendAfterSeconds}" data-outbox="${devOutbox ? 'on' : 'off'}">
<header><nav aria-label="${e(t.language)}">${languages}</nav></header>
<main>
<h1>${e(t.title)}</h1>
<section id="phone-step" aria-labelledby="phone-label">
  <p>${e(t.intro)}</p>
  <form id="phone-form" novalidate>
    <label for="country">${e(t.country)}</label>
    <select id="country" name="country" autocomplete="country"></select>
    <label for="phone" id="phone-label">${e(t.phone)}</label>
    <input id="phone" name="phone" type="tel" autocomplete="tel-national" inputmode="tel" required
      aria-describedby="phone-hint phone-error">
    <p id="phone-hint" class="hint">${e(t.phoneHint)}</p>
    <p id="phone-error" class="error" role="alert" hidden></p>
    <button type="submit" id="send">${e(t.send)}</button>
  </form>
</section>
<section id="code-step" aria-labelledby="code-label" hidden>
  <p id="sent-to" role="status"></p>
  <form id="code-form" novalidate>
    <label for="code" id="code-label">${e(t.code)}</label>
    <input id="code" name="code" autocomplete="one-time-code" inputmode="numeric" maxlength="10" required
      aria-describedby="code-hint code-error">
    <p id="code-hint" class="hint">${e(t.codeHint)}</p>
    <p id="code-error" class="error" role="alert" hidden></p>
    <button type="submit" id="verify">${e(t.verify)}</button>
  </form>
  <p class="actions">
    <button type="button" id="resend" disabled>${e(t.resend)}</button>
    <span id="countdown" aria-live="polite"></span>
  </p>
  <p class="actions"><button type="button" id="change" class="link">${e(t.changeNumber)}</button></p>
  <aside id="outbox" hidden>
    <h2>${e(t.outbox)}</h2>
    <output id="outbox-text"></output>
  </aside>
</section>
<section id="done" aria-labelledby="done-title" hidden>
  <h2 id="done-title">${e(t.signedIn)}</h2>
  <p id="done-to"></p>
  <button type="button" id="signout">${e(t.signOut)}</button>
</section>
</main>
</body>
</html>
`;
}
