// The keys that sign access tokens, as admins see them: ids and dates, never key material.
import { z } from 'zod';
import { IsoDate, messageDataEnvelope, dataEnvelope } from './common.js';

export const SigningKey = z
  .object({
    kid: z.string().describe('Carried in the `kid` header of every access token signed with it'),
    algorithm: z.string(),
    createdAt: IsoDate,
    retiresAt: IsoDate.nullable().describe('When it stops verifying tokens; null while it signs'),
    current: z.boolean().describe('New tokens are signed with this key'),
  })
  .meta({ id: 'SigningKey' });
export type SigningKey = z.infer<typeof SigningKey>;

export const SigningKeyListResponse = dataEnvelope(z.array(SigningKey));
export const RotatedSigningKeyResponse = messageDataEnvelope(
  z.object({ current: SigningKey, retired: z.array(SigningKey).describe('Keys that still verify until their retiresAt') }),
);
