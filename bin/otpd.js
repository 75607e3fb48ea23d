#!/usr/bin/env node
// Plain JavaScript on purpose: it must run on an old Node long enough to say what is wrong.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `otpd needs Node.js 22.18 or newer (24 LTS recommended); this is ${process.versions.node}.\n` +
      'Inside the repository, run it through npm, which uses the Node 24 it installs: npm run otpd -- <command>\n',
  );
  process.exit(1);
}
await import('../src/cli/main.ts');
