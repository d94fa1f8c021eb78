// Short-lived access tokens for API clients: stateless, HMAC-signed `<payload>.<signature>`,
// so checking one costs no Redis round trip. Revocation happens at refresh time
// (refresh-token families), which is why they live only minutes.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface AccessTokenClaims {
  sub: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

export class AccessTokens {
  constructor(private readonly options: { secret: string; ttlSeconds: number; now?: () => number }) {}

  sign(userId: string): { token: string; expiresIn: number } {
    const claims: AccessTokenClaims = { sub: userId, exp: this.nowSeconds() + this.options.ttlSeconds };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return { token: `${payload}.${this.signature(payload)}`, expiresIn: this.options.ttlSeconds };
  }

  /** The user id, or undefined for a forged, malformed or expired token. */
  verify(token: string): string | undefined {
    const [payload, signature, extra] = token.split('.');
    if (!payload || !signature || extra !== undefined) return undefined;
    const expected = Buffer.from(this.signature(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Partial<AccessTokenClaims>;
      if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number' || claims.exp <= this.nowSeconds())
        return undefined;
      return claims.sub;
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
