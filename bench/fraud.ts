/**
 * The pumping simulation (test/helpers/pumping-sim.ts) over longer runs and several seeds than
 * `npm test` affords: per attack pattern, the share of its requests that reached a gateway, and
 * per group of real users the share who succeeded; the same traffic without the range guard is the
 * baseline of the run. Figures, not speed: the simulation runs on an injected clock.
 *
 * Run alone with `node bench/fraud.ts`; `npm run bench` runs it last. Knobs (environment):
 *   BENCH_FRAUD_SEEDS   comma-separated seeds (default 1,2,3)
 *   BENCH_FRAUD_HOURS   attack hours (default 6; the test runs 3)
 */
import { runPumpingSim, SHORT_SIM, type SimResult } from '../test/helpers/pumping-sim.ts';

const pct = (a: number, b: number) => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)} %`);

function rows(label: string, r: SimResult): string[] {
  const attacks = Object.entries(r.attacks);
  const total = attacks.reduce((s, [, a]) => [s[0]! + a.requests, s[1]! + a.accepted], [0, 0]);
  return [
    ...attacks.map(([p, a]) => `${label}\tattack ${p}\t${a.requests}\t${a.accepted}\t${pct(a.accepted, a.requests)}`),
    `${label}\tattack, all\t${total[0]}\t${total[1]}\t${pct(total[1]!, total[0]!)}`,
    ...Object.entries(r.users).map(
      ([g, u]) => `${label}\tusers ${g}\t${u.users}\t${u.succeeded}\t${pct(u.succeeded, u.users)}`,
    ),
  ];
}

export async function fraudBench(log: (s: string) => void): Promise<void> {
  const seeds = (process.env.BENCH_FRAUD_SEEDS || '1,2,3').split(',').map(Number);
  const attackHours = Number(process.env.BENCH_FRAUD_HOURS || 6);
  log(`\nPumping simulation: ${attackHours} h of four attacks on tenant A after 1 h of real traffic, seeds ${seeds}`);
  log('(attack rows: requests, reached a gateway; user rows: real users who meant to validate, succeeded)\n');
  const out = ['run\twhat\tcount\tpassed\tshare'];
  for (const seed of seeds) {
    out.push(...rows(`seed ${seed}`, await runPumpingSim({ ...SHORT_SIM, seed, attackHours })));
  }
  const off = await runPumpingSim({ ...SHORT_SIM, seed: seeds[0]!, attackHours, env: { OTPD_RANGE_GUARD: 'false' } });
  out.push(...rows(`seed ${seeds[0]}, no guard`, off));
  log(out.join('\n'));
}

if (import.meta.url === `file://${process.argv[1]}`) await fraudBench((s) => process.stdout.write(`${s}\n`));
