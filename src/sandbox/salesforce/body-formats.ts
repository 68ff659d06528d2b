import { boundaryOf, parseMultipart } from '../zoho/multipart';

/**
 * Request bodies Salesforce REST accepts besides JSON on sObject create and update:
 * - XML (`Content-Type: application/xml`): `<Account><Name>Acme</Name><Phone xsi:nil="true"/></Account>`,
 *   one element per field under a root element named after the object;
 * - multipart/form-data (the blob-insert form): a part named `entity_<object>` (or `entity_content`)
 *   holding the fields as JSON, next to the binary parts.
 * Both become the same field map the JSON body gives.
 */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENTITIES[e.toLowerCase()] ?? _m;
  });
}

/** The fields of a flat sObject XML document; throws with a parser message on malformed input. */
export function parseSObjectXml(text: string): Record<string, unknown> {
  const body = text.replace(/^\uFEFF/, '').replace(/<\?xml[^?]*\?>/, '').replace(/<!--[\s\S]*?-->/g, '').trim();
  const root = /^<([A-Za-z_][\w.-]*)(\s[^>]*)?>([\s\S]*)<\/\1\s*>$/.exec(body);
  if (!root) throw new Error('XML document must be one root element, e.g. <Account>...</Account>');
  const fields: Record<string, unknown> = {};
  const inner = root[3] ?? '';
  const element = /<([A-Za-z_][\w]*)(\s[^>]*?)?(\/>|>([^<]*)<\/\1\s*>)/g;
  let consumed = '';
  for (let m = element.exec(inner); m; m = element.exec(inner)) {
    consumed += m[0];
    const [, name, attrs = '', close, value] = m;
    fields[name as string] = close === '/>' || /xsi:nil\s*=\s*"true"/.test(attrs) ? null : decodeXmlText(value ?? '');
  }
  if (inner.replace(/\s+/g, '').length !== consumed.replace(/\s+/g, '').length) throw new Error('XML fields must be simple elements such as <Name>Acme</Name>');
  return fields;
}

/** The JSON field part of a multipart sObject body. */
export function parseSObjectMultipart(raw: Buffer, contentType: string | undefined): Record<string, unknown> {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw new Error('multipart body without a boundary');
  const parts = parseMultipart(raw, boundary);
  const name = Object.keys(parts).find((k) => /^entity_[\w]+$/i.test(k));
  if (!name) throw new Error('multipart body needs a part named entity_<object> holding the fields as JSON');
  const parsed = JSON.parse(parts[name] as string) as unknown;
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${name} must be a JSON object`);
  return parsed as Record<string, unknown>;
}

/** An XML answer when the caller asked for one (Accept: application/xml), as Salesforce does. */
export function wantsXml(accept: string | string[] | undefined): boolean {
  const value = Array.isArray(accept) ? accept.join(',') : (accept ?? '');
  return /\b(application|text)\/xml\b/i.test(value) && !/application\/json/i.test(value);
}

export function xmlCreateResult(id: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Result><id>${id}</id><success>true</success></Result>`;
}
