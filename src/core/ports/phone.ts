export type NumberType =
  | 'MOBILE'
  | 'FIXED_LINE'
  | 'FIXED_LINE_OR_MOBILE'
  | 'PREMIUM_RATE'
  | 'TOLL_FREE'
  | 'SHARED_COST'
  | 'VOIP'
  | 'PERSONAL_NUMBER'
  | 'PAGER'
  | 'UAN'
  | 'VOICEMAIL'
  | 'UNKNOWN';

export interface PhoneInfo {
  readonly valid: boolean;
  readonly type: NumberType;
  /** ISO 3166-1 alpha-2, when known. */
  readonly country: string | undefined;
  /**
   * The canonical E.164 form of a valid number. Inputs can differ from it (a national trunk 0
   * after the country code, `+4407400…`, is accepted by the metadata): every limit and list must
   * key on this form, or a second spelling of one number would get a second budget.
   */
  readonly e164: string | undefined;
}

/** Number metadata (validity, line type, country); a port so core does not bind to one library. */
export interface PhoneInspector {
  inspect(e164: string): PhoneInfo;
}
