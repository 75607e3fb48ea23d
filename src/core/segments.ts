/**
 * SMS segment arithmetic (3GPP TS 23.038 and 23.040). A text that fits the GSM 7-bit default
 * alphabet costs one septet per character, two for the extension table; anything else is sent
 * as UCS-2, counted in UTF-16 code units (an emoji is two). A single SMS carries 160 septets or 70
 * UCS-2 units; a concatenated one spends 7 septets (3 units) of each part on its header.
 */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '\f^{}\\[~]|€';

const BASIC = new Set(GSM_BASIC);
const EXTENDED = new Set(GSM_EXTENDED);

export type SmsEncoding = 'gsm7' | 'ucs2';

export interface SegmentInfo {
  readonly encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  readonly units: number;
  readonly segments: number;
}

export const LIMITS = {
  gsm7: { single: 160, part: 153 },
  ucs2: { single: 70, part: 67 },
} as const;

/** Septets the text needs in GSM-7, or undefined when some character is outside the alphabet. */
export function gsm7Septets(text: string): number | undefined {
  let n = 0;
  for (const ch of text) {
    if (BASIC.has(ch)) n += 1;
    else if (EXTENDED.has(ch)) n += 2;
    else return undefined;
  }
  return n;
}

export function segmentInfo(text: string): SegmentInfo {
  const septets = gsm7Septets(text);
  const encoding: SmsEncoding = septets === undefined ? 'ucs2' : 'gsm7';
  const units = septets ?? text.length;
  const { single, part } = LIMITS[encoding];
  const segments = units === 0 ? 1 : units <= single ? 1 : Math.ceil(units / part);
  return { encoding, units, segments };
}
