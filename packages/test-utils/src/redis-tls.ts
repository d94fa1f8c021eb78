// Certificates for a TLS redis-server under test, made with the `openssl` CLI: a CA of its own,
// a server certificate for 127.0.0.1 and localhost, and a client certificate for mutual TLS.
// Each call makes a new CA, so two calls give certificates that do not trust each other.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class OpenSslNotInstalledError extends Error {
  constructor() {
    super(
      'openssl was not found: TLS tests make their certificates with it. Install it with ' +
        '"sudo apt-get install -y openssl" (Debian/Ubuntu) or "brew install openssl" (macOS).',
    );
    this.name = 'OpenSslNotInstalledError';
  }
}

/** Paths of PEM files; `ca`, `cert` and `key` also hold their contents, as TLS options take them. */
export interface TlsFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export interface TestCertificates {
  /** What redis-server presents: `tls-cert-file`, `tls-key-file`, and `tls-ca-cert-file` for client certificates. */
  readonly server: TlsFiles;
  /** What a client presents for mutual TLS, signed by the same CA. */
  readonly client: TlsFiles;
}

// P-256 keys: quick to make, and every OpenSSL and Node version takes them.
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const VALID_FOR = ['-days', '2'];

const SERVER_EXTENSIONS = 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth';
const CLIENT_EXTENSIONS = 'extendedKeyUsage=clientAuth';

/** Makes a CA, a server and a client certificate in `dir` (which must exist). */
export function createTestCertificates(dir: string): TestCertificates {
  const path = (name: string) => join(dir, name);
  const caSubject = ['-subj', '/CN=RNH test CA'];
  openssl(['req', '-x509', ...NEW_KEY, ...VALID_FOR, ...caSubject, ...output(dir, 'ca')]);
  sign(dir, 'server', '/CN=localhost', SERVER_EXTENSIONS);
  sign(dir, 'client', '/CN=rnh-test-client', CLIENT_EXTENSIONS);
  const files = (name: string): TlsFiles => ({
    caFile: path('ca.crt'),
    certFile: path(`${name}.crt`),
    keyFile: path(`${name}.key`),
    ca: readFileSync(path('ca.crt'), 'utf8'),
    cert: readFileSync(path(`${name}.crt`), 'utf8'),
    key: readFileSync(path(`${name}.key`), 'utf8'),
  });
  return { server: files('server'), client: files('client') };
}

/** A key and a certificate signing request, then the certificate signed by the CA in `dir`. */
function sign(dir: string, name: string, subject: string, extensions: string): void {
  const [key, request, cert, ext] = ['key', 'csr', 'crt', 'ext'].map((suffix) =>
    join(dir, `${name}.${suffix}`),
  );
  writeFileSync(ext!, `${extensions}\n`);
  openssl(['req', '-new', ...NEW_KEY, '-subj', subject, '-keyout', key!, '-out', request!]);
  const signer = ['-CA', join(dir, 'ca.crt'), '-CAkey', join(dir, 'ca.key'), '-CAcreateserial'];
  openssl(['x509', '-req', '-in', request!, ...VALID_FOR, ...signer, '-extfile', ext!, '-out', cert!]);
}

function output(dir: string, name: string): string[] {
  return ['-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`)];
}

function openssl(args: string[]): void {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT')
    throw new OpenSslNotInstalledError();
  if (result.error || result.status !== 0)
    throw new Error(
      `openssl ${args[0]} failed (exit ${result.status}): ${result.stderr || result.error?.message}`,
    );
}
