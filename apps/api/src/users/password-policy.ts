// What a new password must not be: one of the passwords attackers try first, or something
// made of the account's own email or name (NIST SP 800-63B's "context-specific words").
// Length limits live in the request schema (http/text.ts); reuse of the current password is
// checked by the account service, which holds the hash.
import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * The ~49,000 most common passwords of leaked password lists, as zxcvbn-ts ships them
 * (@zxcvbn-ts/language-common, MIT), lowercased.
 */
export function commonPasswords(): ReadonlySet<string> {
  return new Set(dictionary['passwords-common'].map((password) => password.toLowerCase()));
}

/**
 * Shorter names, and shorter words of a name or address, are too common to refuse every
 * password that contains them ("Al", the "the" of "The Rock").
 */
const MIN_WHOLE_TERM = 3;
const MIN_WORD_TERM = 4;

export interface PasswordOwner {
  email: string;
  displayName: string;
}

export class PasswordPolicy {
  constructor(private readonly common: ReadonlySet<string>) {}

  /** Why `password` may not be this user's new password, in words for them; undefined when it may. */
  problemWith(password: string, owner: PasswordOwner): string | undefined {
    const typed = fold(password);
    if (this.common.has(typed))
      return 'This password is one of the most common passwords; choose one that is harder to guess.';
    if (personalTerms(owner).some((term) => typed.includes(term)))
      return 'The password must not contain your email address or your name.';
    return undefined;
  }
}

/** The email, its local part and the name, whole and word by word, as compared. */
function personalTerms({ email, displayName }: PasswordOwner): string[] {
  const localPart = email.split('@')[0] ?? '';
  const wholes = [email, localPart, displayName].map(fold).filter((term) => term.length >= MIN_WHOLE_TERM);
  const words = [localPart, displayName]
    .flatMap((text) => fold(text).split(/[^\p{L}\p{N}]+/u))
    .filter((word) => word.length >= MIN_WORD_TERM);
  return [...wholes, ...words];
}

/** Case and Unicode form do not make a different password (the hash compares NFKC too). */
function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase().trim();
}
