import type { z } from 'zod';
import type { AppConfig } from '../config/config';
import type { ModelName, SubObjectKind } from '../models/spec';
import type { VendorSlug } from './registry';

export type { VendorSlug };

/**
 * What every CRM vendor integration provides. A vendor is one folder under src/integrations/
 * (auth settings, API client use, mappers for each model, webhook parsing) plus one line in
 * registry.ts; everything outside that folder speaks only the common model below.
 */

/** A related record, by the vendor's id. The API layer turns it into our stable UUID. */
export interface RemoteRef {
  model: ModelName;
  remoteId: string;
}

export interface Address {
  street_1: string | null;
  street_2: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  /** ISO 3166 alpha-2 when the vendor value maps, else the vendor's value. */
  country: string | null;
  address_type: string | null;
}
export interface EmailAddress {
  email_address: string;
  email_address_type: string | null;
}
export interface PhoneNumber {
  phone_number: string;
  phone_number_type: string | null;
}

/** Values of common-model fields: scalars, ISO 8601 strings for datetimes, refs for relations. */
export type CommonValue = string | number | boolean | null | RemoteRef | RemoteRef[] | Address[] | EmailAddress[] | PhoneNumber[];

export interface RemoteFieldClassRef {
  /** The vendor's field API name, e.g. "Tier__c", "loyalty_score", "Loyalty_Score". */
  name: string;
  display_name: string;
  description: string | null;
  /** string | number | boolean | date | datetime | list | object | enum */
  field_type: string;
  is_custom: boolean;
  is_required: boolean;
  field_choices: string[];
}

export interface RemoteFieldValue {
  remote_field_class: RemoteFieldClassRef;
  value: unknown;
}

/** One vendor record mapped to the common model. */
export interface RemoteRecord {
  model: ModelName;
  remoteId: string;
  /** Common fields by their wire name (see models/spec.ts); absent means "not provided by this vendor" (null on the wire). */
  fields: Record<string, CommonValue>;
  /** The vendor's last-modified time of this record (ISO 8601), for modified filters and sync high-water marks. */
  remoteUpdatedAt: string | null;
  remoteCreatedAt: string | null;
  remoteWasDeleted: boolean;
  /** The raw vendor record(s): [{path, data}] with path the vendor API path it came from. */
  remoteData: { path: string; data: unknown }[];
  /** Custom and unmapped vendor fields. */
  remoteFields: RemoteFieldValue[];
}

/** Filters of a list, already translated to vendor ids (relations) and parsed values. */
export interface ListFilters {
  /** Compare with the vendor's created time. */
  createdAfter?: Date;
  createdBefore?: Date;
  /** Compare with the vendor's modified time. */
  modifiedAfter?: Date;
  modifiedBefore?: Date;
  remoteId?: string;
  includeDeleted?: boolean;
  /** Relation filters: common field name -> the vendor id it must equal (e.g. account -> "001..."). */
  relations?: Record<string, string>;
  /** Exact or contains string filters on common fields, e.g. { name: "Acme" } (accounts: contains). */
  strings?: Record<string, string>;
  /** email_addresses / phone_numbers contain this value. */
  email?: string;
  phone?: string;
  /** Enum filters, e.g. { status: "WON" }. */
  enums?: Record<string, string>;
  /** Datetime filters on common fields: { start_time: { gt?: Date, lt?: Date } }. */
  datetimes?: Record<string, { gt?: Date; lt?: Date }>;
}

/** The vendor's paging position, JSON-serializable, opaque to everything but the adapter. */
export type VendorPageState = Record<string, string | number | boolean | null>;

export interface ListQuery {
  /** 1..100 (up to the adapter's syncPageSize for sync walks); the adapter returns at most this many records and at least one if more exist. */
  pageSize: number;
  /** null for the first page. */
  state: VendorPageState | null;
  filters: ListFilters;
  /**
   * Which vendor fields to fetch. 'full' (default): every field, so remoteData and remoteFields are
   * complete. 'mapped': only what the common model needs (ids, timestamps, relations, mapped
   * fields), for responses that show neither remote_data nor remote_fields; remoteData then holds
   * only that subset and remoteFields is empty. Common fields are the same either way.
   */
  projection?: Projection;
}

export type Projection = 'mapped' | 'full';

/** Options of reads by id (get, getMany); see ListQuery.projection. */
export interface ReadOptions {
  projection?: Projection;
}

export interface ListPage {
  records: RemoteRecord[];
  /** null on the last page. */
  nextState: VendorPageState | null;
}

/** A create or update in the common model. Relations are vendor ids (RemoteRef). */
export interface WriteInput {
  fields: Record<string, CommonValue>;
  remoteFields: { remote_field_class: string; value: unknown }[];
}

/** A vendor's answer that is not success. */
export class VendorError extends Error {
  constructor(
    readonly vendor: VendorSlug,
    /** HTTP status the vendor answered (0 when none: network error). */
    readonly status: number,
    /** The vendor's own error code, e.g. REQUIRED_FIELD_MISSING, VALIDATION_ERROR, INVALID_DATA. */
    readonly vendorCode: string,
    /** The vendor's own message, passed to the caller as is. */
    readonly vendorMessage: string,
    readonly kind: 'validation' | 'duplicate' | 'not_found' | 'auth' | 'rate_limited' | 'unavailable' | 'timeout' | 'other',
    /** Common-model (or vendor) field names the error is about, when the vendor says. */
    readonly fields: string[] = [],
    /** Seconds the vendor asked us to wait (rate limits). */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${vendor} ${status} ${vendorCode}: ${vendorMessage}`);
    this.name = 'VendorError';
  }
}

export interface VendorRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE' | 'HEAD' | 'OPTIONS';
  /** Path relative to the account's API base URL, starting with "/". */
  path: string;
  query?: Record<string, string | number | boolean | undefined | (string | number)[]>;
  /** JSON body (serialized by the client) or a raw string. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Safe to retry after a network error or 5xx (GETs are; creates are not unless idempotent at the vendor). */
  idempotent?: boolean;
  timeoutMs?: number;
  /** false: a timeout is final, not retried even when idempotent (pass-through answers 408 instead of waiting several timeouts). */
  retryTimeouts?: boolean;
  /**
   * Largest response body accepted, in bytes: reading stops as soon as it is passed and the request
   * fails with VendorError code RESPONSE_TOO_LARGE (not retried). Unset: no limit.
   */
  maxResponseBytes?: number;
  /** Also return the raw body bytes (VendorResponse.bytes), e.g. for binary answers. */
  keepBytes?: boolean;
  /** false: a 3xx is returned as is instead of followed (pass-through must never be redirected off the vendor's host). */
  followRedirects?: boolean;
}

export interface VendorResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  body: T;
  /** The body as received, when the request asked for keepBytes. */
  bytes?: Uint8Array;
}

/** A linked account's authenticated channel to its vendor (token injection, refresh, retries, limits). */
export interface VendorConnection {
  readonly vendor: VendorSlug;
  readonly linkedAccountId: string;
  /** e.g. https://acme.my.salesforce.com, https://www.zohoapis.eu, https://api.hubapi.com */
  readonly apiBaseUrl: string;
  /** Sends the request; non-2xx answers are returned (not thrown) so adapters can map them. */
  request<T = unknown>(req: VendorRequest): Promise<VendorResponse<T>>;
}

/** What a token endpoint answered (authorization_code or refresh_token grant), in common terms. */
export interface ParsedTokenSet {
  accessToken: string;
  /** Absent when the vendor did not send one (keep the old one). */
  refreshToken?: string | null;
  /** Seconds until the access token expires; null when the vendor does not say (Salesforce). */
  expiresInSeconds?: number | null;
  /** API base for this account when the answer names it (Salesforce instance_url, Zoho api_domain). */
  apiBaseUrl?: string;
  scopes?: string;
  /** The vendor account id when the answer reveals it (Salesforce org id from `id`, HubSpot hub_id). */
  remoteAccountId?: string;
  /**
   * The login/accounts host to use for this account's later refreshes and revocation, when the
   * callback named one (Zoho's `accounts-server` of the user's data centre). Store it and pass it
   * back as `endpoints({ authBaseUrl })`; absent means keep the stored one (or the default).
   */
  authBaseUrl?: string;
}

export interface TokenEndpointError {
  error: string;
  description: string;
  /** The refresh token (or code) is dead for good: the account must be re-linked. */
  invalidGrant: boolean;
}

export interface VendorEndpoints {
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl?: string;
  /** Default API base before the token answer names one (HubSpot: always this). */
  apiBaseUrl?: string;
}

/**
 * One rolling request window of a vendor, read from an answer: at most `limit` requests in any
 * `windowMs`, of which `remaining` were left when the vendor counted this request.
 */
export interface RateWindowHint {
  name: string;
  limit: number;
  remaining: number;
  windowMs: number;
}

/** How a vendor is reached and authorized (used by hosted linking, refresh and the HTTP client). */
export interface VendorAuthSettings {
  /**
   * The real vendor's endpoints, or the built-in emulator's when `sandboxBaseUrl` is given
   * (e.g. http://localhost:3000/sandbox/hubspot). `authBaseUrl` overrides the login/accounts host
   * (Salesforce test.salesforce.com or My Domain, Zoho's accounts-server of the user's data centre).
   */
  endpoints(options: { sandboxBaseUrl?: string; authBaseUrl?: string }): VendorEndpoints;
  defaultScopes: string[];
  /** How scopes are joined in the authorize URL. */
  scopeSeparator: ' ' | ',';
  supportsPkce: boolean;
  /** Extra authorize parameters, e.g. Zoho access_type=offline&prompt=consent. */
  extraAuthorizeParams?: Record<string, string>;
  /** The Authorization header value for an access token. */
  authorizationHeader(accessToken: string): string;
  /** Parses the token endpoint's answer; `callbackParams` are the OAuth callback's query (Zoho accounts-server). */
  parseTokenResponse(status: number, body: unknown, context: { callbackParams?: Record<string, string> }): ParsedTokenSet | TokenEndpointError;
  /** Who the fresh token belongs to: the vendor account id (re-link detection) and a display name. */
  identify(conn: VendorConnection, tokens: ParsedTokenSet): Promise<{ remoteAccountId: string; displayName?: string }>;
  /** How long to wait before retrying a rate-limited or failed answer, from the vendor's own headers. */
  retryDelayMs?(res: VendorResponse): number | undefined;
  /**
   * After a successful answer: how long the account's next request must wait because the vendor's
   * rate-limit headers say the current budget is spent (undefined: go on). Keeps syncs under limits.
   */
  budgetDelayMs?(res: VendorResponse): number | undefined;
  /**
   * The vendor's short rolling request windows as an answer's headers report them (HubSpot's 10-second
   * and secondly limits). The HTTP client paces each account against them (see RateWindowHint).
   */
  rateWindows?(res: VendorResponse): RateWindowHint[];
  /**
   * The authorization server that issued the code, when the OAuth callback names it (Zoho's
   * `accounts-server` of the user's data centre): the code exchange and later refreshes go there.
   * Must answer only the vendor's own hosts (the callback query is attacker-controllable);
   * undefined: the default host. Not consulted for the built-in emulators.
   */
  authBaseUrlFromCallback?(callbackParams: Record<string, string>): string | undefined;
  /**
   * Login-host choices the hosted Link page offers (e.g. Salesforce production orgs at
   * login.salesforce.com, sandbox orgs at test.salesforce.com); `key` is what the link-token
   * parameter `login_environment` names. Absent: one login host. Not used for the emulators.
   */
  loginOptions?: { key: string; label: string; authBaseUrl: string }[];
  /**
   * True when `url` is one of the vendor's own API hosts (https, no credentials in the URL): the
   * only bases a pass-through `base_url_override` may name for a real (non-sandbox) account.
   */
  isOwnApiHost?(url: URL): boolean;
}

/** A vendor notification as it reached the public route (verification needs the exact bytes). */
export interface IncomingVendorRequest {
  method: string;
  /** The full URL the vendor called: PUBLIC_URL + path + query (HubSpot signs it). */
  url: string;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
}

/** One change a notification reports, in common terms. */
export interface VendorWebhookChange {
  /** The vendor account it happened in (matches linked_accounts.remote_account_id). */
  remoteAccountId: string;
  /** Common models to re-sync (a Salesforce Task backs both Task and Engagement). */
  models: ModelName[];
  remoteIds: string[];
  kind: 'added' | 'changed' | 'deleted' | 'unknown';
}

export type WebhookVerdict = { ok: true } | { ok: false; reason: string };

/** What a vendor's webhook secret may be chosen from, besides the configuration (VendorWebhooks.secret). */
export interface WebhookSecretContext {
  /** The vendor is served by the built-in emulator: it is mounted and no client credentials are configured. */
  sandbox: boolean;
  /** The OAuth client secret this server uses with the vendor (configured, or the emulator's); undefined when neither. */
  clientSecret(): string | undefined;
  /**
   * A stable secret derived from the server's encryption key and `label` (HMAC-SHA256, base64url,
   * 43 characters), for emulator secrets nobody configures.
   */
  derive(label: string): string;
}

/** Incoming vendor notifications: verification and parsing, vendor by vendor. */
export interface VendorWebhooks {
  /**
   * The vendor app's webhook secret (HubSpot client secret, Zoho channel token secret) that verify
   * and subscribe are given: configured, or the emulator's own when `context.sandbox`; undefined
   * when there is none. Absent: the vendor's notifications carry no secret (Salesforce).
   */
  secret?(config: AppConfig, context: WebhookSecretContext): string | undefined;
  /** Authenticity of a request. `secret` is what `secret()` chose; undefined when none is configured. */
  verify(req: IncomingVendorRequest, secret: string | undefined, nowMs: number): WebhookVerdict;
  /** The changes a verified request reports; throws an Error naming what is malformed. */
  parse(req: IncomingVendorRequest): VendorWebhookChange[];
  /**
   * True when the request carries no signature (Salesforce outbound messages): only a vendor
   * account that is linked on this server makes it acceptable.
   */
  readonly unsigned?: boolean;
  /** The success answer the vendor expects (Salesforce: the SOAP Ack); default 200 JSON. */
  acknowledgement?(): { contentType: string; body: string };
  /**
   * Registers (or renews) this account's notifications at the vendor, for vendors subscribed per
   * account through their API (Zoho channels); absent where the subscription is app-wide (HubSpot)
   * or set up by the vendor's admin (Salesforce). Resolves with when it lapses.
   */
  subscribe?(conn: VendorConnection, options: { notifyUrl: string; secret: string; remoteAccountId: string }): Promise<{ expiresAt: Date }>;
}

/** One environment variable a vendor reads; the README's configuration table lists it under `name`. */
export interface VendorVariable {
  /** Upper-case variable name, e.g. HUBSPOT_CLIENT_ID (kept stable: deployments set it). */
  name: string;
  /** What it means; its first sentence also names the variable in configuration errors. */
  doc: string;
}

/** A vendor's settings beyond its OAuth client, validated at boot like every other variable. */
export interface VendorSettingVariable extends VendorVariable {
  /** Schema of the value; unset or empty reaches it as undefined (so it must accept undefined). */
  schema: z.ZodType<string | undefined, unknown>;
}

/**
 * How a vendor is configured from the environment (src/config reads every registered vendor's):
 * its OAuth client, both variables or neither (neither: the sandbox emulator serves it), and any
 * further settings, which reach the vendor as `AppConfig.vendorSettings[vendor][name]`.
 */
export interface VendorConfiguration {
  clientId: VendorVariable;
  clientSecret: VendorVariable;
  settings?: readonly VendorSettingVariable[];
}

export interface CrmAdapter {
  readonly vendor: VendorSlug;
  readonly displayName: string;
  readonly auth: VendorAuthSettings;
  /** The vendor's environment variables (client id and secret, further settings). */
  readonly configuration: VendorConfiguration;
  /** Models this vendor can list (all ten for the three vendors). */
  readonly models: readonly ModelName[];
  /** Models this vendor can create/update/delete. */
  readonly writableModels: readonly ModelName[];
  /**
   * The vendor's largest page for full walks (sync): list() accepts pageSize up to this (100 when
   * absent). Salesforce 2000, HubSpot 100 (object lists; search pages hold 200), Zoho 200.
   */
  readonly syncPageSize?: number;

  list(conn: VendorConnection, model: ModelName, query: ListQuery): Promise<ListPage>;
  /** null when the vendor has no such record (or it is deleted and includeDeleted is false). */
  get(conn: VendorConnection, model: ModelName, remoteId: string, options?: ReadOptions): Promise<RemoteRecord | null>;
  /** Batch read for expand and id resolution; missing ids are simply absent from the result. */
  getMany(conn: VendorConnection, model: ModelName, remoteIds: string[], options?: ReadOptions): Promise<RemoteRecord[]>;
  create(conn: VendorConnection, model: ModelName, input: WriteInput): Promise<RemoteRecord>;
  update(conn: VendorConnection, model: ModelName, remoteId: string, input: WriteInput): Promise<RemoteRecord>;
  delete(conn: VendorConnection, model: ModelName, remoteId: string): Promise<void>;
  /** The vendor's fields for a model (custom ones included), for remote-field-classes and meta. */
  remoteFieldClasses(conn: VendorConnection, model: ModelName): Promise<RemoteFieldClassRef[]>;
  /** Common fields this vendor accepts on create / update of a model (for meta/post and meta/patch). */
  writableFields(model: ModelName, op: 'create' | 'update'): { field: string; required: boolean }[];
  /** Incoming vendor notifications (webhooks, outbound messages), when the vendor sends them. */
  readonly webhooks?: VendorWebhooks;
}

export type SubObjectValue = Address | EmailAddress | PhoneNumber;
export type { SubObjectKind };
