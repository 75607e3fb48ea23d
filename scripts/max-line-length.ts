// Biome's formatter wraps code at 120 columns but leaves strings, SQL templates and comments as
// written; this holds them to the same width. Run by `npm run lint` (part of `npm test`).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MAX = 120;
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.js', '*.mjs'], {
  encoding: 'utf8',
})
  .split('\n')
  // Generated (scripts/generate-client.ts); a test checks it is current instead.
  .filter((f) => f && f !== 'packages/client/src/schema.ts');
const long: string[] = [];
for (const file of files) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    continue; // listed by git but deleted in the working tree
  }
  text.split('\n').forEach((line, i) => {
    if (line.length > MAX) long.push(`${file}:${i + 1}: ${line.length} characters`);
  });
}
if (long.length > 0) {
  process.stderr.write(`${long.join('\n')}\n${long.length} lines longer than ${MAX} characters\n`);
  process.exit(1);
}
