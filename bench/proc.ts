/**
 * What /proc says about the processes of a phase: CPU time (of the servers, of the local
 * PostgreSQL, of the whole machine) and the servers' resident memory, sampled while a phase runs.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** /proc reports CPU time in clock ticks of USER_HZ, which is 100 on every Linux this runs on. */
export const TICK_US = 10_000;

/** /proc/<pid>/stat: the command name and the fields after it (utime is [11], then stime, cutime, cstime). */
export function stat(pid: number | string): { name: string; f: number[] } {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The name may contain spaces and parentheses: the fields start after the last ')'.
  const end = s.lastIndexOf(')');
  return {
    name: s.slice(s.indexOf('(') + 1, end),
    f: s
      .slice(end + 2)
      .split(' ')
      .map(Number),
  };
}

/** User + system CPU of one process, every thread, in µs. */
export function cpuUs(pid: number): number {
  const { f } = stat(pid);
  return (f[11]! + f[12]!) * TICK_US;
}

/**
 * Every `postgres` process (backends, WAL writer, checkpointer) with its reaped children: they do
 * part of otpd's work on PostgreSQL, so leaving them out would flatter it. A local server only.
 */
export function pgCpuUs(): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const { name, f } = stat(pid);
      if (name === 'postgres') ticks += f[11]! + f[12]! + f[13]! + f[14]!;
    } catch {
      // ended between readdir and read
    }
  }
  return ticks * TICK_US;
}

/** The machine's busy time in µs: user, nice, system, irq, softirq (not idle, iowait, steal). */
export function machineCpuUs(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = cpu;
  return (user + nice + system + irq + softirq) * TICK_US;
}

/** VmRSS of a process in bytes; 0 once it has exited. */
export function rssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Samples the RSS of each process every `everyMs` until stopped, and keeps the largest any of them
 * reached: the bound is per process. The timer runs in this process (the generator's core).
 */
export function sampleRss(pids: readonly number[], everyMs = 200): { stop(): number } {
  let max = 0;
  const sample = () => {
    for (const pid of pids) max = Math.max(max, rssBytes(pid));
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return max;
    },
  };
}
