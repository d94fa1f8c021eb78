// Short-lived access tokens for API clients: HMAC-signed `<payload>.<signature>`. The signature
// and expiry are checked locally; revocation (password change or reset, signing out everywhere,
// a refresh family revoked) through @rnh/sessions' AccessTokenRevocations: each token carries
// its user's token generation and its refresh family, checked at most one Redis round trip
// per request (usually none: the answer is kept in-process and dropped on every instance when
// a revocation is published).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AccessTokenRevocations, AccessTokenStatus } from '@rnh/sessions';

export interface AccessTokenClaims {
  sub: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** The user's token generation when issued (absent in tokens from before revocation existed: 0). */
  gen?: number;
  /** The refresh family the token was issued with. */
  fam?: string;
}

/** What `authenticate` found: the caller, or why the token does not work. */
export type AccessTokenCheck =
  | { ok: true; userId: string; familyId: string | undefined }
  | { ok: false; reason: 'invalid' | Exclude<AccessTokenStatus, 'active'> };

export interface AccessTokensOptions {
  secret: string;
  ttlSeconds: number;
  /** Where revocations live; without it a token works until it expires (unit tests only). */
  revocations?: Pick<AccessTokenRevocations, 'generation' | 'check'>;
  now?: () => number;
}

export class AccessTokens {
  constructor(private readonly options: AccessTokensOptions) {}

  /** A token for the user's API client of refresh family `familyId`, stamped with the user's current generation. */
  async issue(userId: string, familyId: string): Promise<{ token: string; expiresIn: number }> {
    const generation = (await this.options.revocations?.generation(userId)) ?? 0;
    return this.sign(userId, { generation, familyId });
  }

  sign(userId: string, stamp: { generation: number; familyId?: string } = { generation: 0 }) {
    const claims: AccessTokenClaims = {
      sub: userId,
      exp: this.nowSeconds() + this.options.ttlSeconds,
      gen: stamp.generation,
      fam: stamp.familyId,
    };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return { token: `${payload}.${this.signature(payload)}`, expiresIn: this.options.ttlSeconds };
  }

  /**
   * The user id of a token signed by us and not expired, without asking whether it was
   * revoked: good for keying a rate limit, never for letting a request in (see `authenticate`).
   */
  verify(token: string): string | undefined {
    return this.claims(token)?.sub;
  }

  /**
   * Whether the token lets its caller in: signed by us, not expired, not revoked. Throws
   * SessionStoreUnavailableError when revocation cannot be checked (the api answers 503).
   */
  async authenticate(token: string): Promise<AccessTokenCheck> {
    const claims = this.claims(token);
    if (!claims) return { ok: false, reason: 'invalid' };
    const stamp = { userId: claims.sub, generation: claims.gen ?? 0, familyId: claims.fam };
    const status = (await this.options.revocations?.check(stamp)) ?? 'active';
    if (status !== 'active') return { ok: false, reason: status };
    return { ok: true, userId: claims.sub, familyId: claims.fam };
  }

  private claims(token: string): AccessTokenClaims | undefined {
    const [payload, signature, extra] = token.split('.');
    if (!payload || !signature || extra !== undefined) return undefined;
    const expected = Buffer.from(this.signature(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Partial<AccessTokenClaims>;
      if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number' || claims.exp <= this.nowSeconds())
        return undefined;
      if (claims.gen !== undefined && typeof claims.gen !== 'number') return undefined;
      if (claims.fam !== undefined && typeof claims.fam !== 'string') return undefined;
      return claims as AccessTokenClaims;
    } catch {
      return undefined;
    }
  }

  private signature(payload: string): string {
    return createHmac('sha256', this.options.secret).update(`access.${payload}`).digest('base64url');
  }

  private nowSeconds(): number {
    return Math.floor((this.options.now?.() ?? Date.now()) / 1000);
  }
}
