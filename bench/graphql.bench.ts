import 'reflect-metadata';
import { camel, relationIdField } from '../src/graphql/types';
import type { VendorSlug } from '../src/integrations/contract';
import { MODELS, type ModelName, SUB_OBJECTS, type SubObjectKind } from '../src/models/spec';
import { linkAndSync, startBenchServer } from './app-server';
import { countDbQueries } from './db-queries';
import { compareLoad, fmt } from './support';

/**
 * bench:graphql — requests/s of a GraphQL page of 100 contacts with account and owner (every
 * contact field, every account and owner field) against the REST equivalent
 * (GET /contacts?page_size=100&expand=account,owner), same server, same linked account, stored
 * reads after a full sync by the real engine. Also the database statements per request, counted
 * at the driver on sequential requests. Targets: ratio >= 0.7, queries fixed and <= 4.
 */

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const VENDOR = (process.env.BENCH_VENDOR ?? 'hubspot') as VendorSlug;

/** Every non-relation field of a model, as a GraphQL selection. */
function scalarSelection(model: ModelName): string {
  const parts = ['id', 'remoteId', 'createdAt', 'modifiedAt', 'remoteWasDeleted', 'fieldMappings'];
  for (const [name, f] of Object.entries(MODELS[model].fields)) {
    if (f.kind === 'relation' || f.kind === 'relation_list') parts.push(relationIdField(name, f.kind === 'relation_list'));
    else if (f.kind === 'addresses' || f.kind === 'email_addresses' || f.kind === 'phone_numbers') {
      parts.push(`${camel(name)} { ${Object.keys(SUB_OBJECTS[f.kind as SubObjectKind]).map(camel).join(' ')} createdAt modifiedAt }`);
    } else parts.push(camel(name));
  }
  return parts.join(' ');
}

async function main(): Promise<void> {
  const server = await startBenchServer({ contacts: CONTACTS });
  const { app, db, base } = server;
  const { accountToken } = await linkAndSync(server, VENDOR);

  const headers = { authorization: `Bearer ${server.apiKey}`, 'x-account-token': accountToken };
  const restUrl = `${base}/api/crm/v1/contacts?page_size=100&expand=account,owner`;
  const query = `{ contacts(first: 100) { edges { node { ${scalarSelection('Contact')} account { ${scalarSelection('Account')} } owner { ${scalarSelection('User')} } } } pageInfo { hasNextPage endCursor } } }`;
  const gqlBody = JSON.stringify({ query });
  const gqlHeaders = { ...headers, 'content-type': 'application/json' };

  // Both answer the same 100 contacts with their account and owner, from the store.
  const restRes = await fetch(restUrl, { headers });
  const rest = (await restRes.json()) as { results: { id: string; account: { id: string } | null; owner: { id: string } | null }[] };
  if (restRes.headers.get('x-read-mode') !== 'stored') throw new Error(`REST answered in ${restRes.headers.get('x-read-mode')} mode, not stored`);
  const gqlRes = (await (await fetch(`${base}/graphql`, { method: 'POST', headers: gqlHeaders, body: gqlBody })).json()) as {
    data?: { contacts: { edges: { node: { id: string; account: { id: string } | null; owner: { id: string } | null } }[] } };
    errors?: unknown;
  };
  if (!gqlRes.data) throw new Error(`GraphQL failed: ${JSON.stringify(gqlRes.errors)}`);
  const sig = (rows: { id: string; account: { id: string } | null; owner: { id: string } | null }[]) => JSON.stringify(rows.map((r) => [r.id, r.account?.id ?? null, r.owner?.id ?? null]));
  if (rest.results.length !== 100 || sig(rest.results) !== sig(gqlRes.data.contacts.edges.map((e) => e.node))) throw new Error('REST and GraphQL pages differ');
  const withBoth = rest.results.filter((r) => r.account && r.owner).length;

  // Database statements per request, on sequential requests (after the warm-up above).
  const counts = async (fn: () => Promise<unknown>) => {
    const out: number[] = [];
    for (let i = 0; i < 5; i++) {
      const counter = countDbQueries(db.prisma);
      try {
        await fn();
        out.push(counter.count);
      } finally {
        counter.stop();
      }
    }
    return out;
  };
  const gqlCounts = await counts(() => fetch(`${base}/graphql`, { method: 'POST', headers: gqlHeaders, body: gqlBody }).then((r) => r.json()));
  const restCounts = await counts(() => fetch(restUrl, { headers }).then((r) => r.json()));

  // CPU per request of this process (server and client alike), sequential: steadier than
  // throughput on a loaded machine.
  const cpuPer = async (fn: () => Promise<unknown>, n = 40) => {
    for (let i = 0; i < 5; i++) await fn();
    const start = process.cpuUsage();
    for (let i = 0; i < n; i++) await fn();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000 / n;
  };
  const restCpu = await cpuPer(() => fetch(restUrl, { headers }).then((r) => r.text()));
  const gqlCpu = await cpuPer(() => fetch(`${base}/graphql`, { method: 'POST', headers: gqlHeaders, body: gqlBody }).then((r) => r.text()));

  const [restLoad, gqlLoad] = await compareLoad(
    { url: restUrl, headers },
    { url: `${base}/graphql`, headers: gqlHeaders, method: 'POST', body: gqlBody },
    { rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS },
  );
  const ratio = gqlLoad.requestsPerSecond / restLoad.requestsPerSecond;
  const fixed = new Set(gqlCounts).size === 1;
  const maxQueries = Math.max(...gqlCounts);
  process.stdout.write(
    [
      `bench:graphql  page of 100 contacts with account and owner (${withBoth} of 100 have both), ${VENDOR} sandbox, ${fmt(CONTACTS)} contacts, stored reads; database: ${db.kind}`,
      `  ${CONNECTIONS} connections, ${ROUNDS} x ${SECONDS} s each, server and load generator on the same machine`,
      `  REST    GET /contacts?page_size=100&expand=account,owner   ${fmt(restLoad.requestsPerSecond)} req/s   p50 ${fmt(restLoad.p50Ms, 1)} ms`,
      `  GraphQL contacts(first: 100) { ... account { ... } owner { ... } }   ${fmt(gqlLoad.requestsPerSecond)} req/s   p50 ${fmt(gqlLoad.p50Ms, 1)} ms`,
      `  ratio GraphQL/REST: ${fmt(ratio, 3)}   (target >= 0.7: ${ratio >= 0.7 ? 'met' : 'NOT met'})`,
      `  CPU per request in this process (40 sequential, server + client): REST ${fmt(restCpu, 1)} ms, GraphQL ${fmt(gqlCpu, 1)} ms (ratio ${fmt(restCpu / gqlCpu, 3)})`,
      `  database statements per request (5 sequential requests): GraphQL ${gqlCounts.join(', ')}; REST ${restCounts.join(', ')}   (target fixed and <= 4: ${fixed && maxQueries <= 4 ? 'met' : 'NOT met'})`,
      '',
    ].join('\n'),
  );
  await app.close();
  await db.close();
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`bench:graphql failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
