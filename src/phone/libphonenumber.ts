import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { NumberType, PhoneInfo, PhoneInspector } from '../core/ports/phone.ts';

/** Full metadata ("max") is needed for line types; the smaller sets cannot tell mobile from fixed. */
export class LibPhoneNumberInspector implements PhoneInspector {
  inspect(e164: string): PhoneInfo {
    const n = parsePhoneNumberFromString(e164);
    if (!n?.isValid()) return { valid: false, type: 'UNKNOWN', country: n?.country, e164: undefined };
    return {
      valid: true,
      type: (n.getType() as NumberType | undefined) ?? 'UNKNOWN',
      country: n.country,
      e164: n.number,
    };
  }
}
