import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { SandboxVendor } from '../src/sandbox/common/emulator';
import { fmt } from './support';

/**
 * bench:sandbox — per vendor emulator (in its own process, limits and faults off): list pages of
 * 100 contacts served per second, and CPU time per page measured inside the emulator process.
 * The load rotates over 50 different pages of a 10,000-contact dataset, using each vendor's own
 * paging (Salesforce SOQL keyset on Id, HubSpot `after`, Zoho `page`).
 * Target: >= 1,000 pages/s on one core (i.e. CPU per page <= 1 ms).
 */

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

interface Child {
  proc: ChildProcess;
  url: string;
  cpu(): Promise<{ usage: NodeJS.CpuUsage; rss: number }>;
  stop(): Promise<void>;
}

async function startChild(vendor: SandboxVendor): Promise<Child> {
  const proc = fork(join(__dirname, 'sandbox-server.js'), [vendor, String(CONTACTS)], { stdio: 'inherit' });
  const url = await new Promise<string>((resolve, reject) => {
    proc.once('message', (m: any) => (m.type === 'ready' ? resolve(m.url) : reject(new Error('unexpected message'))));
    proc.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return {
    proc,
    url,
    cpu: () =>
      new Promise((resolve) => {
        proc.once('message', (m: any) => resolve({ usage: m.usage, rss: m.rss }));
        proc.send({ type: 'cpu' });
      }),
    stop: () =>
      new Promise((resolve) => {
        proc.once('exit', () => resolve());
        proc.send({ type: 'stop' });
      }),
  };
}

async function json(url: string, init: RequestInit = {}): Promise<any> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Paths of 50 distinct list pages of 100 contacts, and the auth header, per vendor. */
async function pagePaths(vendor: SandboxVendor, url: string): Promise<{ paths: string[]; headers: Record<string, string> }> {
  const token = await json(`${url}/__sandbox/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const paths: string[] = [];
  if (vendor === 'salesforce') {
    const headers = { authorization: `Bearer ${token.access_token}` };
    const fields = 'Id, FirstName, LastName, Email, Phone, MobilePhone, Title, AccountId, OwnerId, MailingCity, CreatedDate, SystemModstamp';
    let lastId = '';
    for (let i = 0; i < 50; i++) {
      const where = lastId ? ` WHERE Id > '${lastId}'` : '';
      const path = `/services/data/v62.0/query?q=${encodeURIComponent(`SELECT ${fields} FROM Contact${where} ORDER BY Id LIMIT 100`)}`;
      paths.push(path);
      const page = await json(url + path, { headers });
      lastId = page.records[page.records.length - 1].Id;
    }
    return { paths, headers };
  }
  if (vendor === 'hubspot') {
    const headers = { authorization: `Bearer ${token.access_token}` };
    const props = 'firstname,lastname,email,phone,mobilephone,jobtitle,company,city,hubspot_owner_id,createdate,lastmodifieddate';
    let after = '';
    for (let i = 0; i < 50; i++) {
      const path = `/crm/v3/objects/contacts?limit=100&properties=${props}${after ? `&after=${after}` : ''}`;
      paths.push(path);
      const page = await json(url + path, { headers });
      after = page.paging?.next?.after;
    }
    return { paths, headers };
  }
  const headers = { authorization: `Zoho-oauthtoken ${token.access_token}` };
  const fields = 'First_Name,Last_Name,Email,Phone,Mobile,Title,Account_Name,Owner,Mailing_City,Created_Time,Modified_Time';
  for (let i = 1; i <= 20; i++) paths.push(`/crm/v8/Contacts?fields=${fields}&per_page=100&page=${i}`);
  // Beyond record 2,000 Zoho pages with page_token: follow it for the remaining pages.
  let next = (await json(url + paths[paths.length - 1], { headers })).info?.next_page_token;
  while (paths.length < 50 && next) {
    const path = `/crm/v8/Contacts?fields=${fields}&per_page=100&page_token=${encodeURIComponent(next)}`;
    paths.push(path);
    next = (await json(url + path, { headers })).info?.next_page_token;
  }
  return { paths, headers };
}

async function benchVendor(vendor: SandboxVendor) {
  const child = await startChild(vendor);
  try {
    const { paths, headers } = await pagePaths(vendor, child.url);
    let i = 0;
    const run = (seconds: number) =>
      autocannon({
        url: child.url,
        connections: 16,
        duration: seconds,
        headers,
        requests: [{ method: 'GET', setupRequest: (req: any) => ({ ...req, path: paths[i++ % paths.length] }) }],
      });
    await run(1); // warm-up
    const before = await child.cpu();
    const result = await run(SECONDS);
    const after = await child.cpu();
    const cpuMs = (after.usage.user - before.usage.user + after.usage.system - before.usage.system) / 1000;
    const pages = result.requests.total;
    if (result.non2xx || result.errors) throw new Error(`${vendor}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return { vendor, pagesPerSecond: pages / SECONDS, cpuMsPerPage: cpuMs / pages, pagesPerCpuSecond: pages / (cpuMs / 1000), p50: result.latency.p50, rssMb: after.rss / 1e6 };
  } finally {
    await child.stop();
  }
}

async function main(): Promise<void> {
  const rows = [];
  for (const vendor of ['salesforce', 'hubspot', 'zoho'] as SandboxVendor[]) rows.push(await benchVendor(vendor));
  const lines = [`bench:sandbox  list pages of 100 contacts (${fmt(CONTACTS)} per tenant), 16 connections, ${SECONDS} s, limits and faults off`, ''];
  lines.push('  vendor       pages/s (wall)   CPU ms/page   pages per CPU-second   p50 ms   emulator RSS MB');
  for (const r of rows) {
    lines.push(`  ${r.vendor.padEnd(12)} ${fmt(r.pagesPerSecond).padStart(14)}   ${fmt(r.cpuMsPerPage, 3).padStart(11)}   ${fmt(r.pagesPerCpuSecond).padStart(20)}   ${fmt(r.p50).padStart(6)}   ${fmt(r.rssMb).padStart(15)}`);
  }
  const worst = Math.min(...rows.map((r) => r.pagesPerCpuSecond));
  lines.push('', `  target >= 1,000 pages per CPU-second (one core): ${worst >= 1000 ? 'met' : 'NOT met'} (slowest ${fmt(worst)})`, '');
  process.stdout.write(lines.join('\n'));
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`bench:sandbox failed: ${(err as Error).message}\n`);
  process.exit(1);
});
