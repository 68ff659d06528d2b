#!/bin/sh
# Apply pending migrations (PostgreSQL; the embedded database migrates itself), then start.
set -e
if [ -n "$DATABASE_URL" ]; then
  node dist/src/cli/migrate.js deploy
fi
exec "$@"
