// Access tokens: short-lived JWTs verified without a database read. Refresh tokens: random, stored hashed.
// Tokens are HS256 only (any other `alg`, `none` included, is refused), name their signing key in `kid`,
// and must carry `exp`, `iss` and `aud`; see signing-keys.ts for the keys and their rotation.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SignJWT } from 'jose';
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
 * The secret as a CryptoKey for signing, imported once per key: given raw bytes, jose imports them again
 * on every signature. (Verification does not use it: see verifyAccess.)
 */
const importedKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();
function cryptoKeyOf(secret: Uint8Array): Promise<CryptoKey> {
  let key = importedKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', new Uint8Array(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
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
      const parsed = parseSignedToken(token);
      if (!parsed) return null;
      const key = await keyring.find(parsed.kid);
      if (!key) return null;
      const expected = createHmac('sha256', key.secret).update(parsed.signedPart).digest();
      if (expected.length !== parsed.signature.length || !timingSafeEqual(expected, parsed.signature)) return null;
      return acceptedClaims(parsed.payload, Date.now() / 1000);
    },
  };
}

// Verification is synchronous HMAC (node:crypto): WebCrypto's asynchronous verify, through jose, was
// about 6% of the CPU of an authenticated read. The rules are those of the header comment above.
const BASE64URL = /^[A-Za-z0-9_-]*$/;

function decodeJsonPart(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function parseSignedToken(token: string) {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => part.length > 0 && BASE64URL.test(part))) return null;
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeJsonPart(headerPart);
  // `crit` names extensions this verifier does not implement, so a token that has one is refused.
  if (!header || header.alg !== SIGNING_ALGORITHM || typeof header.kid !== 'string' || 'crit' in header) return null;
  const payload = decodeJsonPart(payloadPart);
  if (!payload) return null;
  return { kid: header.kid, payload, signedPart: `${headerPart}.${payloadPart}`, signature: Buffer.from(signaturePart, 'base64url') };
}

function acceptedClaims(payload: Record<string, unknown>, nowSeconds: number): AccessClaims | null {
  const { exp, iat, nbf, iss, aud, sub, sid, role } = payload;
  if (typeof exp !== 'number' || exp <= nowSeconds) return null;
  if (typeof iat !== 'number') return null;
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowSeconds)) return null;
  if (iss !== ISSUER) return null;
  if (!(aud === AUDIENCE || (Array.isArray(aud) && aud.includes(AUDIENCE)))) return null;
  if (typeof sub !== 'string' || typeof sid !== 'string') return null;
  if (role !== 'student' && role !== 'instructor' && role !== 'admin') return null;
  return { userId: sub, role, sessionId: sid };
}

export const newRefreshToken = (): string => randomBytes(32).toString('base64url');
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
