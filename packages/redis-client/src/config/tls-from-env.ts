// The TLS files of REDIS_TLS_CA_FILE, REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE, read once when the
// configuration is loaded: a missing or wrong file stops the app at start, naming the variable,
// instead of failing every connection later. Messages name paths only, never the files' contents.
import { readFileSync } from 'node:fs';
import type { RedisTlsOptions } from '../types.js';
import { quote, readVar, type Env, type IssueCollector } from './parse.js';

/** The variables that configure TLS beyond on and off. */
export const TLS_SETTING_VARIABLES = [
  'REDIS_TLS_CA_FILE',
  'REDIS_TLS_CERT_FILE',
  'REDIS_TLS_KEY_FILE',
  'REDIS_TLS_SERVERNAME',
] as const;

/** The TLS settings the environment gives, or undefined when it gives none. */
export function tlsFromEnv(env: Env, issues: IssueCollector): RedisTlsOptions | undefined {
  const settings: RedisTlsOptions = {};
  const ca = readPem(env, 'REDIS_TLS_CA_FILE', 'certificate', issues);
  if (ca) settings.ca = ca;

  const cert = readPem(env, 'REDIS_TLS_CERT_FILE', 'certificate', issues);
  const key = readPem(env, 'REDIS_TLS_KEY_FILE', 'private key', issues);
  if (cert) settings.cert = cert;
  if (key) settings.key = key;
  const certFile = readVar(env, 'REDIS_TLS_CERT_FILE');
  const keyFile = readVar(env, 'REDIS_TLS_KEY_FILE');
  if (certFile && !keyFile)
    issues.add(
      'REDIS_TLS_KEY_FILE',
      'REDIS_TLS_KEY_FILE is required with REDIS_TLS_CERT_FILE: the private key of the client certificate',
    );
  if (keyFile && !certFile)
    issues.add(
      'REDIS_TLS_CERT_FILE',
      'REDIS_TLS_CERT_FILE is required with REDIS_TLS_KEY_FILE: the client certificate of that key',
    );

  const servername = readVar(env, 'REDIS_TLS_SERVERNAME');
  if (servername) settings.servername = servername;
  return Object.keys(settings).length > 0 ? settings : undefined;
}

const MARKERS = {
  certificate: /-----BEGIN CERTIFICATE-----/,
  'private key': /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
};

function readPem(
  env: Env,
  variable: string,
  kind: keyof typeof MARKERS,
  issues: IssueCollector,
): string | undefined {
  const path = readVar(env, variable);
  if (!path) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return issues.add(variable, `${variable} must name a readable file (${quote(path)}: ${reason(error)})`);
  }
  if (!MARKERS[kind].test(text))
    return issues.add(
      variable,
      `${variable} must name a PEM file with a ${kind} (-----BEGIN ...), which ${quote(path)} is not`,
    );
  if (kind === 'private key' && /ENCRYPTED/.test(text))
    return issues.add(
      variable,
      `${variable} names an encrypted key (${quote(path)}): give the key without a passphrase`,
    );
  return text;
}

function reason(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
      return 'permission denied';
    case 'EISDIR':
      return 'a directory, not a file';
    default:
      return (error as NodeJS.ErrnoException).code ?? 'cannot be read';
  }
}
