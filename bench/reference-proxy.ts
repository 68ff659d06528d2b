import { randomUUID } from 'node:crypto';
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';

/**
 * Child process of bench:live: floors for what any service in the middle costs, in Switchboard's
 * place. node:http only, no framework, no auth, no database, no retries, no validation.
 *
 * - `bytes` (argv[3]): each request is forwarded to the emulator (argv[2]) with the same method, path,
 *   query and headers, and the vendor's bytes are piped back unparsed. The vendor's own SDK, pointed
 *   at it, is the client: the price of one extra HTTP hop through a process on the same CPUs.
 * - `translate`: every request lists 100 contacts of vendor argv[4] with token argv[5] (the query
 *   Switchboard sends), parses the answer, maps each contact to the common model by hand (ids from
 *   an in-memory Map) and answers the Merge-shaped page as JSON, as Switchboard's live list does.
 *   The client is the one the bench uses for Switchboard's API: the least any translating proxy
 *   written in Node pays for the same answer.
 */

type Json = Record<string, any>;
const ids = new Map<string, string>();
const idOf = (remoteId: unknown): string | null => {
  if (typeof remoteId !== 'string' || !remoteId) return null;
  let id = ids.get(remoteId);
  if (id === undefined) ids.set(remoteId, (id = randomUUID()));
  return id;
};
const sfDate = (v: unknown) => (typeof v === 'string' ? v.replace(/\+0000$/, 'Z') : null);

function contact(remoteId: string, created: string | null, modified: string | null, c: Json): Json {
  const stamp = modified ?? created;
  const phones: Json[] = [];
  if (c.phone) phones.push({ phone_number: c.phone, phone_number_type: 'WORK', created_at: stamp, modified_at: stamp });
  if (c.mobile) phones.push({ phone_number: c.mobile, phone_number_type: 'MOBILE', created_at: stamp, modified_at: stamp });
  return {
    id: idOf(remoteId),
    remote_id: remoteId,
    created_at: created,
    modified_at: stamp,
    first_name: c.first ?? null,
    last_name: c.last ?? null,
    account: idOf(c.account),
    owner: idOf(c.owner),
    addresses: c.street || c.city ? [{ street_1: c.street ?? null, street_2: null, city: c.city ?? null, state: c.state ?? null, postal_code: c.zip ?? null, country: c.country ?? null, address_type: null, created_at: stamp, modified_at: stamp }] : [],
    email_addresses: c.email ? [{ email_address: c.email, email_address_type: 'WORK', created_at: stamp, modified_at: stamp }] : [],
    phone_numbers: phones,
    last_activity_at: null,
    remote_created_at: created,
    remote_was_deleted: false,
    field_mappings: null,
  };
}

const TRANSLATORS: Record<string, { path: string; auth: (token: string) => string; contacts: (body: Json) => Json[] }> = {
  salesforce: {
    path: `/services/data/v62.0/query?q=${encodeURIComponent('SELECT Id, FirstName, LastName, Email, Phone, MobilePhone, AccountId, OwnerId, MailingStreet, MailingCity, MailingState, MailingPostalCode, MailingCountry, CreatedDate, SystemModstamp FROM Contact ORDER BY Id LIMIT 101')}`,
    auth: (t) => `Bearer ${t}`,
    contacts: (body) =>
      (body.records as Json[]).slice(0, 100).map((r) =>
        contact(r.Id, sfDate(r.CreatedDate), sfDate(r.SystemModstamp), { first: r.FirstName, last: r.LastName, email: r.Email, phone: r.Phone, mobile: r.MobilePhone, account: r.AccountId, owner: r.OwnerId, street: r.MailingStreet, city: r.MailingCity, state: r.MailingState, zip: r.MailingPostalCode, country: r.MailingCountry }),
      ),
  },
  hubspot: {
    path: '/crm/v3/objects/contacts?limit=100&properties=firstname,lastname,email,phone,mobilephone,address,city,state,zip,country,hubspot_owner_id,createdate,lastmodifieddate&associations=companies',
    auth: (t) => `Bearer ${t}`,
    contacts: (body) =>
      (body.results as Json[]).map((r) => {
        const p = r.properties as Json;
        return contact(r.id, r.createdAt ?? null, r.updatedAt ?? null, { first: p.firstname, last: p.lastname, email: p.email, phone: p.phone, mobile: p.mobilephone, account: r.associations?.companies?.results?.[0]?.id, owner: p.hubspot_owner_id, street: p.address, city: p.city, state: p.state, zip: p.zip, country: p.country });
      }),
  },
  zoho: {
    path: '/crm/v8/Contacts?fields=First_Name,Last_Name,Email,Phone,Mobile,Account_Name,Owner,Mailing_Street,Mailing_City,Mailing_State,Mailing_Zip,Mailing_Country,Created_Time,Modified_Time&per_page=100',
    auth: (t) => `Zoho-oauthtoken ${t}`,
    contacts: (body) =>
      (body.data as Json[]).map((r) =>
        contact(r.id, r.Created_Time ?? null, r.Modified_Time ?? null, { first: r.First_Name, last: r.Last_Name, email: r.Email, phone: r.Phone, mobile: r.Mobile, account: r.Account_Name?.id, owner: r.Owner?.id, street: r.Mailing_Street, city: r.Mailing_City, state: r.Mailing_State, zip: r.Mailing_Zip, country: r.Mailing_Country }),
      ),
  },
};

async function main(): Promise<void> {
  const target = new URL(process.argv[2]);
  const mode = process.argv[3] ?? 'bytes';
  const translator = mode === 'translate' ? TRANSLATORS[process.argv[4]] : undefined;
  const token = process.argv[5] ?? '';
  if (mode === 'translate' && !translator) throw new Error(`no translator for ${process.argv[4]}`);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const translate = (res: ServerResponse) => {
    const upstream = request({ host: target.hostname, port: target.port, method: 'GET', path: translator!.path, headers: { accept: 'application/json', authorization: translator!.auth(token) }, agent }, (vendorRes: IncomingMessage) => {
      const chunks: Buffer[] = [];
      vendorRes.on('data', (c: Buffer) => chunks.push(c));
      vendorRes.on('end', () => {
        if (vendorRes.statusCode !== 200) {
          res.writeHead(502).end();
          return;
        }
        const results = translator!.contacts(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json);
        const page = JSON.stringify({ next: `cD0${results.length}`, previous: null, results });
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(page) }).end(page);
      });
    });
    upstream.on('error', () => res.writeHead(502).end());
    upstream.end();
  };
  const server = createServer((req, res) => {
    if (translator) {
      req.resume();
      translate(res);
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, agent },
      (vendorRes) => {
        res.writeHead(vendorRes.statusCode ?? 502, vendorRes.headers);
        vendorRes.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502).end();
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 72_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  let cpu0 = process.cpuUsage();
  process.on('message', (msg: { type: string }) => {
    if (msg.type === 'cpu-start') {
      cpu0 = process.cpuUsage();
      process.send?.({ type: 'cpu-started' });
    } else if (msg.type === 'cpu-stop') {
      const used = process.cpuUsage(cpu0);
      process.send?.({ type: 'cpu', us: used.user + used.system });
    } else if (msg.type === 'stop') {
      server.close();
      agent.destroy();
      process.exit(0);
    }
  });
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:live reference proxy failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
