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
}

/** Number metadata (validity, line type, country); a port so core does not bind to one library. */
export interface PhoneInspector {
  inspect(e164: string): PhoneInfo;
}
