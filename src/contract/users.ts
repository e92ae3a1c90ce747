import { z } from 'zod';
import { Id, IsoDate, messageDataEnvelope, PageQuery, pageEnvelope, StudyTime, UserRole } from './common.js';

/** The account as its owner sees it (registration, profile updates). */
export const UserAccount = z
  .object({
    id: Id,
    email: z.string(),
    firstName: z.string(),
    lastName: z.string(),
    username: z.string(),
    role: UserRole,
    avatarUrl: z.string(),
    notificationPreference: z.boolean(),
    preferredStudyTime: StudyTime,
    weeklyLearningGoal: z.number().int(),
    currentStreak: z.number().int(),
    lastLearned: IsoDate.nullable(),
    createdAt: IsoDate,
    updatedAt: IsoDate,
    emailVerified: z.boolean().describe('Whether the user has confirmed that they receive mail at this email'),
  })
  .meta({ id: 'UserAccount' });
export type UserAccount = z.infer<typeof UserAccount>;

export const Username = z
  .string()
  .trim()
  .min(3, 'must be at least 3 characters')
  .max(30, 'must be at most 30 characters')
  .regex(/^[A-Za-z0-9_.-]+$/, 'may contain only letters, digits, _ . and -');
export const Email = z
  .email({ error: 'must be a valid email address' })
  .max(254)
  .transform((v) => v.trim().toLowerCase());
export const Password = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(128, 'must be at most 128 characters');
export const PersonName = z.string().trim().min(1, 'is required').max(100);

// ---- User administration (admins)

export const UserStatus = z.enum(['active', 'suspended']);
export type UserStatus = z.infer<typeof UserStatus>;

/** The account as admins see it: with its status and, while suspended, when and why. */
export const AdminUserAccount = UserAccount.extend({
  status: UserStatus,
  suspendedAt: IsoDate.nullable(),
  suspensionReason: z.string().nullable(),
}).meta({ id: 'AdminUserAccount' });
export type AdminUserAccount = z.infer<typeof AdminUserAccount>;

export const ListUsersQuery = PageQuery.extend({
  search: z
    .string()
    .trim()
    .max(100, 'must be at most 100 characters')
    .optional()
    .describe('Part of the name, email or username, ignoring case'),
  role: UserRole.optional(),
  status: UserStatus.optional(),
});
export type ListUsersQuery = z.infer<typeof ListUsersQuery>;
export const ListUsersResponse = pageEnvelope(AdminUserAccount);

export const UpdateRoleBody = z.object({ role: UserRole });
export type UpdateRoleBody = z.infer<typeof UpdateRoleBody>;

export const SuspendUserBody = z
  .object({ reason: z.string().trim().max(500, 'must be at most 500 characters').optional() })
  .nullish()
  .describe('Optional; the reason is shown to admins');
export type SuspendUserBody = z.infer<typeof SuspendUserBody>;

export const AdminUserResponse = messageDataEnvelope(AdminUserAccount);

// ---- GET /api/users/:userId/activity

export const ActivityType = z.enum([
  'signed_in',
  'course_enrolled',
  'lesson_completed',
  'assignment_submitted',
  'quiz_completed',
  'assignment_graded',
  'course_completed',
  'achievement_earned',
  'course_rated',
]);
export type ActivityType = z.infer<typeof ActivityType>;

export const ActivityQuery = PageQuery.extend({ type: ActivityType.optional() });
export type ActivityQuery = z.infer<typeof ActivityQuery>;

export const ActivityEntry = z
  .object({
    activityId: Id,
    type: ActivityType,
    title: z.string(),
    courseId: Id.nullable(),
    courseTitle: z.string().nullable(),
    entityId: z.string().nullable().describe('The lesson, submission, attempt or badge the entry is about'),
    timestamp: IsoDate,
  })
  .meta({ id: 'ActivityEntry' });
export type ActivityEntry = z.infer<typeof ActivityEntry>;
export const ActivityLogResponse = pageEnvelope(ActivityEntry);
