// The built-in texts and the one renderer: every locale fits an SMS, locales fall back the documented
// way, a service's overrides win, WebOTP and the Android app hash sit where the platforms look for them,
// and an email's parts survive being sealed into the outbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Channel } from '../../src/core/channel.ts';
import { packMessage, unpackMessage, type RenderedMessage } from '../../src/core/message.ts';
import type { Service, ServiceSettings } from '../../src/core/ports/services.ts';
import { segmentInfo } from '../../src/core/segments.ts';
import {
  BUILT_IN,
  BUILT_IN_LOCALES,
  canonicalLocale,
  resolveLocale,
  templateFor,
} from '../../src/templates/renderer.ts';

/** 20 characters, all in GSM-7. */
const NAME = 'Acme Online Shopping';
/** 10 characters: the longest codes a service is likely to ask for. */
const CODE = '4829137605';

const service = (settings: ServiceSettings = {}, friendlyName = NAME): Service => ({
  id: `VA${'0'.repeat(32)}`,
  clientId: 'tenant-a',
  friendlyName,
  isDefault: false,
  settings,
  createdAt: 0,
  updatedAt: 0,
});

const render = (s: Service, channel: Channel, locale?: string, code = CODE): RenderedMessage =>
  templateFor(s, channel, locale).render(code);
const sms = (s: Service, locale?: string, code = CODE) => render(s, 'sms', locale, code).text;

/** The built-in SMS text of a locale, filled in by hand. */
const builtInSms = (locale: string, name = NAME, code = CODE) =>
  BUILT_IN[locale]!.sms.replace('{friendly_name}', name).replace('{code}', code);

const REQUIRED = ['en', 'es', 'fr', 'de', 'it', 'pt', 'nl', 'pl', 'tr', 'ru', 'ar', 'hi', 'id', 'ja', 'zh'];
const GSM7_LOCALES = ['en', 'fr', 'de', 'it', 'nl', 'id'];

test('the built-in locales include the fifteen documented languages and pt-BR', () => {
  for (const l of [...REQUIRED, 'pt-BR']) assert.ok(BUILT_IN_LOCALES.includes(l), `built in: ${l}`);
  assert.ok(Object.isFrozen(BUILT_IN_LOCALES));
});

test('every built-in locale: a 20-character name and a 10-character code fit in at most 2 SMS segments', () => {
  for (const locale of BUILT_IN_LOCALES) {
    const text = sms(service(), locale);
    assert.ok(text.includes(CODE), `${locale}: the code in ${JSON.stringify(text)}`);
    assert.ok(text.includes(NAME), `${locale}: the name in ${JSON.stringify(text)}`);
    assert.ok(!/\{(code|friendly_name)\}/.test(text), `${locale}: no placeholder left in ${JSON.stringify(text)}`);
    const info = segmentInfo(text);
    assert.ok(info.segments <= 2, `${locale}: ${info.segments} segments (${info.encoding}, ${info.units} units)`);
  }
});

test('en, fr, de, it, nl and id stay in GSM-7 and fit one segment', () => {
  for (const locale of GSM7_LOCALES) {
    const info = segmentInfo(sms(service(), locale));
    assert.equal(info.encoding, 'gsm7', `${locale} is GSM-7`);
    assert.equal(info.segments, 1, `${locale}: one segment (${info.units} septets)`);
  }
});

test('the SMS is exactly the built-in text filled in, for each built-in locale', () => {
  for (const locale of BUILT_IN_LOCALES) assert.equal(sms(service(), locale), builtInSms(locale), locale);
  assert.equal(sms(service(), 'en'), 'Your Acme Online Shopping verification code is: 4829137605');
});

test('every built-in locale renders an email with a subject, a text part and an HTML part', () => {
  for (const locale of BUILT_IN_LOCALES) {
    const m = render(service(), 'email', locale);
    assert.equal(typeof m.subject, 'string', `${locale}: subject`);
    assert.equal(typeof m.html, 'string', `${locale}: html`);
    assert.ok(m.subject!.includes(NAME), `${locale}: the name in the subject`);
    assert.ok(!m.subject!.includes(CODE), `${locale}: the subject does not give the code away`);
    assert.ok(m.text.includes(CODE) && m.text.includes(NAME), `${locale}: code and name in the text`);
    assert.ok(m.text.includes(BUILT_IN[locale]!.ignore), `${locale}: the text ends with the "ignore" line`);
    assert.ok(m.html!.includes(CODE), `${locale}: the code in the HTML`);
    assert.match(m.html!, /^<!doctype html>/);
  }
  const en = render(service(), 'email', 'en');
  assert.equal(en.subject, 'Your Acme Online Shopping verification code');
  assert.equal(
    en.text,
    'Your Acme Online Shopping verification code is: 4829137605\n\n' +
      'If you did not ask for this code, you can ignore this email.',
  );
  assert.match(en.html!, /<html lang="en" dir="ltr">/);
  assert.match(render(service(), 'email', 'ar').html!, /<html lang="ar" dir="rtl">/);
});

test('email HTML escapes the friendly name; the plain-text part and the SMS keep it as written', () => {
  const s = service({}, '<b>&Co');
  const m = render(s, 'email', 'en');
  assert.ok(!m.html!.includes('<b>'), 'no markup from the name');
  assert.ok(!m.html!.includes('&Co'), 'no bare ampersand from the name');
  assert.ok(m.html!.includes('&#60;b&#62;&#38;Co'), m.html);
  assert.ok(m.html!.includes(CODE));
  assert.equal(m.subject, 'Your <b>&Co verification code');
  assert.ok(m.text.includes('<b>&Co'));
  assert.equal(sms(s, 'en'), 'Your <b>&Co verification code is: 4829137605');

  const own = service(
    { templates: { en: { emailHtml: '<p>{friendly_name}: <strong>{code}</strong></p>' } } },
    '<b>&Co',
  );
  assert.equal(render(own, 'email', 'en').html, '<p>&#60;b&#62;&#38;Co: <strong>4829137605</strong></p>');
});

test('locale fallback: region, then language, then the service default, then English', () => {
  assert.equal(sms(service(), 'pt-BR'), 'Seu código de verificação Acme Online Shopping é: 4829137605');
  assert.equal(resolveLocale('pt-BR', service()), 'pt-BR');
  assert.equal(sms(service(), 'pt-PT'), 'O seu código de verificação Acme Online Shopping é: 4829137605');
  assert.equal(resolveLocale('pt-PT', service()), 'pt');
  assert.equal(sms(service({ defaultLocale: 'de' }), 'xx'), builtInSms('de'));
  assert.equal(resolveLocale('xx', service({ defaultLocale: 'de' })), 'de');
  assert.equal(sms(service({ defaultLocale: 'de' })), builtInSms('de'), 'no locale asked: the default');
  assert.equal(sms(service({ defaultLocale: 'fr-CA' }), 'xx'), builtInSms('fr'), "the default's language");
  assert.equal(sms(service(), 'xx'), builtInSms('en'));
  assert.equal(resolveLocale('xx', service()), 'en');
  assert.equal(sms(service()), builtInSms('en'), 'no locale and no default: English');
  assert.equal(render(service(), 'email', 'pt-PT').subject, 'O seu código de verificação Acme Online Shopping');
});

test('locale tags are matched case-insensitively (canonicalLocale)', () => {
  assert.equal(canonicalLocale('PT-br'), 'pt-BR');
  assert.equal(canonicalLocale('ZH'), 'zh');
  assert.equal(canonicalLocale('en'), 'en');
  assert.equal(sms(service(), 'PT-br'), builtInSms('pt-BR'));
  assert.equal(sms(service(), 'FR'), builtInSms('fr'));
  assert.equal(sms(service({ defaultLocale: 'PT-br' }), 'xx'), builtInSms('pt-BR'));
});

test("a service's override for a locale wins over the built-in text", () => {
  const s = service({
    templates: { es: { sms: '{code} es tu código de {friendly_name}', emailSubject: 'Código de {friendly_name}' } },
  });
  assert.equal(sms(s, 'es'), '4829137605 es tu código de Acme Online Shopping');
  assert.equal(sms(s, 'es-MX'), '4829137605 es tu código de Acme Online Shopping', 'es-MX falls back to es');
  const mail = render(s, 'email', 'es');
  assert.equal(mail.subject, 'Código de Acme Online Shopping');
  assert.ok(mail.text.startsWith('4829137605 es tu código de Acme Online Shopping'), mail.text);
  assert.ok(mail.text.includes(BUILT_IN.es!.ignore));
  assert.equal(sms(s, 'fr'), builtInSms('fr'), 'other locales keep the built-in text');
});

test("a service's override for pt is used for pt-PT; a locale only the service has is chosen too", () => {
  const s = service({ templates: { pt: { sms: 'Código {friendly_name}: {code}' } } });
  assert.equal(sms(s, 'pt-PT'), 'Código Acme Online Shopping: 4829137605');
  assert.equal(resolveLocale('pt-PT', s), 'pt');
  // The service's own words for the language come before otpd's built-in regional text.
  assert.equal(sms(s, 'pt-BR'), 'Código Acme Online Shopping: 4829137605');
  assert.equal(resolveLocale('pt-BR', service()), 'pt-BR', 'without an override, the built-in pt-BR');
  const own = service({ templates: { eo: { sms: 'Via {friendly_name} kodo: {code}' } } });
  assert.equal(sms(own, 'eo'), 'Via Acme Online Shopping kodo: 4829137605');
  assert.equal(resolveLocale('eo', own), 'eo');
  assert.equal(resolveLocale('eo', service()), 'en', 'not built in and not overridden: English');
});

test('WebOTP: the last line of the SMS is exactly "@domain #code"', () => {
  for (const locale of ['en', 'ja', 'pt-BR']) {
    const text = sms(service({ webOtpDomain: 'shop.example.com' }), locale);
    const lines = text.split('\n');
    assert.equal(lines.at(-1), `@shop.example.com #${CODE}`, `${locale}: ${JSON.stringify(text)}`);
    assert.ok(lines[0]!.includes(CODE), 'the code is still in the body');
  }
  assert.equal(
    sms(service({ webOtpDomain: 'shop.example.com' }), 'en', 'AB12CD'),
    'Your Acme Online Shopping verification code is: AB12CD\n\n@shop.example.com #AB12CD',
  );
});

test('the Android app hash is in the text, before the WebOTP line when both are set', () => {
  const HASH = 'FA+9qCX9VSu';
  assert.equal(HASH.length, 11);
  const hashOnly = sms(service({ androidAppHash: HASH }), 'en');
  assert.ok(hashOnly.includes(HASH), hashOnly);
  assert.ok(!hashOnly.includes('@'), 'no WebOTP line without a domain');
  assert.equal(hashOnly, `${builtInSms('en')} ${HASH}`);

  const both = sms(service({ androidAppHash: HASH, webOtpDomain: 'shop.example.com' }), 'en');
  assert.ok(both.includes(HASH), both);
  assert.ok(both.indexOf(HASH) < both.indexOf('@shop.example.com'), both);
  assert.equal(both.split('\n').at(-1), `@shop.example.com #${CODE}`);
  for (const locale of GSM7_LOCALES) {
    const info = segmentInfo(sms(service({ androidAppHash: HASH, webOtpDomain: 'shop.example.com' }), locale));
    assert.deepEqual([info.encoding, info.segments], ['gsm7', 1], `${locale}: hash and WebOTP line still fit`);
  }
});

test('without a WebOTP domain or app hash, neither appears; email never carries them', () => {
  const plain = sms(service(), 'en');
  assert.equal(plain, builtInSms('en'));
  assert.ok(!plain.includes('\n'));
  assert.ok(!plain.includes('#'));
  const mail = render(service({ androidAppHash: 'FA+9qCX9VSu', webOtpDomain: 'shop.example.com' }), 'email', 'en');
  for (const part of [mail.text, mail.subject!, mail.html!]) {
    assert.ok(!part.includes('FA+9qCX9VSu'), part);
    assert.ok(!part.includes('@shop.example.com'), part);
  }
});

test('packMessage/unpackMessage: an email round-trips its text, subject and HTML; an SMS is its text', () => {
  const mail = render(service({}, '<b>&Co'), 'email', 'es');
  const packed = packMessage(mail);
  assert.notEqual(packed, mail.text);
  assert.deepEqual(unpackMessage(packed), { text: mail.text, subject: mail.subject, html: mail.html });

  const text = sms(service({ webOtpDomain: 'shop.example.com' }), 'ar');
  assert.equal(packMessage({ text }), text, 'an SMS is sealed as its bare text');
  assert.deepEqual(unpackMessage(text), { text });
  assert.deepEqual(unpackMessage(packMessage({ text: '' })), { text: '' });
  assert.deepEqual(unpackMessage('{"text":"not packed"}'), { text: '{"text":"not packed"}' }, 'JSON alone is text');
});
