import { defineConfig } from 'prisma/config';

// Prisma 7 reads this file (not schema.prisma) for paths and connection URLs.
// Switchboard applies migrations itself (src/database/migrations.ts, `npm run db:migrate`),
// but the layout and the _prisma_migrations table stay compatible with
// `prisma migrate deploy` wherever the native schema engine is available.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: {
    path: 'prisma/migrations',
  },
  ...(process.env.DATABASE_URL ? { datasource: { url: process.env.DATABASE_URL } } : {}),
});
