import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { ApiError } from '../errors/api-error';

/**
 * Builds the outbound body of a pass-through from Merge's request fields: `data` (a string, or
 * JSON for convenience) with `request_format` JSON or XML, or `multipart_form_data` items
 * `{name, data, encoding: RAW | BASE64 | GZIP_BASE64, file_name, content_type}` for MULTIPART.
 */

export type RequestFormat = 'JSON' | 'XML' | 'MULTIPART';

export interface MultipartField {
  name: string;
  data: string;
  encoding?: string | null;
  file_name?: string | null;
  content_type?: string | null;
}

export interface BuiltBody {
  body?: string | Uint8Array;
  /** The content type to send unless the caller named one (multipart: always ours, it carries the boundary). */
  contentType?: string;
  /** Multipart bodies must use our boundary whatever the caller's Content-Type says. */
  forceContentType?: boolean;
}

// eslint-disable-next-line no-control-regex
const UNSAFE_PARAM = /["\\\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const UNSAFE_HEADER_VALUE = /[\u0000-\u001f\u007f]/;

export function buildRequestBody(
  input: { method: string; data?: unknown; request_format?: RequestFormat | null; multipart_form_data?: MultipartField[] | null },
  maxBytes: number,
): BuiltBody {
  const format = input.request_format ?? undefined;
  const hasData = input.data !== undefined && input.data !== null;
  const hasMultipart = Array.isArray(input.multipart_form_data) && input.multipart_form_data.length > 0;
  if ((hasData || hasMultipart) && (input.method === 'GET' || input.method === 'HEAD')) {
    throw ApiError.invalidField(hasData ? '/body/data' : '/body/multipart_form_data', `a ${input.method} request cannot carry a body`);
  }
  if (format === 'MULTIPART') {
    if (hasData) throw ApiError.invalidField('/body/data', 'use multipart_form_data (not data) when request_format is MULTIPART');
    if (!hasMultipart) throw ApiError.invalidField('/body/multipart_form_data', 'required when request_format is MULTIPART');
    return buildMultipart(input.multipart_form_data as MultipartField[], maxBytes);
  }
  if (hasMultipart) throw ApiError.invalidField('/body/request_format', 'must be MULTIPART when multipart_form_data is given');
  if (!hasData) return {};
  if (format === 'XML') {
    if (typeof input.data !== 'string') throw ApiError.invalidField('/body/data', 'must be the XML document as a string when request_format is XML');
    return { body: input.data, contentType: 'application/xml' };
  }
  // JSON (or unspecified): a string is sent as is, any other JSON value is serialized.
  const body = typeof input.data === 'string' ? input.data : JSON.stringify(input.data);
  return { body, contentType: 'application/json' };
}

function buildMultipart(fields: MultipartField[], maxBytes: number): BuiltBody {
  if (fields.length > 100) throw ApiError.invalidField('/body/multipart_form_data', 'at most 100 fields');
  const boundary = `----switchboard${randomBytes(16).toString('hex')}`;
  const parts: Buffer[] = [];
  let size = 0;
  fields.forEach((field, i) => {
    const at = `/body/multipart_form_data/${i}`;
    if (!field || typeof field !== 'object') throw ApiError.invalidField(at, 'must be an object {name, data, encoding?, file_name?, content_type?}');
    if (typeof field.name !== 'string' || !field.name || UNSAFE_PARAM.test(field.name)) throw ApiError.invalidField(`${at}/name`, 'must be a non-empty string without quotes, backslashes or control characters');
    if (typeof field.data !== 'string') throw ApiError.invalidField(`${at}/data`, 'must be a string');
    if (field.file_name != null && (typeof field.file_name !== 'string' || UNSAFE_PARAM.test(field.file_name))) {
      throw ApiError.invalidField(`${at}/file_name`, 'must be a string without quotes, backslashes or control characters');
    }
    if (field.content_type != null && (typeof field.content_type !== 'string' || !/^[\w.+-]+\/[\w.+-]+(\s*;[^;]+)*$/.test(field.content_type) || UNSAFE_HEADER_VALUE.test(field.content_type))) {
      throw ApiError.invalidField(`${at}/content_type`, 'must be a MIME type such as text/plain or application/pdf');
    }
    const bytes = decodeField(field, `${at}`, maxBytes - size);
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${field.name}"`;
    if (field.file_name) head += `; filename="${field.file_name}"`;
    head += '\r\n';
    if (field.content_type) head += `Content-Type: ${field.content_type}\r\n`;
    head += '\r\n';
    const part = Buffer.concat([Buffer.from(head, 'utf8'), bytes, Buffer.from('\r\n')]);
    size += part.length;
    if (size > maxBytes) throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `The multipart body is larger than ${maxBytes} bytes.`, [{ source: { pointer: at }, detail: 'too large' }]);
    parts.push(part);
  });
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}`, forceContentType: true };
}

function decodeField(field: MultipartField, at: string, budget: number): Buffer {
  const encoding = (field.encoding ?? 'RAW').toUpperCase();
  if (encoding === 'RAW') return Buffer.from(field.data, 'utf8');
  if (encoding !== 'BASE64' && encoding !== 'GZIP_BASE64') throw ApiError.invalidField(`${at}/encoding`, 'must be RAW, BASE64 or GZIP_BASE64');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(field.data.replace(/\s+/g, ''))) throw ApiError.invalidField(`${at}/data`, `is not valid base64 (encoding ${encoding})`);
  const raw = Buffer.from(field.data, 'base64');
  if (encoding === 'BASE64') return raw;
  try {
    // Bounded: a small gzip bomb must not expand past what we would send anyway.
    return gunzipSync(raw, { maxOutputLength: Math.max(1, budget) });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ApiError(413, 'PAYLOAD_TOO_LARGE', 'A GZIP_BASE64 multipart field expands past the body size limit.', [{ source: { pointer: `${at}/data` }, detail: 'too large once decompressed' }]);
    }
    throw ApiError.invalidField(`${at}/data`, 'is not gzip data in base64 (encoding GZIP_BASE64)');
  }
}
