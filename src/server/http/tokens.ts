// Access tokens: short-lived JWTs verified without a database read. Refresh tokens: random, stored hashed.
// Tokens are HS256 only (any other `alg`, `none` included, is refused), name their signing key in `kid`,
// and must carry `exp`, `iss` and `aud`; see signing-keys.ts for the keys and their rotation.
import { createHash, randomBytes } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { UserRole } from '../../contract/common.js';
import { type Keyring, SIGNING_ALGORITHM, staticKeyring } from './signing-keys.js';

export const ISSUER = 'skilled';
export const AUDIENCE = 'skilled-api';

export interface AccessClaims {
  userId: string;
  role: UserRole;
  sessionId: string;
}

export interface TokenSigner {
  signAccess(claims: AccessClaims): Promise<{ token: string; expiresAt: Date }>;
  verifyAccess(token: string): Promise<AccessClaims | null>;
}

/**
 * The secret as a CryptoKey, imported once per key: given raw bytes, jose imports them again on every
 * sign and verify, which was a large share of the CPU time of an authenticated request.
 */
const importedKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();
function cryptoKeyOf(secret: Uint8Array): Promise<CryptoKey> {
  let key = importedKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', new Uint8Array(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    importedKeys.set(secret, key);
  }
  return key;
}

/** Signs with the keyring's current key; a plain secret gives one fixed key (for tools without a database). */
export function createTokenSigner(keys: Keyring | string, ttlSeconds: number): TokenSigner {
  const keyring = typeof keys === 'string' ? staticKeyring(keys) : keys;
  return {
    async signAccess({ userId, role, sessionId }) {
      const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
      const key = await keyring.current();
      const token = await new SignJWT({ role, sid: sessionId })
        .setProtectedHeader({ alg: SIGNING_ALGORITHM, typ: 'JWT', kid: key.kid })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(await cryptoKeyOf(key.secret));
      return { token, expiresAt };
    },
    async verifyAccess(token) {
      try {
        const { payload } = await jwtVerify(
          token,
          async (header) => {
            const key = typeof header.kid === 'string' ? await keyring.find(header.kid) : undefined;
            if (!key) throw new joseErrors.JWKSNoMatchingKey();
            return cryptoKeyOf(key.secret);
          },
          { algorithms: [SIGNING_ALGORITHM], issuer: ISSUER, audience: AUDIENCE, requiredClaims: ['exp', 'iat', 'sub'] },
        );
        const role = payload.role;
        if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return null;
        if (role !== 'student' && role !== 'instructor' && role !== 'admin') return null;
        return { userId: payload.sub, role, sessionId: payload.sid };
      } catch (error) {
        if (error instanceof joseErrors.JOSEError) return null;
        throw error;
      }
    },
  };
}

export const newRefreshToken = (): string => randomBytes(32).toString('base64url');
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
