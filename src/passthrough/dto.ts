import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * OpenAPI shapes of pass-through (Merge's DataPassthroughRequest, MultipartFormFieldRequest,
 * RemoteResponse, AsyncPassthroughReciept). Validation is done by the service, which names the
 * exact field of every 400 (including the SSRF rules no decorator can express).
 */

export class MultipartFormFieldRequest {
  @ApiProperty({ description: 'The name of the form field.', example: 'file', minLength: 1 })
  name!: string;

  @ApiProperty({ description: 'The value of the field, encoded as `encoding` says.', example: 'aGVsbG8=' })
  data!: string;

  @ApiPropertyOptional({ description: 'How `data` is encoded. Default RAW.', enum: ['RAW', 'BASE64', 'GZIP_BASE64'], example: 'BASE64', nullable: true })
  encoding?: 'RAW' | 'BASE64' | 'GZIP_BASE64' | null;

  @ApiPropertyOptional({ description: 'The file name, when the field is a file.', example: 'notes.txt', nullable: true, type: String })
  file_name?: string | null;

  @ApiPropertyOptional({ description: 'The MIME type of the field, when the field is a file.', example: 'text/plain', nullable: true, type: String })
  content_type?: string | null;
}

export class DataPassthroughRequest {
  @ApiProperty({ description: 'HTTP method of the vendor request.', enum: ['GET', 'OPTIONS', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], example: 'GET' })
  method!: string;

  @ApiProperty({
    description:
      'Path relative to the vendor API base of the linked account (e.g. Salesforce `instance_url`), starting with "/", query string allowed. Absolute URLs, other hosts, `//host`, `.`/`..` segments, backslashes, control characters and their percent-encoded forms are rejected with 400.',
    example: '/services/data/v62.0/limits',
    minLength: 1,
    maxLength: 4096,
  })
  path!: string;

  @ApiPropertyOptional({
    description: "Another base URL for this request: only the vendor's own API hosts (https), or the emulator for sandbox accounts; anything else is a 400.",
    example: 'https://acme.my.salesforce.com',
    nullable: true,
    type: String,
  })
  base_url_override?: string | null;

  @ApiPropertyOptional({
    description: 'The request body: a string sent as is (JSON or XML text, per `request_format`); a JSON value is serialized. Not allowed with GET or HEAD.',
    example: '{"Name": "Acme"}',
    nullable: true,
    oneOf: [{ type: 'string' }, { type: 'object', additionalProperties: true }, { type: 'array', items: {} }],
  })
  data?: unknown;

  @ApiPropertyOptional({ description: 'Form fields when `request_format` is MULTIPART (instead of `data`).', type: [MultipartFormFieldRequest], nullable: true })
  multipart_form_data?: MultipartFormFieldRequest[] | null;

  @ApiPropertyOptional({
    description:
      'Extra request headers (e.g. Content-Type, Accept). Switchboard adds the linked account\'s credentials; headers that touch authentication, cookies, the account token, framing or routing (Authorization, Cookie, X-Account-Token, Host, X-Forwarded-*, ...) are rejected with 400.',
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    example: { 'Content-Type': 'application/json' },
    nullable: true,
  })
  headers?: Record<string, unknown> | null;

  @ApiPropertyOptional({ description: 'Format of `data`: JSON (default), XML, or MULTIPART with `multipart_form_data`.', enum: ['JSON', 'XML', 'MULTIPART'], example: 'JSON', nullable: true })
  request_format?: 'JSON' | 'XML' | 'MULTIPART' | null;

  @ApiPropertyOptional({ description: 'When true, `response` is always `{"type": T, "value": ...}` with T one of string, boolean, number, null, array, object.', example: false })
  normalize_response?: boolean;
}

export class RemoteResponse {
  @ApiProperty({ example: 'GET' })
  method!: string;

  @ApiProperty({ description: 'The path as requested.', example: '/services/data/v62.0/limits' })
  path!: string;

  @ApiProperty({ description: "The vendor's HTTP status (the pass-through itself answers 200).", example: 200 })
  status!: number;

  @ApiProperty({
    description: 'The vendor\'s answer: parsed JSON, text (XML, CSV, HTML...), null for HEAD or an empty body, or gzipped base64 for binary answers (`response_type` BASE64_GZIP).',
    nullable: true,
    example: { DailyApiRequests: { Max: 15000, Remaining: 14998 } },
  })
  response!: unknown;

  @ApiProperty({ description: "The vendor's response headers (lower-cased; Set-Cookie removed).", type: 'object', additionalProperties: { type: 'string' }, example: { 'content-type': 'application/json' } })
  response_headers!: Record<string, string>;

  @ApiProperty({ enum: ['JSON', 'BASE64_GZIP'], example: 'JSON' })
  response_type!: 'JSON' | 'BASE64_GZIP';

  @ApiProperty({ description: 'The request headers sent, credentials shown as <redacted>.', type: 'object', additionalProperties: { type: 'string' }, example: { accept: 'application/json', authorization: '<redacted>' } })
  headers!: Record<string, string>;
}

export class AsyncPassthroughReciept {
  @ApiProperty({ description: 'Poll GET /async-passthrough/{async_passthrough_receipt_id} with it (kept 24 hours).', format: 'uuid', example: '3fa85f64-5717-4562-b3fc-2c963f66afa6' })
  async_passthrough_receipt_id!: string;
}
