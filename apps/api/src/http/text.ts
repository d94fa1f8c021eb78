// The kinds of text the api takes from clients, defined once and used by every route's schema.
// PostgreSQL refuses a NUL byte in text (22021), and control characters, bidirectional
// overrides or a name made only of invisible characters let one user blank out or disguise
// what the others see. A bad value is the client's mistake: 400 with the field named.
import { z } from 'zod';

/** Control characters: C0 (NUL included), DEL and C1. */
const CONTROL = /\p{Cc}/u;
/** The same, but tab, line feed and carriage return are allowed (text over several lines). */
const CONTROL_BUT_LINE_BREAKS = /(?![\t\n\r])\p{Cc}/u;
/**
 * Explicit bidirectional embeddings, overrides and isolates (U+202A-202E, U+2066-2069). Right-to-left
 * scripts never need them (Unicode's algorithm lays Arabic and Hebrew out by itself); they serve to
 * make text read differently from how it is stored.
 */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/u;
/** Half of a surrogate pair, alone: not a character, and drivers turn it into U+FFFD. */
const LONE_SURROGATE = /\p{Cs}/u;
/**
 * What shows nothing: whitespace, format characters (zero-width spaces and joiners, marks),
 * combining marks on their own, and the letters that render blank (Hangul fillers, braille blank).
 */
const INVISIBLE = /[\s\p{Z}\p{Cf}\p{M}\u115f\u1160\u3164\uffa0\u2800]/gu;

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 1024;

interface Bounds {
  /** Minimum length after trimming; 1 means "is required". */
  min?: number;
  max: number;
}

function bounded({ min = 0, max }: Bounds) {
  let schema = z.string().trim();
  if (min > 0) schema = schema.min(min, min === 1 ? 'is required' : `must be at least ${min} characters`);
  return schema.max(max, `must be at most ${max} characters`);
}

/** A name people see (display name, organization, candidate): one line, something visible, no bidi tricks. */
export function singleLine(bounds: Bounds) {
  return bounded(bounds)
    .refine((value) => !CONTROL.test(value), 'must not contain control characters')
    .refine((value) => !BIDI_CONTROL.test(value), 'must not contain bidirectional formatting characters')
    .refine((value) => !LONE_SURROGATE.test(value), 'must be valid Unicode text')
    .refine(
      (value) => value === '' || value.replace(INVISIBLE, '') !== '',
      'must contain a visible character',
    )
    .normalize('NFC');
}

/** Free text over several lines (a description, a note): line breaks and tabs allowed. */
export function multiLine(bounds: Bounds) {
  return bounded(bounds)
    .refine((value) => !CONTROL_BUT_LINE_BREAKS.test(value), 'must not contain control characters')
    .refine((value) => !BIDI_CONTROL.test(value), 'must not contain bidirectional formatting characters')
    .refine((value) => !LONE_SURROGATE.test(value), 'must be valid Unicode text')
    .normalize('NFC');
}

/** An email address, lowercased (the address syntax leaves no room for control characters). */
export function emailAddress() {
  return z.string().trim().toLowerCase().email('must be an email address').max(254);
}

/** A token the api issued (reset, verification, invite, refresh): printable ASCII only. */
export function issuedToken() {
  return z
    .string()
    .min(1, 'is required')
    .max(512)
    .regex(/^[\x21-\x7e]+$/, 'is not a valid token');
}

/** A password being set: any characters a person can type, within the length limits. */
export function newPassword() {
  return z
    .string()
    .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
    .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`)
    .refine((value) => !CONTROL.test(value), 'must not contain control characters')
    .refine((value) => !LONE_SURROGATE.test(value), 'must be valid Unicode text');
}

/**
 * A password being checked (sign-in, the current one on a change): only bounded, never judged,
 * so a password set under older rules still signs in. It is hashed, never stored or logged.
 */
export function givenPassword() {
  return z.string().min(1, 'is required').max(PASSWORD_MAX_LENGTH);
}
