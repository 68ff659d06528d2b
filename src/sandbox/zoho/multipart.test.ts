import { describe, expect, it } from 'vitest';
import { boundaryOf, parseMultipart } from './multipart';

describe('multipart/form-data parsing', () => {
  it('reads the fields of a body built by the platform FormData (as the Zoho SDK sends its token requests)', async () => {
    const form = new FormData();
    form.append('client_id', '1000.CID');
    form.append('client_secret', 's3cr3t');
    form.append('grant_type', 'refresh_token');
    form.append('refresh_token', '1000.abc.def');
    form.append('note', 'line1\r\nline2');
    const req = new Request('http://x/', { method: 'POST', body: form });
    const contentType = req.headers.get('content-type') as string;
    const body = Buffer.from(await req.arrayBuffer());
    const boundary = boundaryOf(contentType) as string;
    expect(boundary).toBeTruthy();
    expect(parseMultipart(body, boundary)).toEqual({ client_id: '1000.CID', client_secret: 's3cr3t', grant_type: 'refresh_token', refresh_token: '1000.abc.def', note: 'line1\r\nline2' });
  });

  it('handles quoted boundaries and a body built by hand', () => {
    expect(boundaryOf('multipart/form-data; boundary="abc def"')).toBe('abc def');
    expect(boundaryOf('application/json')).toBeUndefined();
    const b = '--XyZ\r\nContent-Disposition: form-data; name="token"\r\n\r\n1000.t\r\n--XyZ\r\nContent-Disposition: form-data; name="empty"\r\n\r\n\r\n--XyZ--\r\n';
    expect(parseMultipart(b, 'XyZ')).toEqual({ token: '1000.t', empty: '' });
  });
});
