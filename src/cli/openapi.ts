import { writeFileSync } from 'node:fs';
import { COMMITTED_OPENAPI_PATH, describeOpenApiDrift, generateOpenApi, readCommittedOpenApi } from '../openapi/generate';

/** `npm run openapi` writes openapi/openapi.json; `--check` exits 1 when it is stale. */
async function main(): Promise<void> {
  const built = await generateOpenApi();
  if (process.argv.includes('--check')) {
    const drift = describeOpenApiDrift(readCommittedOpenApi(), built);
    if (drift) {
      process.stderr.write(`openapi/openapi.json is stale (${drift}); run: npm run openapi\n`);
      process.exit(1);
    }
    process.stdout.write('openapi/openapi.json is up to date\n');
  } else {
    writeFileSync(COMMITTED_OPENAPI_PATH, built);
    process.stdout.write(`wrote ${COMMITTED_OPENAPI_PATH}\n`);
  }
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`openapi: ${(err as Error).message}\n`);
  process.exit(1);
});
