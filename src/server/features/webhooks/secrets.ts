// Signing secrets: made here, shown once, and kept encrypted. The server must read a secret back to
// sign with it, so it is encrypted (AES-256-GCM), not hashed. The key is derived from the JWT secret
// with HKDF, so no other key has to be configured; the endpoint's id is bound in as associated data, so
// a ciphertext copied onto another endpoint does not decrypt. Changing JWT_SECRET makes every stored
// secret unreadable: deliveries then fail until each secret is rotated.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SecretBox {
  seal(endpointId: string, secret: string): string;
  /** The secret, or null when it cannot be read (another key, or a damaged value). */
  open(endpointId: string, sealed: string): string | null;
}

export function createSecretBox(jwtSecret: string): SecretBox {
  const key = Buffer.from(hkdfSync('sha256', jwtSecret, 'skilled-webhooks', 'webhook signing secret encryption', 32));
  const associated = (endpointId: string) => Buffer.from(`webhook:${endpointId}`);
  return {
    seal(endpointId, secret) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(associated(endpointId));
      const encrypted = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return `${FORMAT}.${Buffer.concat([iv, cipher.getAuthTag(), encrypted]).toString('base64url')}`;
    },
    open(endpointId, sealed) {
      const [format, packed] = sealed.split('.');
      if (format !== FORMAT || !packed) return null;
      const bytes = Buffer.from(packed, 'base64url');
      if (bytes.length <= IV_BYTES + TAG_BYTES) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
        decipher.setAAD(associated(endpointId));
        decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        return null;
      }
    },
  };
}

/** A new signing secret: `whsec_` and 32 random bytes. */
export const newSigningSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

/** Enough of the secret to tell two apart, not enough to matter. */
export const secretHint = (secret: string): string => `${secret.slice(0, 10)}…`;
