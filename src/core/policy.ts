import type { CodeAlphabet } from './codes.ts';
import type { GuessBudget, SendWindow } from './ports/store.ts';

/** Everything the verification use cases decide by; built once from the validated config. */
export interface Policy {
  readonly codeLength: number;
  readonly alphabet: CodeAlphabet;
  readonly ttlMs: number;
  readonly maxAttempts: number;
  readonly sendWindows: readonly SendWindow[];
  readonly guessBudget: GuessBudget;
  /** Number → fixed code; nothing is sent to these numbers. */
  readonly testNumbers: ReadonlyMap<string, string>;
  /** Most SMS segments a rendered text may need (GSM-7 160/153, UCS-2 70/67). */
  readonly maxSegments: number;
}

/** The shortest and longest codes otpd generates; other lengths are out of range, not guesses. */
export const MIN_CODE_LENGTH = 4;
export const MAX_CODE_LENGTH = 10;
