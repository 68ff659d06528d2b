import { warmEmbeddedTemplate } from '../database/embedded';

/** Part of `npm run build`: prepares the embedded database template (cached; instant when up to date). */
const started = performance.now();
warmEmbeddedTemplate()
  .then(() => {
    const ms = Math.round(performance.now() - started);
    if (ms > 500) process.stdout.write(`prepared the embedded database template in ${ms} ms\n`);
    process.exit(0);
  })
  .catch((err) => {
    // Not fatal: the server can still initialise a new data directory itself, only slower.
    process.stderr.write(`could not prepare the embedded database template: ${(err as Error).message}\n`);
    process.exit(0);
  });
