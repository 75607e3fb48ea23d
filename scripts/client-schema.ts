/**
 * The typed client's schema (packages/client/src/schema.ts): otpd's own OpenAPI document, reduced
 * to the native API (/v1) and the webhook events, turned into types by openapi-typescript. The
 * generator writes it; a test compares the committed file with a fresh generation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { loadConfig } from '../src/config/load.ts';
import { startServer } from '../src/main.ts';

export const SCHEMA_FILE = new URL('../packages/client/src/schema.ts', import.meta.url);

/** The document as a default otpd serves it, with only the native API's paths. */
export async function nativeDocument(): Promise<OpenAPI3> {
  const dataDir = mkdtempSync(join(tmpdir(), 'otpd-client-schema-'));
  const env = { OTPD_DATA_DIR: dataDir, OTPD_PORT: '0', OTPD_LOG_LEVEL: 'silent', OTPD_SECRET: 's'.repeat(40) };
  const server = await startServer(loadConfig({ ...env, OTPD_WEBHOOKS: 'false', OTPD_DISPATCHER: 'false' }));
  try {
    const doc = server.app.swagger() as unknown as OpenAPI3 & { paths: Record<string, unknown> };
    const paths = Object.fromEntries(Object.entries(doc.paths).filter(([p]) => p.startsWith('/v1/')));
    return { ...doc, paths } as OpenAPI3;
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function generateSchema(): Promise<string> {
  const ast = await openapiTS(await nativeDocument(), { alphabetize: true });
  return `// Generated from otpd's OpenAPI document by scripts/generate-client.ts: do not edit.\n${astToString(ast)}`;
}
