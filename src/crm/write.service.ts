import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { ApiError } from '../errors/api-error';
import { type RemoteRecord, type RemoteRef, VendorError, type WriteInput } from '../integrations/contract';
import { VendorConnections } from '../linked-accounts/connections';
import type { LinkedAccountRecord } from '../linked-accounts/linked-accounts.service';
import { type ModelName, MODELS } from '../models/spec';
import { IdentitiesService } from './identities.service';
import { parseUuid } from './list-query';
import { StoreWriter } from '../sync/store-writer';
import { CrmReadService } from './read.service';
import { StoredReadService } from './stored-read.service';
import { vendorErrorToApi } from './vendor-errors';
import { type Problem, problem, validateWriteBody } from './write-validation';

export interface WriteResult {
  status: number;
  body: Record<string, unknown>;
}

const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

function envelope(status: number, model: Record<string, unknown> | null, warnings: Problem[], errors: Problem[], code?: string): WriteResult {
  const body: Record<string, unknown> = { model, warnings, errors, logs: [] };
  if (errors.length) {
    // Also the generic error shape ({detail, code, errors[]}) so any client can read it.
    body.detail = errors.map((e) => e.detail).join(' ');
    body.code = code ?? 'INVALID_REQUEST';
  }
  return { status, body };
}

/** A vendor rejection as the write envelope: 400 (409 for duplicates) with the vendor's message. */
function vendorRejection(err: VendorError): WriteResult | null {
  const pointer = err.fields.length ? `/model/${err.fields[0]}` : '/model';
  const detail = err.vendorMessage;
  switch (err.kind) {
    case 'validation':
      return envelope(400, null, [], [problem(pointer, `${err.vendor} rejected the request (${err.vendorCode})`, detail, /required|missing/i.test(`${err.vendorCode} ${detail}`) ? 'MISSING_REQUIRED_FIELD' : 'PROVIDER_ERROR')], 'VENDOR_VALIDATION_ERROR');
    case 'duplicate':
      return envelope(409, null, [], [problem(pointer, `${err.vendor} reports a duplicate (${err.vendorCode})`, detail, 'DUPLICATE_MODEL_EXISTS')], 'DUPLICATE_MODEL_EXISTS');
    case 'auth':
      return envelope(400, null, [], [problem('/model', 'Credentials refresh failed', detail, 'CREDENTIAL_REFRESH_FAILED')], 'CREDENTIAL_REFRESH_FAILED');
    default:
      return null;
  }
}

/**
 * Writes go to the vendor (adapters), answering Merge's envelope {model, warnings, errors, logs}.
 * POST honours Idempotency-Key: the same key and body within 24 hours replays the first answer
 * without calling the vendor again; the same key with another body is a 409.
 */
@Injectable()
export class CrmWriteService {
  private readonly logger = new Logger('CrmWrites');

  constructor(
    private readonly prisma: PrismaService,
    private readonly connections: VendorConnections,
    private readonly identities: IdentitiesService,
    private readonly reads: CrmReadService,
    private readonly store: StoreWriter,
    private readonly stored: StoredReadService,
  ) {}

  /**
   * Read-your-writes: a stored-mode account's record goes into the store as soon as the vendor
   * accepted it, so the next stored read shows it. Answers the stored wire form (the one stored
   * reads return), or null for live-mode accounts or when the store write failed (the vendor write
   * stands; the next sync brings the copy up to date).
   */
  private async storeWritten(account: LinkedAccountRecord, model: ModelName, record: RemoteRecord, includeRemoteFields: boolean): Promise<Record<string, unknown> | null> {
    if (account.readMode === 'live') return null;
    try {
      await this.store.writePage(account, model, [record], { emitEvents: true });
      const id = await this.identities.idFor(account.id, model, record.remoteId);
      return (await this.stored.getByIds(account, model, [id], { includeRemoteFields })).get(id) ?? null;
    } catch (err) {
      this.logger.warn(`store write after a ${model} write failed for linked account ${account.id}: ${(err as Error).message}`);
      return null;
    }
  }

  private writable(account: LinkedAccountRecord, model: ModelName) {
    const adapter = this.reads.adapter(account, model);
    if (!MODELS[model].writable || !adapter.writableModels.includes(model)) {
      throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${model} is read-only for ${adapter.displayName}.`);
    }
    return adapter;
  }

  async create(account: LinkedAccountRecord, model: ModelName, body: unknown, idempotencyKey?: string): Promise<WriteResult> {
    this.writable(account, model);
    if (!idempotencyKey) return this.doCreate(account, model, body);
    if (idempotencyKey.length > 255) throw ApiError.invalidField('/headers/idempotency-key', 'must be at most 255 characters');
    const requestHash = createHash('sha256').update(`POST ${model} ${JSON.stringify(body)}`).digest('hex');
    const where = { linkedAccountId_key: { linkedAccountId: account.id, key: idempotencyKey } };
    const existing = await this.prisma.idempotencyRecord.findUnique({ where });
    if (existing && existing.createdAt.getTime() < Date.now() - IDEMPOTENCY_TTL_MS) await this.prisma.idempotencyRecord.delete({ where });
    else if (existing) return this.replay(existing, requestHash);
    try {
      await this.prisma.idempotencyRecord.create({ data: { linkedAccountId: account.id, key: idempotencyKey, requestHash } });
    } catch (err) {
      if ((err as { code?: string }).code !== 'P2002') throw err;
      const raced = await this.prisma.idempotencyRecord.findUnique({ where });
      if (raced) return this.replay(raced, requestHash);
      throw err;
    }
    let result: WriteResult;
    try {
      result = await this.doCreate(account, model, body);
    } catch (err) {
      // Nothing definite happened at the vendor that we know of: free the key for a retry.
      await this.prisma.idempotencyRecord.delete({ where }).catch(() => undefined);
      throw err;
    }
    if (result.status >= 500) await this.prisma.idempotencyRecord.delete({ where }).catch(() => undefined);
    else await this.prisma.idempotencyRecord.update({ where, data: { responseStatus: result.status, responseBody: result.body as object } });
    return result;
  }

  private replay(record: { requestHash: string; responseStatus: number | null; responseBody: unknown }, requestHash: string): WriteResult {
    if (record.requestHash !== requestHash) {
      throw new ApiError(409, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request body.', [
        { source: { pointer: '/headers/idempotency-key' }, detail: 'reused with another body' },
      ]);
    }
    if (record.responseStatus === null) {
      throw new ApiError(409, 'IDEMPOTENT_REQUEST_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed; retry shortly.', [], { 'retry-after': '1' });
    }
    return { status: record.responseStatus, body: record.responseBody as Record<string, unknown> };
  }

  private async doCreate(account: LinkedAccountRecord, model: ModelName, body: unknown): Promise<WriteResult> {
    const adapter = this.writable(account, model);
    const prepared = await this.prepare(account, model, body, 'create');
    if ('status' in prepared) return prepared;
    const conn = this.connections.forAccount(account);
    try {
      const created = await adapter.create(conn, model, prepared.input);
      const includeRemoteFields = prepared.input.remoteFields.length > 0;
      const wire = (await this.storeWritten(account, model, created, includeRemoteFields)) ?? (await this.reads.serializeMany(account, conn, adapter, [created], [], { includeRemoteData: false, includeRemoteFields }))[0];
      return envelope(201, wire, prepared.warnings, []);
    } catch (err) {
      return this.vendorFailure(err);
    }
  }

  async update(account: LinkedAccountRecord, model: ModelName, id: string, body: unknown): Promise<WriteResult> {
    const adapter = this.writable(account, model);
    const remoteId = await this.remoteIdOrThrow(account, model, id);
    const prepared = await this.prepare(account, model, body, 'update');
    if ('status' in prepared) return prepared;
    const conn = this.connections.forAccount(account);
    try {
      const updated = await adapter.update(conn, model, remoteId, prepared.input);
      const includeRemoteFields = prepared.input.remoteFields.length > 0;
      const wire = (await this.storeWritten(account, model, updated, includeRemoteFields)) ?? (await this.reads.serializeMany(account, conn, adapter, [updated], [], { includeRemoteData: false, includeRemoteFields }))[0];
      return envelope(200, wire, prepared.warnings, []);
    } catch (err) {
      return this.vendorFailure(err);
    }
  }

  async delete(account: LinkedAccountRecord, model: ModelName, id: string): Promise<void> {
    const adapter = this.writable(account, model);
    const remoteId = await this.remoteIdOrThrow(account, model, id);
    try {
      await adapter.delete(this.connections.forAccount(account), model, remoteId);
    } catch (err) {
      if (err instanceof VendorError && err.kind === 'not_found') throw ApiError.notFound(`No ${model} with id ${id} in this linked account (the CRM no longer has it).`);
      const rejected = err instanceof VendorError ? vendorRejection(err) : null;
      if (rejected) throw new ApiError(rejected.status, String(rejected.body.code), String(rejected.body.detail), (rejected.body.errors as Problem[]).map((p) => ({ source: p.source, detail: p.detail })));
      throw vendorErrorToApi(err);
    }
    if (account.readMode !== 'live') {
      await this.store.markDeleted(account, model, [remoteId], { emitEvents: true }).catch((err: Error) => this.logger.warn(`store delete after a ${model} delete failed for linked account ${account.id}: ${err.message}`));
    }
  }

  private async remoteIdOrThrow(account: LinkedAccountRecord, model: ModelName, id: string): Promise<string> {
    const uuid = parseUuid(id, '/path/id');
    const remoteId = await this.identities.remoteIdFor(account.id, model, uuid);
    if (!remoteId) throw ApiError.notFound(`No ${model} with id ${uuid} in this linked account.`);
    return remoteId;
  }

  private vendorFailure(err: unknown): WriteResult {
    if (err instanceof VendorError) {
      const rejected = vendorRejection(err);
      if (rejected) return rejected;
      if (err.kind === 'not_found') throw ApiError.notFound(`${err.vendor}: ${err.vendorMessage}`);
    }
    throw vendorErrorToApi(err);
  }

  /** Validates the body, resolves relation ids to vendor ids, checks required fields. */
  private async prepare(account: LinkedAccountRecord, model: ModelName, body: unknown, op: 'create' | 'update'): Promise<{ input: WriteInput; warnings: Problem[] } | WriteResult> {
    const v = validateWriteBody(model, body);
    if (v.errors.length) return envelope(400, null, v.warnings, v.errors, 'INVALID_PARAMETER');
    for (const rel of v.relations) {
      const map = await this.identities.remoteIdsFor(account.id, rel.target, rel.ids);
      const missing = rel.ids.filter((id) => !map.has(id));
      if (missing.length) {
        v.errors.push(problem(`/model/${rel.field}`, 'Unknown related record', `No ${rel.target} with id ${missing.join(', ')} in this linked account.`, 'INCORRECT_FIELD_TYPE'));
        continue;
      }
      const refs: RemoteRef[] = rel.ids.map((id) => ({ model: rel.target, remoteId: map.get(id) as string }));
      v.fields[rel.field] = rel.list ? refs : refs[0];
    }
    if (op === 'create') {
      const adapter = this.reads.adapter(account, model);
      for (const { field, required } of adapter.writableFields(model, 'create')) {
        const value = v.fields[field];
        if (required && (value === undefined || value === null || value === '')) {
          v.errors.push(problem(`/model/${field}`, 'Missing required field', `${field} is required by ${adapter.displayName} to create a ${model}.`, 'MISSING_REQUIRED_FIELD'));
        }
      }
    }
    if (v.errors.length) return envelope(400, null, v.warnings, v.errors, 'INVALID_PARAMETER');
    return { input: { fields: v.fields, remoteFields: v.remoteFields }, warnings: v.warnings };
  }
}
