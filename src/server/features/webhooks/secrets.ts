// Signing secrets: made here, shown once, and kept encrypted. The server must read a secret back to
// sign with it, so it is encrypted (http/secret-box.ts: AES-256-GCM under a key derived from the JWT
// secret), not hashed; the endpoint's id is bound in, so a ciphertext copied onto another endpoint does
// not decrypt. Changing JWT_SECRET makes every stored secret unreadable: deliveries then fail until each
// secret is rotated.
import { randomBytes } from 'node:crypto';
import { createSecretBox, type SecretBox } from '../../http/secret-box.js';

export type { SecretBox };

/** The box that seals endpoints' signing secrets, each bound to its endpoint's id. */
export const createWebhookSecretBox = (jwtSecret: string): SecretBox => createSecretBox(jwtSecret, 'webhook signing secret');

/** A new signing secret: `whsec_` and 32 random bytes. */
export const newSigningSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

/** Enough of the secret to tell two apart, not enough to matter. */
export const secretHint = (secret: string): string => `${secret.slice(0, 10)}…`;
