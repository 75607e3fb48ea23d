import { textTemplate, type MessageTemplate } from '../../src/core/message.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../src/core/clock.ts';
import { KeyRing } from '../../src/core/keyring.ts';
import { Verifier, type VerifierDeps } from '../../src/core/verification.ts';
import type { ProofOfWork } from '../../src/core/fraud/challenge.ts';
import { LibPhoneNumberInspector } from '../../src/phone/libphonenumber.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { loadConfig } from '../../src/config/load.ts';
import { policyFrom } from '../../src/boot/verification.ts';
import { ABUSE_OFF } from './server.ts';
import { Admission } from '../../src/core/admission.ts';
import { abusePolicyFrom } from '../../src/boot/abuse.ts';

/** The core wired to a real SQLite file and a manual clock, without HTTP. */
export function coreFixture(
  env: Record<string, string> = {},
  o: { pricing?: VerifierDeps['pricing']; challenges?: (clock: ManualClock, keys: KeyRing) => ProofOfWork } = {},
) {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  const store = new SqliteStore(
    { file: join(mkdtempSync(join(tmpdir(), 'otpd-core-')), 'otpd.db'), synchronous: 'NORMAL' },
    clock.now(),
  );
  const keys = new KeyRing('unit-secret-0123456789-0123456789-abc');
  const config = loadConfig({ ...ABUSE_OFF, ...env });
  const policy = policyFrom(config);
  const abuse: { reason: string; shadow: boolean }[] = [];
  const phones = new LibPhoneNumberInspector();
  const admission = new Admission({
    store,
    clock,
    policy: abusePolicyFrom(config),
    onAbuse: (e) => abuse.push(e),
  });
  let queued = 0;
  const codes: string[] = [];
  const verifier = new Verifier({
    store,
    keys,
    clock,
    policy,
    admission,
    phones,
    newId: randomUUID,
    // Records each generated code so tests can validate without a gateway.
    random: (max) => {
      const d = Math.floor(Math.random() * max);
      codes.push(String(d));
      return d;
    },
    onQueued: () => queued++,
    ...(o.pricing ? { pricing: o.pricing } : {}),
    ...(o.challenges ? { challenges: o.challenges(clock, keys) } : {}),
  });
  return {
    clock,
    store,
    keys,
    verifier,
    policy,
    abuse,
    queued: () => queued,
    /** The last code generated, assuming a numeric alphabet. */
    lastCode: () => codes.slice(-policy.codeLength).join(''),
  };
}

/** A CAMARA-style text for the core's send-code: `{{code}}` stands where the code goes. */
export const smsText = (message: string): MessageTemplate => textTemplate(message, '{{code}}');
