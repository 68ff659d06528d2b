import { writeFileSync } from 'node:fs';
import {
  COMMITTED_CLIENT_PATH,
  COMMITTED_OPENAPI_PATH,
  describeOpenApiDrift,
  generateClientTypes,
  generateOpenApi,
  readCommittedClient,
  readCommittedOpenApi,
} from '../openapi/generate';

/**
 * `npm run openapi` writes openapi/openapi.json and the client types generated from it;
 * `--client` regenerates only the client types from the committed document;
 * `--check` exits 1 when either committed file is stale.
 */
async function main(): Promise<void> {
  if (process.argv.includes('--client')) {
    writeFileSync(COMMITTED_CLIENT_PATH, await generateClientTypes(readCommittedOpenApi()));
    process.stdout.write(`wrote ${COMMITTED_CLIENT_PATH}\n`);
    process.exit(0);
  }
  const built = await generateOpenApi();
  const client = await generateClientTypes(built);
  if (process.argv.includes('--check')) {
    const drift = describeOpenApiDrift(readCommittedOpenApi(), built);
    if (drift) {
      process.stderr.write(`openapi/openapi.json is stale (${drift}); run: npm run openapi\n`);
      process.exit(1);
    }
    if (readCommittedClient() !== client) {
      process.stderr.write(`${COMMITTED_CLIENT_PATH} is stale; run: npm run openapi\n`);
      process.exit(1);
    }
    process.stdout.write('openapi/openapi.json and the client types are up to date\n');
  } else {
    writeFileSync(COMMITTED_OPENAPI_PATH, built);
    writeFileSync(COMMITTED_CLIENT_PATH, client);
    process.stdout.write(`wrote ${COMMITTED_OPENAPI_PATH} and ${COMMITTED_CLIENT_PATH}\n`);
  }
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`openapi: ${(err as Error).message}\n`);
  process.exit(1);
});
