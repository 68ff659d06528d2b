/**
 * A small multipart/form-data parser for text fields (the Zoho SDK posts its token requests as
 * multipart). Files are kept as text; nothing here streams, bodies are tiny.
 */
export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]).trim() : undefined;
}

export function parseMultipart(body: Buffer | string, boundary: string): Record<string, string> {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const out: Record<string, string> = {};
  const parts = text.split(`--${boundary}`);
  for (const part of parts) {
    if (part.startsWith('--')) break; // closing delimiter
    const sep = part.indexOf('\r\n\r\n');
    const sepLf = sep < 0 ? part.indexOf('\n\n') : -1;
    if (sep < 0 && sepLf < 0) continue;
    const headerText = sep >= 0 ? part.slice(0, sep) : part.slice(0, sepLf);
    let value = sep >= 0 ? part.slice(sep + 4) : part.slice(sepLf + 2);
    if (value.endsWith('\r\n')) value = value.slice(0, -2);
    else if (value.endsWith('\n')) value = value.slice(0, -1);
    const name = /content-disposition:[^\n]*\bname="([^"]*)"/i.exec(headerText);
    if (name) out[name[1]] = value;
  }
  return out;
}
