// What a failed TLS connection means for the one who configures it. Node reports a certificate the
// client does not trust with OpenSSL's verify codes, and a server's refusal with a TLS alert.
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

export interface TlsInUse {
  clientCertificate: boolean;
}

/** Why a TLS connection failed and what to set, or undefined when the error is not about TLS. */
export function tlsFailureReason(code: unknown, raw: string, tls?: TlsInUse): string | undefined {
  const message = openSslReason(raw);
  const text = `${String(code)} ${message}`;
  if (typeof code === 'string' && UNTRUSTED.has(code))
    return `the server's certificate is not signed by a CA this client trusts (${message}): set REDIS_TLS_CA_FILE (tls.ca) to the CA that signed it`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `the server's certificate is not issued for this host (${message}): connect by a name it carries, or set REDIS_TLS_SERVERNAME (tls.servername)`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID')
    return `the server's certificate is not valid now (${message})`;
  if (/CERTIFICATE_REQUIRED|certificate required/i.test(text))
    return `the server requires a client certificate (${message}): set REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE (tls.cert, tls.key)`;
  if (/BAD_CERTIFICATE|UNKNOWN_CA|bad certificate|unknown ca/i.test(text))
    return `the server refused the client certificate (${message}): it must be signed by a CA the server trusts`;
  // Over TLS 1.3 the client finishes its handshake first; a server that refuses its certificate
  // (or wants one) then drops the connection, and the client often sees only the reset.
  if (tls && (code === 'ECONNRESET' || code === 'EPIPE'))
    return tls.clientCertificate
      ? `the server closed the connection (${message}): if it refused the client certificate, it must be signed by a CA the server trusts`
      : `the server closed the connection (${message}): if it requires a client certificate (tls-auth-clients yes), set REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE (tls.cert, tls.key)`;
  if (/SSL|TLS|EPROTO|certificate/i.test(text))
    return `the TLS handshake failed (does the server's TLS setting match rediss:// / tls?): ${message}`;
  return undefined;
}

/** OpenSSL's `<id>:error:<code>:SSL routines:<function>:<reason>:<file>:<line>:...` as its reason. */
function openSslReason(message: string): string {
  return /:SSL routines:[^:]*:([^:]+):/.exec(message)?.[1] ?? message.trim();
}
