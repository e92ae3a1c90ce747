// Admins list the access-token signing keys and rotate them. A rotation signs nobody out: tokens signed
// with the previous key verify until they expire.
import { ErrorResponse } from '../../../contract/errors.js';
import { type SigningKey, RotatedSigningKeyResponse, SigningKeyListResponse } from '../../../contract/signing-keys.js';
import { currentUser, requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';
import type { SigningKeyInfo } from '../../http/signing-keys.js';
import { recordAudit } from '../audit/log.js';
import { iso, isoOrNull } from '../users/presenter.js';

const present = (key: SigningKeyInfo): SigningKey => ({
  kid: key.kid,
  algorithm: key.algorithm,
  createdAt: iso(key.createdAt),
  retiresAt: isoOrNull(key.retiresAt),
  current: key.current,
});

const signingKeysRoutes: Feature = async (app, { deps }) => {
  const { keyring } = deps;

  app.get(
    '/api/admin/signing-keys',
    {
      preHandler: requireAuth('admin:maintenance'),
      schema: {
        operationId: 'listSigningKeys',
        tags: ['admin'],
        summary: 'The access-token signing keys, newest first: which one signs, and until when the others verify (admins)',
        response: { 200: SigningKeyListResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    async () => ({ data: (await keyring.list()).map(present) }),
  );

  app.post(
    '/api/admin/signing-keys/rotate',
    {
      preHandler: requireAuth('admin:maintenance'),
      schema: {
        operationId: 'rotateSigningKey',
        tags: ['admin'],
        summary:
          'Make a new access-token signing key (admins). New tokens are signed with it at once on this instance and within a minute on the others; the previous key verifies until its tokens have expired, so nobody is signed out',
        response: { 201: RotatedSigningKeyResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const rotated = await keyring.rotate((tx, kid) =>
        recordAudit(tx, user, { action: 'signing_key.rotate', targetType: 'signing_key', targetId: kid }),
      );
      return reply.status(201).send({
        message: 'Signing key rotated',
        data: { current: present(rotated.current), retired: rotated.retired.map(present) },
      });
    },
  );
};

export default signingKeysRoutes;
