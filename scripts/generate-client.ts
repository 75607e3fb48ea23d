import { writeFileSync } from 'node:fs';
import { generateSchema, SCHEMA_FILE } from './client-schema.ts';

writeFileSync(SCHEMA_FILE, await generateSchema());
process.stdout.write(`wrote ${SCHEMA_FILE.pathname}\n`);
