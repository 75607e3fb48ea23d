import { gsm7Septets, LIMITS } from '../../core/segments.ts';

/**
 * Text to SMPP short_message bytes. otpd encodes itself instead of handing strings to the smpp
 * package: given a string the package picks a data_coding on its own (IA5/Latin-1 that many SMSCs
 * mangle) and, with data_coding 0, turns every character outside GSM 03.38 into '@' without a word.
 * Bytes go out as they are, so what is counted is what is sent.
 */

/**
 * SMPP 3.4 §5.2.19: 0 = the SMSC's default alphabet (GSM 03.38 for most), 1 = IA5 (ASCII),
 * 3 = Latin-1, 8 = UCS-2 (UTF-16BE).
 */
export const DATA_CODING = { gsm7: 0x00, ascii: 0x01, latin1: 0x03, ucs2: 0x08 } as const;

/**
 * How a text that fits GSM-7 goes out: `gsm7` as the SMSC's default alphabet (data_coding 0);
 * `ascii` (1) or `latin1` (3) for SMSCs whose default alphabet is not GSM 03.38, when every
 * character has a code there; `ucs2` always as UCS-2. Anything else goes as UCS-2.
 */
export type TextEncoding = 'gsm7' | 'ascii' | 'latin1' | 'ucs2';
/** esm_class bit 6: short_message starts with a user data header. */
export const ESM_UDHI = 0x40;

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** The extension table: ESC (0x1B) then this code. */
const GSM_EXTENDED: Readonly<Record<string, number>> = {
  '\f': 0x0a,
  '^': 0x14,
  '{': 0x28,
  '}': 0x29,
  '\\': 0x2f,
  '[': 0x3c,
  '~': 0x3d,
  ']': 0x3e,
  '|': 0x40,
  '€': 0x65,
};
const ESC = 0x1b;
const BASIC_CODE = new Map([...GSM_BASIC].map((ch, i) => [ch, i]));

/** A concatenated message has at most 255 parts (the UDH counts them in one octet). */
const MAX_PARTS = 255;

export interface EncodedText {
  readonly dataCoding: number;
  /** The user data of each SMS part, without a header. */
  readonly parts: readonly Buffer[];
}

export interface ShortMessage {
  readonly esmClass: number;
  readonly bytes: Buffer;
}

/**
 * GSM-7 whenever the core's segment counter says the text fits it, so the segments otpd counted
 * and billed match what goes out. A raw ESC in the text is the one exception: sent as is it would
 * turn the next character into an extension-table one, so such a text goes out as UCS-2.
 */
export function isGsm7(text: string): boolean {
  return gsm7Septets(text) !== undefined && !text.includes('\u001b');
}

/**
 * Encodes and splits a text: one part when it fits a single SMS, otherwise parts of at most 153
 * septets or 67 UTF-16 units. Characters are kept whole, so a GSM escape pair or a surrogate pair
 * never straddles two parts (a part may then be one unit short).
 */
export function encodeText(text: string, encoding: TextEncoding = 'gsm7'): EncodedText {
  const coding = codingFor(text, encoding);
  const chars = [...text].map(coding === 'gsm7' ? gsmChar : coding === 'ucs2' ? ucs2Char : byteChar);
  // 8-bit codings keep GSM-7's limits: the SMSC turns them into GSM-7 on the air, as otpd counted.
  const { single, part } = LIMITS[coding === 'ucs2' ? 'ucs2' : 'gsm7'];
  const unitBytes = coding === 'ucs2' ? 2 : 1;
  const total = chars.reduce((n, c) => n + c.length, 0);
  const parts = total <= single * unitBytes ? [Buffer.concat(chars)] : pack(chars, part * unitBytes);
  if (parts.length > MAX_PARTS)
    throw new RangeError(`text needs ${parts.length} SMS parts; at most ${MAX_PARTS} can be concatenated`);
  return { dataCoding: DATA_CODING[coding], parts };
}

function codingFor(text: string, encoding: TextEncoding): keyof typeof DATA_CODING {
  if (encoding === 'ucs2' || !isGsm7(text)) return 'ucs2';
  if (encoding === 'gsm7') return 'gsm7';
  const max = encoding === 'ascii' ? 0x7f : 0xff;
  for (const ch of text) if (ch.codePointAt(0)! > max) return 'ucs2';
  return encoding;
}

/** One byte per character, its code point (ASCII or Latin-1, checked by codingFor). */
function byteChar(ch: string): Buffer {
  return Buffer.from([ch.codePointAt(0)!]);
}

/**
 * short_message values for the parts, with a concatenation header (IEI 0x00, 8-bit reference:
 * 05 00 03 ref total seq) when there is more than one. `ref` must differ between the concatenated
 * messages in flight to one handset, or it would mix their parts.
 */
export function withHeaders(parts: readonly Buffer[], ref: number): ShortMessage[] {
  if (parts.length === 1) return [{ esmClass: 0, bytes: parts[0]! }];
  return parts.map((p, i) => ({
    esmClass: ESM_UDHI,
    bytes: Buffer.concat([Buffer.from([0x05, 0x00, 0x03, ref & 0xff, parts.length, i + 1]), p]),
  }));
}

function pack(chars: readonly Buffer[], maxBytes: number): Buffer[] {
  const parts: Buffer[] = [];
  let current: Buffer[] = [];
  let size = 0;
  for (const c of chars) {
    if (size + c.length > maxBytes) {
      parts.push(Buffer.concat(current));
      current = [];
      size = 0;
    }
    current.push(c);
    size += c.length;
  }
  parts.push(Buffer.concat(current));
  return parts;
}

/** One septet per octet (unpacked), as SMPP carries data_coding 0; the SMSC packs them. */
function gsmChar(ch: string): Buffer {
  const basic = BASIC_CODE.get(ch);
  if (basic !== undefined) return Buffer.from([basic]);
  const ext = GSM_EXTENDED[ch];
  if (ext === undefined) throw new RangeError('character outside GSM 03.38');
  return Buffer.from([ESC, ext]);
}

function ucs2Char(ch: string): Buffer {
  return Buffer.from(ch, 'utf16le').swap16();
}
