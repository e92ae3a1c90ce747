import { z } from 'zod';
import { IsoDate, StudyTime, UserRole } from './common.js';
import { Email, Password, PersonName, UserAccount, Username } from './users.js';

export const RegisterBody = z.object({
  email: Email,
  password: Password,
  firstName: PersonName,
  lastName: PersonName,
  username: Username,
  role: UserRole.default('student').describe('student or instructor; admin accounts are made by admins'),
  preferredStudyTime: StudyTime.optional(),
});
export type RegisterBody = z.input<typeof RegisterBody>;
export const RegisterResponse = z.object({ message: z.string(), data: UserAccount });

export const SignInBody = z.object({
  email: z.string().trim().min(1, 'is required').max(254),
  password: z.string().min(1, 'is required').max(1024),
});
export type SignInBody = z.input<typeof SignInBody>;

export const AuthTokens = z.object({
  user: UserAccount,
  accessToken: z.string(),
  expiresAt: IsoDate,
  refreshToken: z.string().describe('Also set as an HTTP-only cookie; API clients send it to /api/auth/refresh'),
  refreshExpiresAt: IsoDate,
});
export type AuthTokens = z.infer<typeof AuthTokens>;
export const SignInResponse = z.object({ message: z.string(), data: AuthTokens });

export const RefreshBody = z
  .object({ refreshToken: z.string().min(1).max(512).optional() })
  .nullish()
  .describe('Browsers send nothing: the refresh cookie is used');

export const AuthCheckResponse = z.union([
  z.object({
    authenticated: z.literal(true),
    user: z.object({
      id: z.string(),
      email: z.string(),
      role: UserRole,
      firstName: z.string(),
      lastName: z.string(),
      username: z.string(),
    }),
  }),
  z.object({ authenticated: z.literal(false) }),
]);
export type AuthCheckResponse = z.infer<typeof AuthCheckResponse>;
