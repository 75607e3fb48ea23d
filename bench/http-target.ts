/**
 * send-code through an HTTP provider that answers after cfg.gatewayDelayMs (bench/vendor-server.ts,
 * a child on the generator's core speaking Twilio's wire format), in a closed loop and then in an
 * open loop at half its rate, each on a fresh set of otpd processes and a fresh store: a dispatcher
 * that falls behind leaves a backlog that would otherwise be charged to the next phase.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config/load.ts';
import { TWILIO } from '../test/helpers/fake-vendors.ts';
import type { OtpdProcess } from '../test/helpers/process.ts';
import { cfg, log, ROOT, type TargetId } from './config.ts';
import { measure, type PhaseResult, type VendorStats } from './measure.ts';
import { freshStore, withOtpd, type Shared } from './otpd-set.ts';
import { sendPhase } from './phases.ts';
import { drained } from './pool.ts';
import { startServer, stopServer, tempDir } from './servers.ts';

/** Never called back (the fake provider sends no delivery reports); only the form of the URL matters. */
const PUBLIC_URL = 'https://otpd.bench.invalid';
const GATEWAY = 'twilio';
/** Concurrent calls per process the reworked dispatcher may make to the provider (its maxInFlight). */
const MAX_IN_FLIGHT = 1000;

function gatewayConfig(baseUrl: string, maxInFlight: boolean): Record<string, unknown> {
  return {
    delivery: {
      publicUrl: PUBLIC_URL,
      gateways: [
        {
          type: 'http',
          preset: 'twilio',
          id: GATEWAY,
          accountSid: TWILIO.accountSid,
          authToken: TWILIO.authToken,
          from: TWILIO.from,
          baseUrl,
          ...(maxInFlight ? { maxInFlight: MAX_IN_FLIGHT } : {}),
        },
      ],
    },
  };
}

let acceptsMaxInFlight: boolean | undefined;

/**
 * Writes the configuration file (JSON, which otpd's YAML reader takes). A per-gateway maxInFlight
 * goes in only if this checkout's otpd accepts it: the same validation otpd runs at boot says so.
 */
function writeConfig(env: Record<string, string>, baseUrl: string): string {
  const file = join(tempDir(), 'otpd.json');
  if (acceptsMaxInFlight === undefined) {
    writeFileSync(file, JSON.stringify(gatewayConfig(baseUrl, true)));
    try {
      loadConfig({ ...process.env, ...env }, file);
      acceptsMaxInFlight = true;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      acceptsMaxInFlight = !err.problems.some((p) => p.includes('maxInFlight'));
    }
    log(`  the HTTP gateway's maxInFlight: ${acceptsMaxInFlight ? MAX_IN_FLIGHT : 'not accepted by otpd, left out'}`);
  }
  writeFileSync(file, JSON.stringify(gatewayConfig(baseUrl, acceptsMaxInFlight)));
  return file;
}

async function vendorStats(v: OtpdProcess): Promise<VendorStats> {
  return (await (await fetch(`${v.url}/stats`)).json()) as VendorStats;
}

async function httpPhase(s: Shared, id: TargetId, name: string, rate: number | undefined): Promise<PhaseResult> {
  const vendor = await startServer(
    `vendor-${name}`,
    { BENCH_VENDOR_DELAY_MS: String(cfg.gatewayDelayMs), BENCH_VENDOR_CALLBACK: `${PUBLIC_URL}/callbacks/${GATEWAY}` },
    { script: join(ROOT, 'bench/vendor-server.ts'), core: 1, args: [] },
  );
  try {
    const fresh = freshStore(s, id);
    const file = writeConfig(fresh.env, vendor.url);
    const operation = `send-code via HTTP ${cfg.gatewayDelayMs} ms${rate === undefined ? '' : ', open loop'}`;
    const r = await withOtpd(
      s,
      id,
      `otpd-${name}`,
      fresh,
      (set) =>
        measure(
          sendPhase(set, operation, {
            helperPids: [vendor.child.pid!],
            // A dispatcher that falls behind could take minutes to catch up: what it has not sent by
            // then is counted as not sent, its wait as at least that long.
            drain: async () => {
              if (!(await drained(set.urls, cfg.httpDrainS * 1000)))
                log(`  the dispatchers are still behind after ${cfg.httpDrainS} s of waiting; going on`);
            },
            ...(rate === undefined ? {} : { rate }),
          }),
        ),
      ['serve', '--config', file],
    );
    const v = await vendorStats(vendor);
    log(`  provider: ${v.received} calls, at most ${v.maxInFlight} at once, ${v.refused} refused as malformed`);
    return { ...r, vendor: v };
  } finally {
    await stopServer(`vendor-${name}`, vendor);
  }
}

export async function httpPhases(s: Shared, id: TargetId): Promise<PhaseResult[]> {
  const closed = await httpPhase(s, id, `${id}-http`, undefined);
  return [closed, await httpPhase(s, id, `${id}-http-open`, closed.load.rps / 2)];
}
