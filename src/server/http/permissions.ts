// Who may do what, by role: one table. Ownership (my course, my submission) is checked in services.
import type { UserRole } from '../../contract/common.js';

const studentPermissions = [
  'profile:edit',
  'courses:enroll',
  'courses:rate',
  'lessons:complete',
  'assignments:submit',
  'quizzes:take',
] as const;
const instructorPermissions = [
  'profile:edit',
  'courses:create',
  'courses:manage-own',
  'assignments:create',
  'assignments:grade-own',
  'analytics:view-own-students',
  'announcements:post',
  'webhooks:manage',
] as const;
const adminOnly = ['users:manage', 'admin:maintenance', 'analytics:view-all', 'courses:manage-all', 'data:export', 'audit:read'] as const;

export type Permission =
  | (typeof studentPermissions)[number]
  | (typeof instructorPermissions)[number]
  | (typeof adminOnly)[number];

export const rolePermissions: Record<UserRole, ReadonlySet<Permission>> = {
  student: new Set(studentPermissions),
  instructor: new Set(instructorPermissions),
  admin: new Set<Permission>([...instructorPermissions, ...adminOnly]),
};

export const can = (role: UserRole, permission: Permission): boolean => rolePermissions[role].has(permission);
