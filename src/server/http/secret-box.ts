// Secrets the server must read back (a TOTP seed, for one) are stored encrypted with AES-256-GCM, under a
// key derived with HKDF from the JWT secret and a purpose, so no other key has to be configured and a
// ciphertext of one purpose never opens as another. The caller binds the owner in as associated data,
// so a value copied onto another row does not decrypt. Changing JWT_SECRET makes stored values unreadable.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SecretBox {
  seal(owner: string, plaintext: string): string;
  /** The plaintext, or null when it cannot be read (another key, another owner, a damaged value). */
  open(owner: string, sealed: string): string | null;
}

/** A 32-byte key for one purpose, derived from the JWT secret. */
export const derivedKey = (jwtSecret: string, purpose: string): Buffer =>
  Buffer.from(hkdfSync('sha256', jwtSecret, 'skilled', purpose, 32));

export function createSecretBox(jwtSecret: string, purpose: string): SecretBox {
  const key = derivedKey(jwtSecret, `${purpose} encryption`);
  const associated = (owner: string) => Buffer.from(`${purpose}:${owner}`);
  return {
    seal(owner, plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(associated(owner));
      const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${FORMAT}.${Buffer.concat([iv, cipher.getAuthTag(), encrypted]).toString('base64url')}`;
    },
    open(owner, sealed) {
      const [format, packed] = sealed.split('.');
      if (format !== FORMAT || !packed) return null;
      const bytes = Buffer.from(packed, 'base64url');
      if (bytes.length <= IV_BYTES + TAG_BYTES) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
        decipher.setAAD(associated(owner));
        decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        return null;
      }
    },
  };
}

/** A keyed hash for short secrets (6-digit codes): without the key, a stolen hash cannot be brute-forced offline. */
export function createCodeHasher(jwtSecret: string, purpose: string): (scope: string, code: string) => string {
  const key = derivedKey(jwtSecret, `${purpose} hashing`);
  return (scope, code) => createHmac('sha256', key).update(`${scope}:${code}`).digest('hex');
}
