import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../app';
import { loadConfig } from '../config/config';
import { findProjectRoot } from '../database/paths';
import { createLogger } from '../observability/logger';
import { buildOpenApiDocument, serializeOpenApi } from './document';

export const COMMITTED_OPENAPI_PATH = join(findProjectRoot(), 'openapi', 'openapi.json');
/** TypeScript types of the document (openapi-typescript), for openapi-fetch's createClient<paths>(). */
export const COMMITTED_CLIENT_PATH = join(findProjectRoot(), 'src', 'client', 'switchboard-api.d.ts');

/** Builds the document in preview mode: no port, no database, no vendor. */
export async function generateOpenApi(): Promise<string> {
  const app = await createApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), { preview: true, logger: createLogger('silent') });
  try {
    return serializeOpenApi(buildOpenApiDocument(app));
  } finally {
    await app.close();
  }
}

/** Where two serialized documents first differ (by path and method), or null when equal. */
export function describeOpenApiDrift(committed: string, built: string): string | null {
  if (committed === built) return null;
  let a: any;
  try {
    a = JSON.parse(committed);
  } catch {
    return 'the committed file is not valid JSON';
  }
  const b = JSON.parse(built);
  const added = Object.keys(b.paths ?? {}).filter((p) => !(p in (a.paths ?? {})));
  const removed = Object.keys(a.paths ?? {}).filter((p) => !(p in (b.paths ?? {})));
  const changed = Object.keys(b.paths ?? {}).filter((p) => p in (a.paths ?? {}) && JSON.stringify(a.paths[p]) !== JSON.stringify(b.paths[p]));
  const parts = [
    added.length ? `paths added: ${added.join(', ')}` : '',
    removed.length ? `paths removed: ${removed.join(', ')}` : '',
    changed.length ? `paths changed: ${changed.join(', ')}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : 'schemas or metadata changed';
}

export function readCommittedOpenApi(): string {
  return readFileSync(COMMITTED_OPENAPI_PATH, 'utf8');
}

export function readCommittedClient(): string {
  return readFileSync(COMMITTED_CLIENT_PATH, 'utf8');
}

/**
 * The client types openapi-typescript derives from a serialized document. A development tool,
 * loaded only here (`npm run openapi`, `npm run openapi:client` and the staleness test).
 */
export async function generateClientTypes(documentText: string): Promise<string> {
  const { default: openapiTS, astToString, COMMENT_HEADER } = await import('openapi-typescript');
  const ast = await openapiTS(JSON.parse(documentText), { silent: true, alphabetize: true });
  return COMMENT_HEADER + astToString(ast);
}
