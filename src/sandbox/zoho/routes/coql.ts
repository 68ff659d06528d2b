import type { FastifyInstance } from 'fastify';
import { CoqlError, COQL_MAX_LIMIT, evalCoql, parseCoql, whereFields, type CoqlNode } from '../coql';
import { ctxOf } from '../context';
import { JSON_TYPE, sendError, zerr } from '../errors';
import { parseDateTime } from '../format';
import { takePage, walk, type SortBy } from '../listing';
import { moduleByName, type ZRecord } from '../modules';
import { fieldValue, jsonValue } from '../render';
import type { ModuleStore } from '../tenant';
import { getterFor, kindSchema } from './records';

/** POST /crm/v8/coql {"select_query": "..."} (see coql.ts for the subset served). */

const ORDERED: readonly string[] = ['id', 'Created_Time', 'Modified_Time'];

function lowerBound(node: CoqlNode | undefined): number | undefined {
  if (!node) return undefined;
  if (node.kind === 'cmp') {
    if (node.field !== 'Modified_Time' || !['>', '>=', 'between'].includes(node.op)) return undefined;
    const ms = parseDateTime(String(node.values[0]));
    return Number.isNaN(ms) ? undefined : ms - 1;
  }
  if (node.kind === 'or') return undefined;
  let best: number | undefined;
  for (const n of node.items) {
    const b = lowerBound(n);
    if (b !== undefined && (best === undefined || b > best)) best = b;
  }
  return best;
}

function column(store: ModuleStore, p: number, r: ZRecord, field: string): unknown {
  const [head, sub] = field.split('.');
  const v = fieldValue(store, p, r, head);
  if (sub !== undefined) return v && typeof v === 'object' ? ((v as Record<string, unknown>)[sub] ?? null) : null;
  // COQL returns lookups as {id} only (ask for Field.name to get the name)
  if (v && typeof v === 'object' && !Array.isArray(v) && 'id' in v) return { id: (v as { id: string }).id };
  return v;
}

export function registerCoqlRoute(api: FastifyInstance): void {
  api.post('/crm/v8/coql', async (request, reply) => {
    const { tenant } = ctxOf(request);
    const body = request.body as { select_query?: unknown } | undefined;
    const q = body && typeof body === 'object' ? body.select_query : undefined;
    if (typeof q !== 'string' || !q.trim()) return sendError(reply, 400, zerr('MANDATORY_NOT_FOUND', 'required field not found', { api_name: 'select_query', json_path: '$.select_query' }));
    try {
      const query = parseCoql(q);
      const module = moduleByName(query.module);
      if (!module) throw new CoqlError('invalid query formed', 'INVALID_QUERY', { reason: 'invalid module given', module: query.module, clause: 'from' });
      const store = tenant.modules[module];
      const schema = kindSchema(store);
      for (const f of query.fields) if (!schema.kindOf(f)) throw new CoqlError('invalid query formed', 'INVALID_QUERY', { reason: 'invalid column given', column_name: f, clause: 'select' });
      for (const f of query.where ? whereFields(query.where) : []) if (!schema.kindOf(f)) throw new CoqlError('invalid query formed', 'INVALID_QUERY', { reason: 'invalid column given', column_name: f, clause: 'where' });
      if (query.orderBy && !schema.kindOf(query.orderBy.field)) throw new CoqlError('invalid query formed', 'INVALID_QUERY', { reason: 'invalid column given', column_name: query.orderBy.field, clause: 'order by' });
      const where = query.where;
      const predicate = where ? (p: number, r: ZRecord) => evalCoql(where, getterFor(store, p, r), schema) : () => true;
      const since = lowerBound(where);
      let rows: { position: number; record: ZRecord }[];
      let more: boolean;
      if (!query.orderBy || ORDERED.includes(query.orderBy.field)) {
        const sortBy = (query.orderBy?.field ?? 'id') as SortBy;
        const items = walk(store, { sortBy, order: query.orderBy?.order ?? 'asc', since });
        const filtered = (function* () {
          for (const it of items) if (predicate(it.position, it.record)) yield it;
        })();
        ({ page: rows, more } = takePage(filtered, query.offset, query.limit));
      } else {
        // Any other sort field: a scan (like Zoho, slower than the indexed orders).
        const all: { position: number; record: ZRecord; key: unknown }[] = [];
        for (const it of walk(store, { sortBy: 'id', order: 'asc', since })) {
          if (predicate(it.position, it.record)) all.push({ position: it.position, record: it.record, key: column(store, it.position, it.record, query.orderBy.field) });
        }
        const dir = query.orderBy.order === 'desc' ? -1 : 1;
        all.sort((a, b) => {
          const x = a.key as string | number | null;
          const y = b.key as string | number | null;
          if (x === y) return a.position - b.position;
          if (x === null) return 1;
          if (y === null) return -1;
          return (x < y ? -1 : 1) * dir;
        });
        rows = all.slice(query.offset, query.offset + query.limit);
        more = all.length > query.offset + query.limit;
      }
      if (rows.length === 0) return reply.code(204).send();
      const fields = ['id', ...query.fields.filter((f) => f !== 'id')];
      const data = rows.map((row) => `{${fields.map((f) => `${JSON.stringify(f)}:${jsonValue(column(store, row.position, row.record, f))}`).join(',')}}`).join(',');
      return reply.code(200).type(JSON_TYPE).send(`{"data":[${data}],"info":{"count":${rows.length},"more_records":${more}}}`);
    } catch (err) {
      if (err instanceof CoqlError) {
        const message = err.code === 'SYNTAX_ERROR' ? 'error occured while parsing the query' : err.code === 'LIMIT_EXCEEDED' ? `limit should not exceed ${COQL_MAX_LIMIT}` : 'Invalid query formed';
        return sendError(reply, 400, zerr(err.code, message, err.details));
      }
      throw err;
    }
  });
}
