import { z } from 'zod';
import { Id, IsoDate, StudyTime, UserRole } from './common.js';
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
      emailVerified: z.boolean(),
    }),
  }),
  z.object({ authenticated: z.literal(false) }),
]);
export type AuthCheckResponse = z.infer<typeof AuthCheckResponse>;

// ---- Account security: sign-in with a second factor

export const MfaMethod = z.enum(['totp', 'recovery', 'email', 'sms']);
export type MfaMethod = z.infer<typeof MfaMethod>;
export const MfaDeliveryMethod = z.enum(['email', 'sms']);
export type MfaDeliveryMethod = z.infer<typeof MfaDeliveryMethod>;

/** What sign-in answers, instead of tokens, when the account has a second factor. */
export const MfaChallenge = z
  .object({
    message: z.string(),
    mfaRequired: z.literal(true),
    challengeId: Id.describe('Send it with a code to POST /api/auth/login/mfa; single use'),
    methods: z.array(MfaMethod).describe('The second factors this account can use now'),
    expiresAt: IsoDate,
  })
  .meta({ id: 'MfaChallenge' });
export type MfaChallenge = z.infer<typeof MfaChallenge>;
export const SignInOrChallengeResponse = z.union([SignInResponse, MfaChallenge]);
export type SignInOrChallengeResponse = z.infer<typeof SignInOrChallengeResponse>;

const OneTimeCode = z.string().trim().min(1, 'is required').max(64, 'must be at most 64 characters');
const SixDigits = z.string().trim().regex(/^\d{6}$/, 'must be 6 digits');
const CurrentPassword = z.string().min(1, 'is required').max(1024).describe("The caller's current password");

export const MfaVerifyBody = z.object({
  challengeId: Id,
  method: MfaMethod,
  code: OneTimeCode.describe('A 6-digit code (totp, email, sms) or a recovery code'),
});
export type MfaVerifyBody = z.infer<typeof MfaVerifyBody>;

export const MfaSendBody = z.object({ challengeId: Id, method: MfaDeliveryMethod });
export type MfaSendBody = z.infer<typeof MfaSendBody>;
export const CodeSent = z.object({
  method: MfaDeliveryMethod,
  sentTo: z.string().describe('The address or number, partly hidden'),
  resendAfter: IsoDate.describe('No other code is sent before this'),
});
export const CodeSentResponse = z.object({ message: z.string(), data: CodeSent });

// ---- Managing second factors

export const MfaStatus = z
  .object({
    enabled: z.boolean().describe('Whether sign-in asks for a second factor'),
    methods: z.array(MfaMethod).describe('What sign-in would offer now'),
    totp: z.object({ enabled: z.boolean(), enrollmentPending: z.boolean() }),
    sms: z.object({
      enabled: z.boolean(),
      phoneNumber: z.string().nullable().describe('Partly hidden'),
      verificationPending: z.boolean(),
    }),
    email: z.object({ enabled: z.boolean(), available: z.boolean().describe('The email is verified') }),
    recoveryCodesRemaining: z.number().int(),
  })
  .meta({ id: 'MfaStatus' });
export type MfaStatus = z.infer<typeof MfaStatus>;
export const MfaStatusResponse = z.object({ data: MfaStatus });

export const PasswordConfirmation = z.object({ currentPassword: CurrentPassword });
export type PasswordConfirmation = z.infer<typeof PasswordConfirmation>;

export const TotpEnrollment = z.object({
  secret: z.string().describe('Base32, for typing into an authenticator app'),
  otpauthUri: z.string().describe('otpauth://totp/... (RFC 6238: SHA1, 6 digits, 30 s)'),
  qrCode: z.string().describe('The URI as a PNG QR code, a data: URL'),
  expiresAt: IsoDate.describe('Confirm with a first code before this'),
});
export const TotpEnrollmentResponse = z.object({ message: z.string(), data: TotpEnrollment });

export const CodeBody = z.object({ code: SixDigits });
export type CodeBody = z.infer<typeof CodeBody>;

export const MfaChangeResult = z.object({
  status: MfaStatus,
  recoveryCodes: z
    .array(z.string())
    .optional()
    .describe('Given when the first second factor is turned on: shown this once, keep them safe'),
});
export const MfaChangeResponse = z.object({ message: z.string(), data: MfaChangeResult });

export const TotpDisableBody = z.object({
  currentPassword: CurrentPassword,
  code: OneTimeCode.describe('A code from the authenticator app, or a recovery code'),
});
export type TotpDisableBody = z.infer<typeof TotpDisableBody>;

export const RecoveryCodesResponse = z.object({
  message: z.string(),
  data: z.object({ recoveryCodes: z.array(z.string()).describe('Shown this once; the previous ones stop working') }),
});

export const PhoneNumber = z
  .string()
  .trim()
  .transform((v) => v.replace(/[\s().-]/g, ''))
  .pipe(z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an international number such as +14155550100'));
export const SmsEnrollBody = z.object({ currentPassword: CurrentPassword, phoneNumber: PhoneNumber });
export type SmsEnrollBody = z.infer<typeof SmsEnrollBody>;
export const PhoneCodeSentResponse = z.object({
  message: z.string(),
  data: z.object({ sentTo: z.string(), resendAfter: IsoDate }),
});

// ---- Email verification

export const VerifyEmailBody = z
  .object({
    code: SixDigits.optional().describe('The code from the mail; needs the user signed in'),
    token: z.string().trim().min(1).max(256).optional().describe("The link's token; works signed out too"),
  })
  .refine((body) => (body.code === undefined) !== (body.token === undefined), {
    message: 'send either code or token',
    path: ['code'],
  });
export type VerifyEmailBody = z.infer<typeof VerifyEmailBody>;
export const VerifyEmailResponse = z.object({
  message: z.string(),
  data: z.object({ email: z.string(), emailVerified: z.literal(true) }),
});
export const VerificationSentResponse = z.object({
  message: z.string(),
  data: z.object({ sentTo: z.string(), resendAfter: IsoDate }),
});

// ---- Password reset

export const ForgotPasswordBody = z.object({ email: z.string().trim().min(1, 'is required').max(254) });
export type ForgotPasswordBody = z.infer<typeof ForgotPasswordBody>;
export const ResetPasswordBody = z.object({
  token: z.string().trim().min(1, 'is required').max(256),
  newPassword: Password,
});
export type ResetPasswordBody = z.infer<typeof ResetPasswordBody>;

// ---- Sessions

export const SessionInfo = z
  .object({
    sessionId: Id,
    device: z.string().describe('Browser and system, read from the user agent'),
    ipAddress: z.string(),
    userAgent: z.string(),
    createdAt: IsoDate.describe('When this sign-in happened'),
    lastUsedAt: IsoDate.describe('The last sign-in or token refresh'),
    expiresAt: IsoDate.describe('Ends then unless refreshed first (never past the absolute end)'),
    current: z.boolean().describe('The session making this request'),
  })
  .meta({ id: 'SessionInfo' });
export type SessionInfo = z.infer<typeof SessionInfo>;
export const SessionListResponse = z.object({ data: z.array(SessionInfo) });
export const SessionParams = z.object({ sessionId: Id });
export const RevokeOthersResponse = z.object({ message: z.string(), data: z.object({ revoked: z.number().int() }) });
