import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ABUSE_OFF } from './server.ts';

const BIN = fileURLToPath(new URL('../../bin/otpd.js', import.meta.url));

/**
 * The Node flags `npm start` gives otpd (package.json), so that tests and the benchmark run the
 * server as a user does.
 */
export const SERVE_NODE_FLAGS: readonly string[] = (() => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const words = String(pkg.scripts.start).split(/\s+/);
  return words.slice(1, words.indexOf('bin/otpd.js'));
})();

export interface OtpdProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  kill9(): Promise<void>;
  stop(): Promise<number | null>;
}

/** How to start the process; every field is optional and the defaults are what tests use. */
export interface SpawnOptions {
  /**
   * A command node runs under, e.g. ['taskset', '-c', '0'] to pin it to one core. It must exec
   * node (taskset, nice, chrt do), so that `child.pid` is node's pid and signals reach node.
   */
  readonly prefix?: readonly string[];
  /** Node flags before the script, e.g. ['--cpu-prof', '--cpu-prof-dir=prof']. */
  readonly nodeArgs?: readonly string[];
  /** Another script instead of bin/otpd.js; it must print its url the way otpd logs it ("url":"http://…"). */
  readonly script?: string;
  /**
   * Ready once GET <url><readyPath> answers 2xx, on a port picked here, instead of once the "listening"
   * line is logged: for an otpd whose OTPD_LOG_LEVEL hides that line (a benchmark runs at warn,
   * since info logs every request).
   */
  readonly readyPath?: string;
  /** Called with the child as soon as it is spawned, before it is ready (e.g. to kill it on Ctrl-C). */
  readonly onSpawn?: (child: ChildProcess) => void;
}

/** Runs `otpd serve` as a real child process on a free port and waits until it listens. */
export async function spawnOtpd(
  env: Record<string, string>,
  args: string[] = ['serve'],
  o: SpawnOptions = {},
): Promise<OtpdProcess> {
  const port = o.readyPath === undefined ? undefined : await freePort();
  const node = [...(o.script ? [] : SERVE_NODE_FLAGS), ...(o.nodeArgs ?? []), o.script ?? BIN, ...args];
  const [cmd, ...argv] = [...(o.prefix ?? []), process.execPath, ...node];
  const child = spawn(cmd!, argv, {
    env: {
      ...process.env,
      OTPD_PORT: '0',
      OTPD_LOG_LEVEL: 'info',
      ...ABUSE_OFF,
      ...env,
      ...(port !== undefined ? { OTPD_PORT: String(port) } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  o.onSpawn?.(child);
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let settled = false;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`otpd did not start:\n${out}`)), 20_000);
    const ready = (u: string | undefined) => {
      if (u === undefined) return;
      clearTimeout(timer);
      resolve(u);
    };
    const onData = (b: Buffer) => {
      out += b.toString();
      if (port === undefined) ready(/"url":"(http:\/\/[^"]+)"/.exec(out)?.[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`otpd exited with ${code} before listening:\n${out}`));
    });
    if (port !== undefined)
      void pollReady(`http://127.0.0.1:${port}${o.readyPath}`, () => settled).then((ok) =>
        ready(ok ? `http://127.0.0.1:${port}` : undefined),
      );
  }).finally(() => {
    settled = true;
  });
  return {
    url,
    child,
    output: () => out,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** A port nothing listens on right now (another process could take it before otpd does: rare enough). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** True once GET `url` answers 2xx; false if `stop()` turns true first (the process exited or timed out). */
async function pollReady(url: string, stop: () => boolean): Promise<boolean> {
  while (!stop()) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

/** Runs an otpd CLI command to completion. */
export function runOtpd(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
