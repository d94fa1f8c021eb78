// Just enough MIME to read back what nodemailer writes: headers (with RFC 2047 words), multipart,
// quoted-printable and base64 bodies in UTF-8. Not a general mail parser.

export interface MimeEntity {
  headers: Map<string, string>;
  body: string;
}

export function parseEntity(raw: string): MimeEntity {
  const normalized = raw.replace(/\r\n/g, '\n');
  const split = normalized.indexOf('\n\n');
  const head = split === -1 ? normalized : normalized.slice(0, split);
  const body = split === -1 ? '' : normalized.slice(split + 2);
  const headers = new Map<string, string>();
  // Folded lines continue the previous header.
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** The decoded body of the first part of this MIME type, looking inside multiparts. */
export function findPart(entity: MimeEntity, mimeType: string): string | undefined {
  const contentType = entity.headers.get('content-type') ?? 'text/plain';
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
    if (!boundary) return undefined;
    for (const part of splitMultipart(entity.body, boundary)) {
      const found = findPart(parseEntity(part), mimeType);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (type !== mimeType) return undefined;
  // The line break that ends the message (or precedes a boundary) is not part of the text.
  return decodeBody(entity.body.replace(/\n$/, ''), entity.headers.get('content-transfer-encoding'));
}

function splitMultipart(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const parts: string[] = [];
  for (const chunk of body.split(`\n${delimiter}`)) {
    const part = chunk.startsWith(delimiter) ? chunk.slice(delimiter.length) : chunk;
    if (part.startsWith('--')) break;
    parts.push(part.replace(/^[ \t]*\n/, ''));
  }
  // Whatever came before the first delimiter is the preamble.
  return body.startsWith(delimiter) ? parts : parts.slice(1);
}

export function decodeBody(body: string, encoding = '7bit'): string {
  switch (encoding.toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return body;
  }
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const joined = text.replace(/=\n/g, '');
  for (let i = 0; i < joined.length; i++) {
    const hex = joined[i] === '=' ? joined.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Decodes RFC 2047 encoded words (`=?UTF-8?Q?...?=`, `=?UTF-8?B?...?=`) in a header value. */
export function decodeHeader(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, _charset: string, kind: string, text: string) =>
      kind.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}
