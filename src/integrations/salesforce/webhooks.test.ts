import { describe, expect, it } from 'vitest';
import { isAck } from '../../sandbox/salesforce/outbound';
import { parseXml, SOAP_ACK, salesforceWebhooks } from './webhooks';

const message = (inner: string, org = '00D5g0000000001EAA') => `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>${org}</OrganizationId>
   <ActionId>04k5g0000000001AAA</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://x.my.salesforce.com/services/Soap/c/62.0/00D5g0000000001</EnterpriseUrl>
   <PartnerUrl>https://x.my.salesforce.com/services/Soap/u/62.0/00D5g0000000001</PartnerUrl>
${inner}
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`;
const notification = (type: string, id: string, extra = '') => `   <Notification>
    <Id>04l5g0000000001AAA</Id>
    <sObject xsi:type="sf:${type}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>${id}</sf:Id>${extra}
    </sObject>
   </Notification>`;
const req = (body: string) => ({ method: 'POST', url: 'https://sb/webhooks/vendors/salesforce', headers: {}, rawBody: Buffer.from(body) });

describe('Salesforce outbound messages', () => {
  it('parses the envelope: org id, objects, ids (Task backs Task and Engagement)', () => {
    const body = message(
      [notification('Contact', '0035g00000AAAAAAA1', '<sf:LastName>O&apos;Hara &amp; Co</sf:LastName><sf:Email xsi:nil="true"/>'), notification('Contact', '0035g00000AAAAAAA2'), notification('Task', '00T5g00000AAAAAAA1'), notification('Product2', '01t5g00000AAAAAAA1')].join('\n'),
      '00D5g0000000001',
    );
    expect(salesforceWebhooks.verify(req(body), undefined, 0)).toEqual({ ok: true });
    expect(salesforceWebhooks.parse(req(body))).toEqual([
      { remoteAccountId: '00D5g0000000001EAA', models: ['Contact'], remoteIds: ['0035g00000AAAAAAA1', '0035g00000AAAAAAA2'], kind: 'changed' },
      { remoteAccountId: '00D5g0000000001EAA', models: ['Task', 'Engagement'], remoteIds: ['00T5g00000AAAAAAA1'], kind: 'changed' },
    ]);
  });

  it('rejects what is not an outbound message', () => {
    for (const bad of ['{"a":1}', '<a><b></a>', message('', 'not-an-id'), '<!DOCTYPE x [<!ENTITY e "x">]><x/>', message(notification('Contact', '').replace('<sf:Id></sf:Id>', ''))]) {
      expect(salesforceWebhooks.verify(req(bad), undefined, 0).ok).toBe(false);
      expect(() => salesforceWebhooks.parse(req(bad))).toThrow();
    }
  });

  it('the small XML parser reads entities, CDATA, comments, attributes and self-closing tags', () => {
    const doc = parseXml(`<?xml version="1.0"?><!-- c --><p:a x='1' y="&lt;2&gt;"><b/><c><![CDATA[<raw>]]>&#65;&#x42;</c></p:a>`);
    const a = doc.children[0]!;
    expect(a.name).toBe('a');
    expect(a.attrs).toEqual({ x: '1', y: '<2>' });
    expect(a.children.map((c) => c.name)).toEqual(['b', 'c']);
    expect(a.children[1]!.text).toBe('<raw>AB');
  });

  it('answers the Ack Salesforce (and the emulator) wait for', () => {
    expect(isAck(200, salesforceWebhooks.acknowledgement!().body)).toBe(true);
    expect(parseXml(SOAP_ACK).children[0]!.name).toBe('Envelope');
  });
});
