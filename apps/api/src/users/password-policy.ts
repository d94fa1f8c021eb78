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
/**
 * A password that holds a word of the user's name or address is still refused unless what is
 * left without those words would be a password of the minimum length on its own: "curie-radium-
 * polonium" is fine for Marie Curie, "Marie1867!" is not.
 */
const MIN_OWN_CHARACTERS = 8;

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
    if (isMadeOfPersonalTerms(typed, owner))
      return 'The password must not be made of your email address or your name.';
    return undefined;
  }
}

/** Whether the password holds the email, its local part or the name whole, or little but their words. */
function isMadeOfPersonalTerms(typed: string, { email, displayName }: PasswordOwner): boolean {
  const localPart = email.split('@')[0] ?? '';
  const wholes = [email, localPart, displayName].map(fold).filter((term) => term.length >= MIN_WHOLE_TERM);
  if (wholes.some((term) => typed.includes(term))) return true;
  const words = [localPart, displayName]
    .flatMap((text) => fold(text).split(/[^\p{L}\p{N}]+/u))
    .filter((word) => word.length >= MIN_WORD_TERM)
    .sort((a, b) => b.length - a.length);
  if (!words.some((word) => typed.includes(word))) return false;
  const rest = words.reduce((left, word) => left.replaceAll(word, ''), typed);
  return [...rest.replace(/[^\p{L}\p{N}]+/gu, '')].length < MIN_OWN_CHARACTERS;
}

/** Case and Unicode form do not make a different password (the hash compares NFKC too). */
function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase().trim();
}
