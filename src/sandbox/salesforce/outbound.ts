import { encodeId, segmentHead } from './ids';
import type { SfRecord } from './records';
import type { SfObject } from './schema';
import type { SalesforceOrg } from './store';

/**
 * Salesforce Outbound Messages: a SOAP 1.1 `notifications` envelope (at most 100 Notification
 * elements), unsigned, POSTed with `SOAPAction: ""`. The listener must answer a
 * notificationsResponse with <Ack>true</Ack>; anything else is retried. Deletes send nothing
 * (Salesforce has no outbound message for deletes; use /sobjects/X/deleted or queryAll).
 */

export interface OutboundChange {
  rec: SfRecord;
  /** Fields that changed (Id and SystemModstamp are always included). */
  changed: string[];
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

let notificationCounter = 0;

export function buildOutboundMessage(org: SalesforceOrg, schema: SfObject, baseUrl: string, version: string, changes: OutboundChange[]): string {
  const actionId = encodeId(segmentHead('04k', org.tenant.pod, 0), schema.keyPrefix.charCodeAt(2));
  let xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n' +
    ' <soapenv:Body>\n' +
    '  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">\n' +
    `   <OrganizationId>${org.orgId}</OrganizationId>\n` +
    `   <ActionId>${actionId}</ActionId>\n` +
    '   <SessionId xsi:nil="true"/>\n' +
    `   <EnterpriseUrl>${esc(`${baseUrl}/services/Soap/c/${version}/${org.orgId15}`)}</EnterpriseUrl>\n` +
    `   <PartnerUrl>${esc(`${baseUrl}/services/Soap/u/${version}/${org.orgId15}`)}</PartnerUrl>\n`;
  for (const change of changes) {
    const fields = new Set(['Id', ...change.changed, 'SystemModstamp']);
    xml += '   <Notification>\n';
    xml += `    <Id>${encodeId(segmentHead('04l', org.tenant.pod, 0), ++notificationCounter)}</Id>\n`;
    xml += `    <sObject xsi:type="sf:${schema.name}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">\n`;
    for (const f of schema.fields) {
      if (!fields.has(f.name)) continue;
      const v = change.rec[f.name];
      xml += v === null || v === undefined ? `     <sf:${f.name} xsi:nil="true"/>\n` : `     <sf:${f.name}>${esc(String(v))}</sf:${f.name}>\n`;
    }
    xml += '    </sObject>\n   </Notification>\n';
  }
  return xml + '  </notifications>\n </soapenv:Body>\n</soapenv:Envelope>\n';
}

/** Whether a listener's answer acknowledges the message. */
export function isAck(status: number, body: string): boolean {
  return status >= 200 && status < 300 && /<(?:\w+:)?Ack>\s*true\s*<\/(?:\w+:)?Ack>/i.test(body);
}
