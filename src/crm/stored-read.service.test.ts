import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../database/testing';
import type { PrismaService } from '../database/prisma.service';
import { CursorCodec } from '../http/cursor';
import type { LinkedAccountRecord } from '../linked-accounts/linked-accounts.service';
import type { ModelName } from '../models/spec';
import { filterFingerprint, parseListQuery } from './list-query';
import { parseReadModeHeader, StoredReadService } from './stored-read.service';

/**
 * The SQL of every stored list filter, EXPLAINed on a realistic table (two linked accounts, tens
 * of thousands of records, statistics gathered): each runs on an index, never a sequential scan,
 * and selective filters use the index made for them.
 */

const CONTACTS = 12_000;
const ACCOUNTS = 1_200;
const ENGAGEMENTS = 3_000;
const OPPORTUNITIES = 1_500;

const uuidOf = (kind: string, n: number | string) => `md5('${kind}' || ${n})::uuid`;

async function fill(db: PrismaService, accountId: string, tag: string): Promise<void> {
  // Store-shaped rows: data is the wire record minus the column-backed keys (see CrmRecord).
  const common = (model: string, prefix: string) => `gen_random_uuid(), '${accountId}'::uuid, '${model}', '${tag}${prefix}' || g, md5(g::text),
      now() - g * interval '1 minute', now() - g * interval '30 seconds', now() - g * interval '2 minutes'`;
  const cols = 'id, linked_account_id, model, remote_id, content_hash, created_at, modified_at, remote_created_at, data';
  await db.sql.exec(`
    INSERT INTO crm_records (${cols})
    SELECT ${common('Account', 'a')}, jsonb_build_object('name', 'Company ' || g || ' ${tag}', 'owner', ${uuidOf(`${tag}user`, 'g % 20')}, 'industry', 'Tech',
      'addresses', '[]'::jsonb, 'phone_numbers', '[]'::jsonb)
    FROM generate_series(1, ${ACCOUNTS}) g;
    INSERT INTO crm_records (${cols})
    SELECT ${common('Contact', 'c')}, jsonb_build_object('first_name', 'First' || g, 'last_name', 'Last' || g,
      'account', ${uuidOf(`${tag}acct`, `g % ${ACCOUNTS}`)}, 'owner', ${uuidOf(`${tag}user`, 'g % 20')},
      'email_addresses', jsonb_build_array(jsonb_build_object('email_address', 'p' || g || '@${tag}.example', 'email_address_type', 'WORK')),
      'phone_numbers', jsonb_build_array(jsonb_build_object('phone_number', '+1555' || lpad(g::text, 7, '0'), 'phone_number_type', 'MOBILE')),
      'addresses', '[]'::jsonb)
    FROM generate_series(1, ${CONTACTS}) g;
    INSERT INTO crm_records (${cols})
    SELECT ${common('Engagement', 'e')}, jsonb_build_object('subject', 'Call ' || g, 'direction', 'OUTBOUND',
      'start_time', to_char((timestamptz '2026-01-01' + g * interval '1 hour') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'account', ${uuidOf(`${tag}acct`, `g % ${ACCOUNTS}`)}, 'contacts', jsonb_build_array(${uuidOf(`${tag}c`, 'g')}))
    FROM generate_series(1, ${ENGAGEMENTS}) g;
    INSERT INTO crm_records (${cols})
    SELECT ${common('Opportunity', 'o')}, jsonb_build_object('name', 'Deal ' || g, 'status', (ARRAY['OPEN','WON','LOST'])[1 + g % 3],
      'account', ${uuidOf(`${tag}acct`, `g % ${ACCOUNTS}`)}, 'stage', ${uuidOf(`${tag}stage`, 'g % 7')}, 'owner', ${uuidOf(`${tag}user`, 'g % 20')})
    FROM generate_series(1, ${OPPORTUNITIES}) g;
    INSERT INTO crm_records (${cols})
    SELECT ${common('User', 'u')}, jsonb_build_object('name', 'User ' || g, 'email', 'user' || g || '@${tag}.example', 'is_active', true)
    FROM generate_series(1, 20) g;
  `);
}

describe('stored list SQL uses an index for every filter', () => {
  let db: TestDatabase;
  let account: LinkedAccountRecord;
  let captured: { sql: string; params: unknown[] } | null = null;
  let service: StoredReadService;

  beforeAll(async () => {
    db = await createTestDatabase();
    const org = await db.prisma.organization.create({ data: { name: 'explain' } });
    const mk = (n: number) =>
      db.prisma.linkedAccount.create({
        data: { organizationId: org.id, integration: 'hubspot', apiBaseUrl: 'http://x', authBaseUrl: 'http://x', accountTokenHash: `hash-${n}-${Date.now()}` },
      });
    account = await mk(1);
    const other = await mk(2);
    await fill(db.prisma, account.id, 'a');
    await fill(db.prisma, other.id, 'b');
    await db.prisma.sql.exec('ANALYZE crm_records');
    // The service's SQL is captured (not run) and EXPLAINed on the real table below.
    const capture = {
      sql: {
        query: async (sql: string, params: unknown[]) => {
          captured = { sql, params };
          return [];
        },
      },
    } as unknown as PrismaService;
    service = new StoredReadService(capture, new CursorCodec(Buffer.alloc(32, 7)));
  }, 180_000);
  afterAll(async () => {
    await db?.close();
  });

  async function plan(model: ModelName, query: Record<string, string>): Promise<string> {
    captured = null;
    await service.list(account, model, query);
    expect(captured).not.toBeNull();
    const rows = await db.prisma.sql.query<Record<string, unknown>>(`EXPLAIN (FORMAT JSON) ${captured!.sql}`, captured!.params);
    return JSON.stringify(rows[0]);
  }
  const one = async (sql: string) => (await db.prisma.sql.query<Record<string, string>>(sql))[0];
  const ago = async (interval: string) => (await one(`SELECT to_char((now() - interval '${interval}') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS t`)).t;

  it.each([
    ['no filter', 'Contact', async () => ({}), 'crm_records_linked_account_id_model_seq_idx'],
    ['remote_id', 'Contact', async () => ({ remote_id: 'ac77' }), 'crm_records_linked_account_id_model_remote_id_key'],
    ['account_id (relation)', 'Contact', async () => ({ account_id: (await one(`SELECT ${uuidOf('aacct', 5)}::text AS u`)).u }), 'crm_records_data_idx'],
    ['email_addresses', 'Contact', async () => ({ email_addresses: 'p77@a.example' }), 'crm_records_data_idx'],
    ['phone_numbers', 'Contact', async () => ({ phone_numbers: '+15550000077' }), 'crm_records_data_idx'],
    ['user email (exact)', 'User', async () => ({ email: 'user3@a.example' }), null],
    ['created_after (selective)', 'Contact', async () => ({ created_after: await ago('30 minutes') }), 'crm_records_linked_account_id_model_created_at_idx'],
    ['modified_after (selective)', 'Contact', async () => ({ modified_after: await ago('15 minutes') }), 'crm_records_linked_account_id_model_modified_at_idx'],
    ['remote_created_after (selective)', 'Opportunity', async () => ({ remote_created_after: await ago('60 minutes') }), 'crm_records_linked_account_id_model_remote_created_at_idx'],
    ['started_after (selective)', 'Engagement', async () => ({ started_after: '2026-05-01T00:00:00.000Z' }), 'crm_records_engagement_start_time_idx'],
    ['status (enum, unselective)', 'Opportunity', async () => ({ status: 'WON' }), null],
    ['stage_id (relation)', 'Opportunity', async () => ({ stage_id: (await one(`SELECT ${uuidOf('astage', 3)}::text AS u`)).u }), null],
    ['name contains', 'Account', async () => ({ name: 'pany 117' }), null],
    ['include_deleted_data', 'Contact', async () => ({ include_deleted_data: 'true' }), 'crm_records_linked_account_id_model_seq_idx'],
  ] as [string, ModelName, () => Promise<Record<string, string>>, string | null][])('%s', async (_name, model, query, index) => {
    const text = await plan(model, await query());
    expect(text, text).not.toContain('"Seq Scan"');
    if (index) expect(text, text).toContain(`"Index Name":"${index}"`);
  });

  it('name contains uses the trigram index where pg_trgm is installed (PostgreSQL), else walks the seq index', async () => {
    const text = await plan('Account', { name: 'pany 117' });
    const trgm = (await db.prisma.sql.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'`)).length > 0;
    expect(text).toContain(`"Index Name":"${trgm ? 'crm_records_account_name_trgm_idx' : 'crm_records_linked_account_id_model_seq_idx'}"`);
    if (db.kind === 'postgres') expect(trgm).toBe(true);
  });

  it('keyset pages of a stored list go through the seq index', async () => {
    await service.list(account, 'Contact', { page_size: '100' });
    const rows = await db.prisma.sql.query<{ seq: string }>(`SELECT seq::text AS seq FROM crm_records WHERE linked_account_id = $1::uuid AND model = 'Contact' ORDER BY seq OFFSET 5000 LIMIT 1`, [account.id]);
    const cursor = new CursorCodec(Buffer.alloc(32, 7));
    const c = cursor.encode({ account: account.id, model: 'stored:Contact', filters: filterFingerprint(parseListQuery('Contact', {})) }, { d: 'a', k: rows[0].seq });
    const text = await plan('Contact', { cursor: c });
    expect(text).toContain('"Index Name":"crm_records_linked_account_id_model_seq_idx"');
    expect(text).not.toContain('"Seq Scan"');
  });

  it('X-Read-Mode values', () => {
    expect(parseReadModeHeader(undefined)).toBeNull();
    expect(parseReadModeHeader('')).toBeNull();
    expect(parseReadModeHeader(' Live ')).toBe('live');
    expect(parseReadModeHeader(['live', 'stored'])).toBe('stored');
    expect(() => parseReadModeHeader('fast')).toThrow(/X-Read-Mode/);
  });
});
