import type { ModelName } from '../../models/spec';
import type { IncomingVendorRequest, VendorWebhookChange, VendorWebhooks, WebhookVerdict } from '../contract';
import { to18 } from './auth';

/**
 * Salesforce Outbound Messages (vendor reference A7): a SOAP 1.1 `notifications` envelope with
 * OrganizationId and up to 100 Notification {Id, sObject}. Unsigned: the message is accepted only
 * for an org linked on this server (the caller checks), and answered with the SOAP Ack, otherwise
 * Salesforce keeps retrying. No XML library is a direct dependency, so the fixed envelope shape is
 * read with the small parser below (elements, attributes, text, entities, CDATA; no DTDs).
 */

export interface XmlElement {
  /** Local name, namespace prefix removed. */
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? m;
  });
}

const localName = (qname: string) => qname.slice(qname.indexOf(':') + 1);

/** Parses a well-formed XML document into elements; throws on anything it cannot read. */
export function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: { el: XmlElement; qname: string }[] = [{ el: root, qname: '' }];
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt === -1 ? xml.length : lt;
    if (textEnd > i) stack[stack.length - 1]!.el.text += decode(xml.slice(i, textEnd));
    if (lt === -1) break;
    if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt);
      if (end === -1) throw new Error('unterminated processing instruction');
      i = end + 2;
    } else if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt);
      if (end === -1) throw new Error('unterminated comment');
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt);
      if (end === -1) throw new Error('unterminated CDATA');
      stack[stack.length - 1]!.el.text += xml.slice(lt + 9, end);
      i = end + 3;
    } else if (xml.startsWith('<!', lt)) {
      throw new Error('DTDs are not accepted');
    } else if (xml.startsWith('</', lt)) {
      const end = xml.indexOf('>', lt);
      if (end === -1) throw new Error('unterminated end tag');
      const qname = xml.slice(lt + 2, end).trim();
      const top = stack.pop();
      if (!top || stack.length === 0 || top.qname !== qname) throw new Error(`unexpected </${qname}>`);
      i = end + 1;
    } else {
      const m = /^<([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(xml.slice(lt, lt + 4096));
      if (!m) throw new Error(`malformed tag at offset ${lt}`);
      const attrs: Record<string, string> = {};
      for (const a of m[2]!.matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[a[1]!] = decode(a[2] ?? a[3] ?? '');
      const el: XmlElement = { name: localName(m[1]!), attrs, children: [], text: '' };
      stack[stack.length - 1]!.el.children.push(el);
      if (!m[3]) stack.push({ el, qname: m[1]! });
      i = lt + m[0].length;
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]!.qname}>`);
  return root;
}

const child = (el: XmlElement | undefined, name: string) => el?.children.find((c) => c.name === name);

/** sObject types (xsi:type="sf:Contact") -> the common models they back. */
const OBJECT_MODELS: Record<string, ModelName[]> = {
  Account: ['Account'],
  Contact: ['Contact'],
  Lead: ['Lead'],
  Opportunity: ['Opportunity'],
  Note: ['Note'],
  Task: ['Task', 'Engagement'],
  Event: ['Engagement'],
  User: ['User'],
};

function parse(req: IncomingVendorRequest): VendorWebhookChange[] {
  let doc: XmlElement;
  try {
    doc = parseXml(req.rawBody.toString('utf8'));
  } catch (err) {
    throw new Error(`body: not a SOAP message (${(err as Error).message})`, { cause: err });
  }
  const envelope = child(doc, 'Envelope');
  const notifications = child(child(envelope, 'Body'), 'notifications');
  if (!notifications) throw new Error('body: expected soapenv:Envelope/soapenv:Body/notifications');
  const orgId = child(notifications, 'OrganizationId')?.text.trim();
  if (!orgId || !/^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/.test(orgId)) throw new Error('OrganizationId: required (a Salesforce id)');
  const byObject = new Map<string, string[]>();
  for (const n of notifications.children.filter((c) => c.name === 'Notification')) {
    const sobject = child(n, 'sObject');
    if (!sobject) throw new Error('Notification.sObject: required');
    const type = localName(sobject.attrs['xsi:type'] ?? Object.entries(sobject.attrs).find(([k]) => localName(k) === 'type')?.[1] ?? '');
    const id = child(sobject, 'Id')?.text.trim();
    if (!type || !id) throw new Error('Notification.sObject: xsi:type and Id are required');
    const ids = byObject.get(type) ?? [];
    ids.push(id);
    byObject.set(type, ids);
  }
  const out: VendorWebhookChange[] = [];
  for (const [type, ids] of byObject) {
    const models = OBJECT_MODELS[type];
    // Outbound messages fire on create and update alike (never on delete).
    if (models) out.push({ remoteAccountId: to18(orgId), models, remoteIds: ids, kind: 'changed' });
  }
  // A message about objects we do not model still names the org: the caller checks it.
  if (out.length === 0) out.push({ remoteAccountId: to18(orgId), models: [], remoteIds: [], kind: 'unknown' });
  return out;
}

function verify(req: IncomingVendorRequest): WebhookVerdict {
  // Unsigned by design: shape only here; the org must be linked (checked by the caller).
  try {
    parse(req);
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

export const SOAP_ACK =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">\n' +
  ' <soapenv:Body>\n' +
  '  <notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound">\n' +
  '   <Ack>true</Ack>\n' +
  '  </notificationsResponse>\n' +
  ' </soapenv:Body>\n' +
  '</soapenv:Envelope>\n';

export const salesforceWebhooks: VendorWebhooks = {
  verify,
  parse,
  unsigned: true,
  acknowledgement: () => ({ contentType: 'text/xml; charset=utf-8', body: SOAP_ACK }),
};
