import { hash, verify } from '@node-rs/argon2';
import { AppError } from '../../http/errors.js';

// argon2id (algorithm 2) at OWASP's recommended minimum: 19 MiB, 2 iterations, parallelism 1.
const options = { algorithm: 2, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, options);

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// Verifying against this when the email is unknown keeps both failures equally slow.
let decoy: Promise<string> | undefined;
export const decoyHash = (): Promise<string> => (decoy ??= hashPassword('decoy-password-never-matches'));

/** Re-authentication before a sensitive change: the user's current password, or 403 WRONG_PASSWORD. */
export async function assertCurrentPassword(user: { passwordHash: string }, password: string): Promise<void> {
  if (!(await verifyPassword(user.passwordHash, password))) {
    throw new AppError('WRONG_PASSWORD', 'The current password is incorrect');
  }
}
