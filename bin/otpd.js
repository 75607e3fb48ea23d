#!/usr/bin/env -S node --max-semi-space-size=8
// Plain JavaScript on purpose: it must run on an old Node long enough to say what is wrong.
import { existsSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `otpd needs Node.js 22.19 or newer (24 LTS recommended); this is ${process.versions.node}.\n` +
      'Inside the otpd repository, npx otpd <command> runs it on the Node 24 that npm installs there.\n',
  );
  process.exit(1);
}
// Every command is a new process: V8's compile cache (in the system's temporary directory) saves
// it compiling the same modules again, about a quarter of a CLI command's start-up here.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
// The repository runs the TypeScript sources; an installed package (npm pack) ships them compiled
// to dist/, because Node strips types only outside node_modules.
const sources = new URL('../src/cli/main.ts', import.meta.url);
await import(existsSync(sources) ? sources.href : new URL('../dist/cli/main.js', import.meta.url).href);
