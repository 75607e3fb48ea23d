import { gsm7Septets, LIMITS } from '../../core/segments.ts';

/**
 * Text to SMPP short_message bytes. otpd encodes itself instead of handing strings to the smpp
 * package: given a string the package picks a data_coding on its own (IA5/Latin-1 that many SMSCs
 * mangle) and, with data_coding 0, turns every character outside GSM 03.38 into '@' without a word.
 * Bytes go out as they are, so what is counted is what is sent.
 */

/** SMPP 3.4 §5.2.19: 0 = SMSC default alphabet (GSM 03.38 here), 8 = UCS-2 (UTF-16BE). */
export const DATA_CODING = { gsm7: 0x00, ucs2: 0x08 } as const;
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
export function encodeText(text: string): EncodedText {
  const gsm = isGsm7(text);
  const chars = [...text].map(gsm ? gsmChar : ucs2Char);
  const { single, part } = LIMITS[gsm ? 'gsm7' : 'ucs2'];
  const unitBytes = gsm ? 1 : 2;
  const total = chars.reduce((n, c) => n + c.length, 0);
  const parts = total <= single * unitBytes ? [Buffer.concat(chars)] : pack(chars, part * unitBytes);
  if (parts.length > MAX_PARTS)
    throw new RangeError(`text needs ${parts.length} SMS parts; at most ${MAX_PARTS} can be concatenated`);
  return { dataCoding: gsm ? DATA_CODING.gsm7 : DATA_CODING.ucs2, parts };
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
