import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import 'reflect-metadata';
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import * as hubspot from '@hubspot/api-client';
import jsforce from 'jsforce';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config/config';
import { createTestDatabase } from '../src/database/testing';
import type { VendorSlug } from '../src/integrations/contract';
import { adapterFor } from '../src/integrations/registry';
import { LinkedAccountsService } from '../src/linked-accounts/linked-accounts.service';
import { createLogger } from '../src/observability/logger';
import { OrganizationsService } from '../src/organizations/organizations.service';
import { fmt } from './support';

/**
 * bench:live — a live list of 100 contacts through Switchboard's REST API against the same list
 * fetched directly from the same emulator (in its own process) by the vendor's client: jsforce
 * for Salesforce, @hubspot/api-client for HubSpot, and plain HTTP for Zoho (its SDK needs a file
 * token store and per-call field metadata, which would make the baseline slower, not fairer).
 * Reports added latency p50/p99 (sequential requests) and the throughput ratio (8 concurrent).
 * Targets: p50 added <= 3 ms, ratio >= 0.7.
 */

const CONTACTS = 10_000;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

async function startEmulator(vendor: VendorSlug): Promise<{ url: string; proc: ChildProcess }> {
  const proc = fork(join(__dirname, 'sandbox-server.js'), [vendor, String(CONTACTS)], { stdio: 'inherit' });
  const url = await new Promise<string>((resolve, reject) => {
    proc.once('message', (m: any) => (m.type === 'ready' ? resolve(m.url) : reject(new Error('bad message'))));
    proc.once('exit', (code) => reject(new Error(`emulator exited ${code}`)));
  });
  return { url, proc };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/**
 * Wall times of sequential calls, and this process's CPU time per call (user + system). The
 * emulator runs in its own process, so the CPU figure is the client's work for `direct` and the
 * client's plus Switchboard's for the API: their difference is what Switchboard spends per request,
 * which a loaded machine distorts far less than wall times.
 */
async function timeSequential(fn: () => Promise<unknown>): Promise<{ times: number[]; cpuMs: number }> {
  for (let i = 0; i < 20; i++) await fn();
  const out: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  return { times: out, cpuMs: (cpu.user + cpu.system) / 1000 / SAMPLES };
}

async function throughput(fn: () => Promise<unknown>, concurrency = 8): Promise<number> {
  const end = Date.now() + SECONDS * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await fn();
        done++;
      }
    }),
  );
  return done / SECONDS;
}

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', SANDBOX: 'off', RATE_LIMIT_MAX: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'sb-bench-')) });
  const app = await createApp(config, { database: db.prisma, logger: createLogger('silent') });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const { organization, key } = await app.get(OrganizationsService).createWithKey('bench');
  const lines = [`bench:live  list 100 contacts, ${fmt(CONTACTS)} in the emulator, ${SAMPLES} sequential samples, ${SECONDS} s at 8 concurrent; database: ${db.kind}`, ''];
  lines.push('  vendor       direct p50   via API p50   added p50   added p99   direct req/s   API req/s   ratio');
  const cpuLines: string[] = [];
  let allMet = true;
  // BENCH_VENDORS=zoho,hubspot runs a subset (the machine is shared; one vendor at a time is kinder).
  const vendors = (process.env.BENCH_VENDORS ?? 'salesforce,hubspot,zoho').split(',').map((v) => v.trim()) as VendorSlug[];
  for (const vendor of vendors) {
    const emu = await startEmulator(vendor);
    try {
      const tokenRes = await fetch(`${emu.url}/__sandbox/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      const tokenBody = (await tokenRes.json()) as Record<string, string>;
      const parsed = adapterFor(vendor)!.auth.parseTokenResponse(200, tokenBody, {});
      if ('error' in parsed) throw new Error(parsed.description);
      const apiBaseUrl = parsed.apiBaseUrl ?? emu.url;
      const { accountToken } = await app.get(LinkedAccountsService).create({
        organizationId: organization.id,
        integration: vendor,
        isSandbox: true,
        apiBaseUrl,
        authBaseUrl: emu.url,
        readMode: 'live',
        tokens: { accessToken: parsed.accessToken, refreshToken: parsed.refreshToken ?? null },
      });
      let direct: () => Promise<unknown>;
      if (vendor === 'salesforce') {
        const conn = new jsforce.Connection({ instanceUrl: apiBaseUrl, accessToken: parsed.accessToken, version: '62.0' });
        direct = async () => conn.query('SELECT Id, FirstName, LastName, Email, Phone, MobilePhone, AccountId, OwnerId, MailingStreet, MailingCity, MailingState, MailingPostalCode, MailingCountry, CreatedDate, SystemModstamp FROM Contact ORDER BY Id LIMIT 100');
      } else if (vendor === 'hubspot') {
        const client = new hubspot.Client({ accessToken: parsed.accessToken, basePath: apiBaseUrl });
        direct = () => client.crm.contacts.basicApi.getPage(100, undefined, ['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'address', 'city', 'state', 'zip', 'country', 'hubspot_owner_id'], undefined, ['companies']);
      } else {
        direct = async () => {
          const r = await fetch(`${apiBaseUrl}/crm/v8/Contacts?fields=First_Name,Last_Name,Email,Phone,Mobile,Account_Name,Owner,Mailing_Street,Mailing_City,Mailing_State,Mailing_Zip,Mailing_Country,Created_Time,Modified_Time&per_page=100`, {
            headers: { authorization: `Zoho-oauthtoken ${parsed.accessToken}` },
          });
          return r.json();
        };
      }
      const viaApi = async () => {
        const r = await fetch(`${base}/api/crm/v1/contacts?page_size=100`, { headers: { authorization: `Bearer ${key.key}`, 'x-account-token': accountToken } });
        if (r.status !== 200) throw new Error(`API answered ${r.status}: ${await r.text()}`);
        return r.json();
      };
      // Interleave to share drift.
      const { times: d1, cpuMs: dCpu } = await timeSequential(direct);
      const { times: a1, cpuMs: aCpu } = await timeSequential(viaApi);
      cpuLines.push(`  ${vendor.padEnd(12)} ${fmt(dCpu, 2).padStart(8)} ms ${fmt(aCpu, 2).padStart(10)} ms ${fmt(aCpu - dCpu, 2).padStart(8)} ms`);
      const tDirect = await throughput(direct);
      const tApi = await throughput(viaApi);
      const added50 = percentile(a1, 50) - percentile(d1, 50);
      const added99 = percentile(a1, 99) - percentile(d1, 99);
      const ratio = tApi / tDirect;
      if (added50 > 3 || ratio < 0.7) allMet = false;
      lines.push(
        `  ${vendor.padEnd(12)} ${fmt(percentile(d1, 50), 2).padStart(8)} ms ${fmt(percentile(a1, 50), 2).padStart(10)} ms ${fmt(added50, 2).padStart(8)} ms ${fmt(added99, 2).padStart(8)} ms ${fmt(tDirect).padStart(14)} ${fmt(tApi).padStart(11)} ${fmt(ratio, 2).padStart(7)}`,
      );
    } finally {
      emu.proc.send({ type: 'stop' });
    }
  }
  lines.push('', `  targets (p50 added <= 3 ms, ratio >= 0.7): ${allMet ? 'met' : 'NOT met'}`, '');
  lines.push('  CPU of the bench process per sequential request (client, plus Switchboard for the API):', '  vendor       direct CPU    via API CPU   Switchboard', ...cpuLines, '');
  process.stdout.write(lines.join('\n'));
  await app.close();
  await db.close();
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`bench:live failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
