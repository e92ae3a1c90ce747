// The authorization matrix: for every API route, the request each caller sends (for a target they may
// reach, `owned`, and one they may not, `foreign`: see authz-world.ts) and the status each role gets.
// test/security-authorization.test.ts runs it against the server's route table; a route missing here
// fails that test. An expectation is one status, or [owned, foreign].
import { uniqueSuffix, type TestUser } from './api.js';
import { TEST_PASSWORD } from './constants.js';
import { pngBytes } from './files.js';
import { sampleRubric } from './grading.js';
import { sampleQuestions } from './quizzes.js';
import { factories, freshSession, type Ownership, register, type Role, type Side, type World } from './authz-world.js';

export interface Call {
  path: string;
  body?: unknown;
  query?: Record<string, string>;
  /** null: no credentials at all; a string: this access token instead of the caller's. */
  token?: string | null;
  /** Sent as multipart/form-data with one `file` part. */
  upload?: { bytes: Buffer; fileName: string };
}

export interface Context {
  world: World;
  role: Role;
  ownership: Ownership;
  /** The caller; undefined when anonymous. */
  caller: TestUser | undefined;
  /** The course side the caller may reach (owned) or not (foreign). */
  side: Side;
  /** The learner of that side: `student` (the caller, when a student) or `otherStudent`. */
  learner: TestUser;
  /** The instructor teaching that side. */
  teacher: TestUser;
  make: ReturnType<typeof factories>;
}

export type Expectation = number | readonly [owned: number, foreign: number];

export interface RouteCase {
  call(context: Context): Call | Promise<Call>;
  expect: Record<Role, Expectation>;
}

const anyone = (status: number): Record<Role, Expectation> => ({ anonymous: status, student: status, instructor: status, admin: status });
const signedIn = (status: number): Record<Role, Expectation> => ({ anonymous: 401, student: status, instructor: status, admin: status });
const adminOnly = (status: number): Record<Role, Expectation> => ({ anonymous: 401, student: 403, instructor: 403, admin: status });
/** The course's instructor and admins. */
const courseStaff = (status: number, instructorForeign = 403): Record<Role, Expectation> => ({
  anonymous: 401,
  student: 403,
  instructor: [status, instructorForeign],
  admin: status,
});
/** The course's instructor, admins and its enrolled students. */
const courseMembers = (status: number, studentForeign = 403, instructorForeign = 403): Record<Role, Expectation> => ({
  anonymous: 401,
  student: [status, studentForeign],
  instructor: [status, instructorForeign],
  admin: status,
});
/** The learner themselves, the instructors of their courses, admins. */
const learnerWatchers = (status: number): Record<Role, Expectation> => ({ anonymous: 401, student: [status, 403], instructor: [status, 403], admin: status });

const caller = (c: Context): TestUser => c.caller ?? c.world.student;
const password = (c: Context) => (c.caller ? c.caller.password : TEST_PASSWORD);
const WRONG_PASSWORD = 'Not-the-password-1';
const NO_CHALLENGE = '00000000-0000-4000-8000-00000000c0de';
const ROLE_SCOPE: Record<Role, string> = { anonymous: 'profile:edit', student: 'courses:enroll', instructor: 'courses:create', admin: 'audit:read' };
const ownKey = (c: Context): string => (c.role === 'anonymous' ? c.world.keys.student : c.world.keys[c.role]);
const keyOf = (c: Context) => (c.ownership === 'owned' ? ownKey(c) : c.world.keys.otherStudent);
/** The owner of a fresh key for the call: the caller (owned) or otherStudent. */
const keyOwner = (c: Context) => (c.ownership === 'owned' ? caller(c) : c.world.otherStudent);
const registration = () => {
  const suffix = uniqueSuffix();
  return { email: `mx-${suffix}@matrix.skilled`, password: TEST_PASSWORD, firstName: 'New', lastName: 'User', username: `mx_${suffix}` };
};
const freshStudent = (c: Context) => register(c.world.url, 'student');
const webhookOwner = (c: Context) => c.teacher;

export const matrix: Record<string, RouteCase> = {
  // ---- system
  'GET /api/health': { call: () => ({ path: '/api/health' }), expect: anyone(200) },
  'GET /api/ready': { call: () => ({ path: '/api/ready' }), expect: anyone(200) },
  'POST /api/batch': { call: () => ({ path: '/api/batch', body: { requests: [{ method: 'GET', path: '/api/health' }] } }), expect: signedIn(200) },

  // ---- registration, sign-in, sessions
  'POST /api/users/register': { call: () => ({ path: '/api/users/register', body: registration() }), expect: anyone(201) },
  'POST /api/auth/signup': { call: () => ({ path: '/api/auth/signup', body: registration() }), expect: anyone(201) },
  'POST /api/auth/signin': { call: (c) => ({ path: '/api/auth/signin', body: { email: caller(c).email, password: password(c) } }), expect: anyone(200) },
  'POST /api/auth/login': { call: (c) => ({ path: '/api/auth/login', body: { email: caller(c).email, password: password(c) } }), expect: anyone(200) },
  'POST /api/auth/login/mfa': {
    call: () => ({ path: '/api/auth/login/mfa', body: { challengeId: NO_CHALLENGE, method: 'totp', code: '123456' } }),
    expect: anyone(401),
  },
  'POST /api/auth/login/mfa/send': {
    call: () => ({ path: '/api/auth/login/mfa/send', body: { challengeId: NO_CHALLENGE, method: 'email' } }),
    expect: anyone(401),
  },
  'GET /api/auth/check': { call: () => ({ path: '/api/auth/check' }), expect: anyone(200) },
  'POST /api/auth/refresh': {
    call: async (c) => ({ path: '/api/auth/refresh', token: null, body: { refreshToken: (await freshSession(c.world.url, caller(c))).refreshToken } }),
    expect: anyone(200),
  },
  'POST /api/auth/signout': {
    call: async (c) => ({ path: '/api/auth/signout', ...(c.caller ? { token: (await freshSession(c.world.url, c.caller)).token } : {}) }),
    expect: anyone(200),
  },
  'GET /api/auth/sessions': { call: () => ({ path: '/api/auth/sessions' }), expect: signedIn(200) },
  'DELETE /api/auth/sessions/:sessionId': {
    call: async (c) => ({
      path: `/api/auth/sessions/${await c.make.otherSessionId(c.ownership === 'owned' ? caller(c) : c.world.otherStudent)}`,
    }),
    expect: { anonymous: 401, student: [200, 404], instructor: [200, 404], admin: [200, 404] },
  },
  'POST /api/auth/sessions/revoke-others': { call: () => ({ path: '/api/auth/sessions/revoke-others' }), expect: signedIn(200) },
  'POST /api/auth/password/forgot': { call: (c) => ({ path: '/api/auth/password/forgot', body: { email: caller(c).email } }), expect: anyone(202) },
  'POST /api/auth/password/reset': {
    call: () => ({ path: '/api/auth/password/reset', body: { token: 'not-a-reset-token', newPassword: 'A-new-password-42' } }),
    expect: anyone(400),
  },
  'POST /api/auth/verify-email': { call: () => ({ path: '/api/auth/verify-email', body: { code: '000000' } }), expect: signedIn(400) },
  // a verification mail went out at registration: another one so soon is refused
  'POST /api/auth/verify-email/resend': { call: () => ({ path: '/api/auth/verify-email/resend' }), expect: signedIn(429) },

  // ---- multi-factor authentication: only ever one's own; a wrong password keeps the callers' accounts as they are
  'GET /api/auth/mfa': { call: () => ({ path: '/api/auth/mfa' }), expect: signedIn(200) },
  'POST /api/auth/mfa/totp/enroll': { call: () => ({ path: '/api/auth/mfa/totp/enroll', body: { currentPassword: WRONG_PASSWORD } }), expect: signedIn(403) },
  'POST /api/auth/mfa/totp/confirm': { call: () => ({ path: '/api/auth/mfa/totp/confirm', body: { code: '123456' } }), expect: signedIn(409) },
  'POST /api/auth/mfa/totp/disable': {
    call: () => ({ path: '/api/auth/mfa/totp/disable', body: { currentPassword: WRONG_PASSWORD, code: '123456' } }),
    expect: signedIn(403),
  },
  'POST /api/auth/mfa/recovery-codes': { call: () => ({ path: '/api/auth/mfa/recovery-codes', body: { currentPassword: WRONG_PASSWORD } }), expect: signedIn(403) },
  'POST /api/auth/mfa/sms/enroll': {
    call: () => ({ path: '/api/auth/mfa/sms/enroll', body: { currentPassword: WRONG_PASSWORD, phoneNumber: '+441234567890' } }),
    expect: signedIn(403),
  },
  'POST /api/auth/mfa/sms/confirm': { call: () => ({ path: '/api/auth/mfa/sms/confirm', body: { code: '123456' } }), expect: signedIn(401) },
  'POST /api/auth/mfa/sms/disable': { call: () => ({ path: '/api/auth/mfa/sms/disable', body: { currentPassword: WRONG_PASSWORD } }), expect: signedIn(403) },
  'POST /api/auth/mfa/email/enable': { call: () => ({ path: '/api/auth/mfa/email/enable', body: { currentPassword: WRONG_PASSWORD } }), expect: signedIn(403) },
  'POST /api/auth/mfa/email/disable': { call: () => ({ path: '/api/auth/mfa/email/disable', body: { currentPassword: WRONG_PASSWORD } }), expect: signedIn(403) },

  // ---- users and profiles
  'GET /api/users/:userId/profile': { call: (c) => ({ path: `/api/users/${c.learner.id}/profile` }), expect: signedIn(200) },
  'GET /api/users': { call: () => ({ path: '/api/users' }), expect: adminOnly(200) },
  'PUT /api/users/:userId/role': {
    call: async (c) => ({ path: `/api/users/${(await freshStudent(c)).id}/role`, body: { role: 'instructor' } }),
    expect: adminOnly(200),
  },
  'POST /api/users/:userId/suspend': {
    call: async (c) => ({ path: `/api/users/${(await freshStudent(c)).id}/suspend`, body: { reason: 'matrix' } }),
    expect: adminOnly(200),
  },
  'POST /api/users/:userId/unsuspend': { call: async (c) => ({ path: `/api/users/${(await freshStudent(c)).id}/unsuspend` }), expect: adminOnly(200) },
  'GET /api/users/:userId/activity': {
    call: (c) => ({ path: `/api/users/${c.ownership === 'owned' ? caller(c).id : c.world.otherStudent.id}/activity` }),
    expect: { anonymous: 401, student: [200, 403], instructor: [200, 403], admin: 200 },
  },
  'PUT /api/profile/update': {
    call: (c) => ({ path: '/api/profile/update', body: { userId: c.ownership === 'owned' ? caller(c).id : c.world.otherStudent.id, lastName: 'Matrix' } }),
    expect: { anonymous: 401, student: [200, 403], instructor: [200, 403], admin: 200 },
  },
  'PUT /api/profile/preferences': {
    call: (c) => ({
      path: '/api/profile/preferences',
      body: { userId: c.ownership === 'owned' ? caller(c).id : c.world.otherStudent.id, weeklyLearningGoal: 300 },
    }),
    expect: { anonymous: 401, student: [200, 403], instructor: [200, 403], admin: 200 },
  },
  'POST /api/profile/check-username': { call: () => ({ path: '/api/profile/check-username', body: { username: `free_${uniqueSuffix()}` } }), expect: anyone(200) },

  // ---- courses and enrolments
  'GET /api/courses': { call: () => ({ path: '/api/courses' }), expect: anyone(200) },
  'POST /api/courses': {
    call: (c) => {
      // owned: for oneself (admins: for `instructor`); foreign: for otherInstructor
      const instructorId = c.ownership === 'foreign' ? c.world.otherInstructor.id : c.role === 'admin' ? c.world.instructor.id : undefined;
      return {
        path: '/api/courses',
        body: { title: `Matrix ${uniqueSuffix()}`, category: 'design', difficultyLevel: 'beginner', ...(instructorId ? { instructorId } : {}) },
      };
    },
    expect: { anonymous: 401, student: 403, instructor: [201, 403], admin: 201 },
  },
  'GET /api/courses/:courseId': { call: (c) => ({ path: `/api/courses/${c.side.courseId}` }), expect: anyone(200) },
  'PUT /api/courses/:courseId': { call: (c) => ({ path: `/api/courses/${c.side.courseId}`, body: { description: 'Edited by the matrix' } }), expect: courseStaff(200) },
  'DELETE /api/courses/:courseId': { call: async (c) => ({ path: `/api/courses/${await c.make.course(c.teacher)}` }), expect: courseStaff(200) },
  'GET /api/courses/:courseId/ratings': { call: (c) => ({ path: `/api/courses/${c.side.courseId}/ratings` }), expect: anyone(200) },
  'POST /api/courses/:courseId/ratings': {
    call: (c) => ({ path: `/api/courses/${c.side.courseId}/ratings`, body: { rating: 4, review: 'Good' } }),
    expect: { anonymous: 401, student: [201, 403], instructor: 403, admin: 403 },
  },
  'POST /api/courses/:courseId/enroll': {
    // Any student may enrol anywhere: a student's two courses are both `instructor`'s, so that the
    // student never comes to share a course with otherInstructor (which would open messaging).
    call: async (c) => ({ path: `/api/courses/${await c.make.course(c.role === 'student' ? c.world.instructor : c.teacher)}/enroll` }),
    expect: { anonymous: 401, student: 201, instructor: [400, 403], admin: 403 },
  },
  'DELETE /api/courses/:courseId/enroll': {
    call: async (c) => {
      const courseId = await c.make.course(c.teacher);
      const enrolled = c.ownership === 'owned' && c.role === 'student' ? c.world.student : await freshStudent(c);
      await c.make.enroll(enrolled, courseId);
      return { path: `/api/courses/${courseId}/enroll`, ...(c.role === 'admin' ? { query: { studentId: enrolled.id } } : {}) };
    },
    expect: { anonymous: 401, student: [200, 404], instructor: 403, admin: 200 },
  },
  'GET /api/courses/:courseId/progress': {
    call: (c) => ({ path: `/api/courses/${c.side.courseId}/progress`, ...(c.role === 'student' ? {} : { query: { studentId: c.learner.id } }) }),
    expect: courseMembers(200),
  },
  'POST /api/courses/:courseId/enrollments/bulk': {
    call: async (c) => ({
      path: `/api/courses/${c.side.courseId}/enrollments/bulk`,
      body: { students: [{ studentId: (await freshStudent(c)).id }], mode: 'per_row' },
    }),
    expect: courseStaff(200),
  },

  // ---- lessons
  'GET /api/courses/:courseId/lessons': { call: (c) => ({ path: `/api/courses/${c.side.courseId}/lessons` }), expect: anyone(200) },
  'POST /api/courses/:courseId/lessons': {
    call: (c) => ({ path: `/api/courses/${c.side.courseId}/lessons`, body: { title: `Lesson ${uniqueSuffix()}` } }),
    expect: courseStaff(201),
  },
  'GET /api/courses/:courseId/lessons/:lessonId': { call: (c) => ({ path: `/api/courses/${c.side.courseId}/lessons/${c.side.lessonId}` }), expect: anyone(200) },
  'PUT /api/courses/:courseId/lessons/:lessonId': {
    call: (c) => ({ path: `/api/courses/${c.side.courseId}/lessons/${c.side.lessonId}`, body: { description: 'Edited by the matrix' } }),
    expect: courseStaff(200),
  },
  'DELETE /api/courses/:courseId/lessons/:lessonId': {
    call: async (c) => ({ path: `/api/courses/${c.side.courseId}/lessons/${await c.make.lesson(c.teacher, c.side.courseId)}` }),
    expect: courseStaff(200),
  },
  'POST /api/courses/:courseId/lessons/reorder': {
    call: async (c) => {
      const lessons = (await c.make.call('GET', `/api/courses/${c.side.courseId}/lessons`, undefined)).body.data as { lessonId: string }[];
      return { path: `/api/courses/${c.side.courseId}/lessons/reorder`, body: { lessonIds: lessons.map((l) => l.lessonId) } };
    },
    expect: courseStaff(200),
  },
  'POST /api/lessons/complete': {
    call: (c) => ({ path: '/api/lessons/complete', body: { lessonId: c.side.lessonId } }),
    expect: { anonymous: 401, student: [201, 403], instructor: 403, admin: 403 },
  },

  // ---- lesson content, media, files
  'POST /api/lessons/:lessonId/content': {
    call: (c) => ({ path: `/api/lessons/${c.side.lessonId}/content`, body: { body: '# Edited\n\nBy the matrix.' } }),
    expect: courseStaff(201),
  },
  'GET /api/lessons/:lessonId/content': { call: (c) => ({ path: `/api/lessons/${c.side.lessonId}/content` }), expect: courseMembers(200) },
  'POST /api/lessons/:lessonId/media': {
    call: (c) => ({ path: `/api/lessons/${c.side.lessonId}/media`, upload: { bytes: pngBytes(), fileName: 'figure.png' } }),
    expect: courseStaff(201),
  },
  'GET /api/lessons/:lessonId/media': { call: (c) => ({ path: `/api/lessons/${c.side.lessonId}/media` }), expect: courseMembers(200) },
  'GET /api/lessons/:lessonId/download': { call: (c) => ({ path: `/api/lessons/${c.side.lessonId}/download` }), expect: courseMembers(200) },
  'POST /api/uploads': { call: () => ({ path: '/api/uploads', upload: { bytes: Buffer.from('some notes\n'), fileName: 'notes.txt' } }), expect: signedIn(201) },
  // the student's own upload, attached to a submission in the course
  'GET /api/files/:fileId': { call: (c) => ({ path: `/api/files/${c.side.fileId}` }), expect: courseMembers(200) },

  // ---- assignments and grading
  'POST /api/assignments': {
    call: (c) => ({ path: '/api/assignments', body: { courseId: c.side.courseId, title: `Task ${uniqueSuffix()}`, points: 10 } }),
    expect: courseStaff(201),
  },
  'GET /api/assignments': { call: () => ({ path: '/api/assignments' }), expect: signedIn(200) },
  // the list itself is public, as the course details are; a learner's submissions are not
  'GET /api/courses/:courseId/assignments': {
    call: (c) => ({ path: `/api/courses/${c.side.courseId}/assignments`, query: { studentId: c.learner.id } }),
    expect: learnerWatchers(200),
  },
  'GET /api/assignments/:assignmentId': { call: (c) => ({ path: `/api/assignments/${c.side.assignmentId}` }), expect: courseMembers(200) },
  'PUT /api/assignments/:assignmentId': {
    call: (c) => ({ path: `/api/assignments/${c.side.assignmentId}`, body: { description: 'Edited by the matrix' } }),
    expect: courseStaff(200),
  },
  'DELETE /api/assignments/:assignmentId': {
    call: async (c) => ({ path: `/api/assignments/${await c.make.assignment(c.teacher, c.side.courseId)}` }),
    expect: courseStaff(200),
  },
  'POST /api/assignments/submit': {
    call: async (c) => ({
      path: '/api/assignments/submit',
      body: { assignmentId: await c.make.assignment(c.teacher, c.side.courseId), submissionContent: 'Handed in' },
    }),
    expect: { anonymous: 401, student: [201, 403], instructor: 403, admin: 403 },
  },
  'POST /api/assignments/:assignmentId/rubric': {
    call: (c) => ({ path: `/api/assignments/${c.side.assignmentId}/rubric`, body: { criteria: sampleRubric() } }),
    expect: courseStaff(200),
  },
  'GET /api/assignments/:assignmentId/rubric': { call: (c) => ({ path: `/api/assignments/${c.side.assignmentId}/rubric` }), expect: courseMembers(200) },
  'POST /api/assignments/:assignmentId/grade': {
    call: (c) => ({ path: `/api/assignments/${c.side.assignmentId}/grade`, body: { submissionId: c.side.submissionId, grade: 80, feedback: 'Good' } }),
    expect: courseStaff(200),
  },
  'POST /api/assignments/:assignmentId/grades/bulk': {
    call: (c) => ({
      path: `/api/assignments/${c.side.assignmentId}/grades/bulk`,
      body: { grades: [{ submissionId: c.side.submissionId, grade: 85, feedback: 'Better' }] },
    }),
    expect: courseStaff(200),
  },
  'GET /api/assignments/:assignmentId/submissions': { call: (c) => ({ path: `/api/assignments/${c.side.assignmentId}/submissions` }), expect: courseStaff(200) },
  'GET /api/assignments/:assignmentId/feedback': {
    call: (c) => ({ path: `/api/assignments/${c.side.assignmentId}/feedback`, ...(c.role === 'student' ? {} : { query: { studentId: c.learner.id } }) }),
    expect: courseMembers(200),
  },
  'GET /api/grades/:userId': { call: (c) => ({ path: `/api/grades/${c.learner.id}` }), expect: learnerWatchers(200) },

  // ---- quizzes
  'POST /api/quizzes': {
    call: (c) => ({ path: '/api/quizzes', body: { courseId: c.side.courseId, title: 'Matrix quiz', questions: sampleQuestions() } }),
    expect: courseStaff(201),
  },
  'GET /api/quizzes/:quizId': { call: (c) => ({ path: `/api/quizzes/${c.side.quizId}` }), expect: courseMembers(200) },
  'PUT /api/quizzes/:quizId': { call: (c) => ({ path: `/api/quizzes/${c.side.quizId}`, body: { title: 'Renamed by the matrix' } }), expect: courseStaff(200) },
  'DELETE /api/quizzes/:quizId': { call: async (c) => ({ path: `/api/quizzes/${await c.make.quiz(c.teacher, c.side.courseId)}` }), expect: courseStaff(200) },
  'GET /api/courses/:courseId/quizzes': { call: (c) => ({ path: `/api/courses/${c.side.courseId}/quizzes` }), expect: courseMembers(200) },
  'POST /api/quizzes/:quizId/attempts': {
    call: (c) => ({ path: `/api/quizzes/${c.side.quizId}/attempts` }),
    expect: { anonymous: 401, student: [201, 403], instructor: 403, admin: 403 },
  },
  'POST /api/quizzes/:quizId/attempts/:attemptId/submit': {
    call: async (c) => {
      const { quizId, attemptId } = await c.make.attempt(c.teacher, c.ownership === 'owned' ? c.world.student : c.world.otherStudent, c.side.courseId);
      return { path: `/api/quizzes/${quizId}/attempts/${attemptId}/submit`, body: { answers: [] } };
    },
    expect: { anonymous: 401, student: [200, 403], instructor: 403, admin: 403 },
  },
  'GET /api/quizzes/:quizId/results': { call: (c) => ({ path: `/api/quizzes/${c.side.quizId}/results` }), expect: courseMembers(200) },

  // ---- progress and analytics
  'GET /api/analytics': { call: () => ({ path: '/api/analytics' }), expect: signedIn(200) },
  'GET /api/analytics/:userId': { call: (c) => ({ path: `/api/analytics/${c.learner.id}` }), expect: learnerWatchers(200) },
  'GET /api/analytics/:userId/courses': { call: (c) => ({ path: `/api/analytics/${c.learner.id}/courses` }), expect: learnerWatchers(200) },
  'GET /api/achievements/:studentId': { call: (c) => ({ path: `/api/achievements/${c.learner.id}` }), expect: learnerWatchers(200) },
  'GET /api/recommendations': { call: () => ({ path: '/api/recommendations' }), expect: signedIn(200) },
  'GET /api/analytics/report': {
    call: (c) => ({ path: '/api/analytics/report', query: { format: 'csv', userId: c.learner.id } }),
    expect: learnerWatchers(200),
  },
  'GET /api/search': { call: () => ({ path: '/api/search', query: { q: 'matrix' } }), expect: signedIn(200) },

  // ---- administration, reports, exports, audit
  'GET /api/admin/reports': { call: () => ({ path: '/api/admin/reports', query: { type: 'enrollments' } }), expect: adminOnly(200) },
  'POST /api/admin/export': { call: () => ({ path: '/api/admin/export', body: { entities: ['courses'], format: 'json' } }), expect: adminOnly(202) },
  'GET /api/admin/exports': { call: () => ({ path: '/api/admin/exports' }), expect: adminOnly(200) },
  'GET /api/admin/exports/:exportId': { call: (c) => ({ path: `/api/admin/exports/${c.world.exportId}` }), expect: adminOnly(200) },
  'GET /api/admin/exports/:exportId/download': { call: (c) => ({ path: `/api/admin/exports/${c.world.exportId}/download` }), expect: adminOnly(200) },
  'GET /api/admin/audit-log': { call: () => ({ path: '/api/admin/audit-log' }), expect: adminOnly(200) },
  'POST /api/admin/fix-assignments': { call: () => ({ path: '/api/admin/fix-assignments' }), expect: adminOnly(200) },
  'GET /api/admin/analytics': { call: () => ({ path: '/api/admin/analytics' }), expect: adminOnly(200) },
  'GET /api/courses/:courseId/at-risk': { call: (c) => ({ path: `/api/courses/${c.side.courseId}/at-risk` }), expect: courseStaff(200) },
  'GET /api/admin/signing-keys': { call: () => ({ path: '/api/admin/signing-keys' }), expect: adminOnly(200) },
  'POST /api/admin/signing-keys/rotate': { call: () => ({ path: '/api/admin/signing-keys/rotate' }), expect: adminOnly(201) },

  // ---- API keys: one's own; admins anyone's
  'GET /api/api-keys': {
    call: (c) => ({ path: '/api/api-keys', ...(c.ownership === 'foreign' ? { query: { userId: c.world.otherStudent.id } } : {}) }),
    expect: { anonymous: 401, student: [200, 403], instructor: [200, 403], admin: 200 },
  },
  'POST /api/api-keys': {
    call: (c) => ({
      path: '/api/api-keys',
      body: {
        name: 'matrix',
        ...(c.ownership === 'owned' ? { scopes: [ROLE_SCOPE[c.role]] } : { scopes: ['profile:edit'], userId: c.world.otherStudent.id }),
      },
    }),
    expect: { anonymous: 401, student: [201, 403], instructor: [201, 403], admin: 201 },
  },
  'GET /api/api-keys/:keyId': { call: (c) => ({ path: `/api/api-keys/${keyOf(c)}` }), expect: { anonymous: 401, student: [200, 404], instructor: [200, 404], admin: 200 } },
  'DELETE /api/api-keys/:keyId': {
    call: async (c) => ({ path: `/api/api-keys/${await c.make.apiKey(keyOwner(c), ['profile:edit'])}` }),
    expect: { anonymous: 401, student: [200, 404], instructor: [200, 404], admin: 200 },
  },
  'POST /api/api-keys/:keyId/rotate': {
    call: async (c) => ({ path: `/api/api-keys/${await c.make.apiKey(keyOwner(c), ['profile:edit'])}/rotate` }),
    expect: { anonymous: 401, student: [201, 404], instructor: [201, 404], admin: 201 },
  },

  // ---- outgoing webhooks: instructors for the courses they teach, admins for any
  'POST /api/webhooks': {
    call: (c) => ({ path: '/api/webhooks', body: { url: 'http://localhost:9/matrix', eventTypes: ['lesson.completed'], courseId: c.side.courseId } }),
    expect: courseStaff(201),
  },
  'GET /api/webhooks': { call: () => ({ path: '/api/webhooks' }), expect: { anonymous: 401, student: 403, instructor: 200, admin: 200 } },
  'GET /api/webhooks/:webhookId': { call: (c) => ({ path: `/api/webhooks/${c.side.webhookId}` }), expect: courseStaff(200, 404) },
  'PATCH /api/webhooks/:webhookId': {
    call: (c) => ({ path: `/api/webhooks/${c.side.webhookId}`, body: { description: 'Edited by the matrix' } }),
    expect: courseStaff(200, 404),
  },
  'DELETE /api/webhooks/:webhookId': {
    call: async (c) => ({ path: `/api/webhooks/${await c.make.webhook(webhookOwner(c), c.side.courseId)}` }),
    expect: courseStaff(200, 404),
  },
  'POST /api/webhooks/:webhookId/rotate-secret': { call: (c) => ({ path: `/api/webhooks/${c.side.webhookId}/rotate-secret` }), expect: courseStaff(200, 404) },
  'GET /api/webhooks/:webhookId/deliveries': { call: (c) => ({ path: `/api/webhooks/${c.side.webhookId}/deliveries` }), expect: courseStaff(200, 404) },
  'POST /api/webhooks/:webhookId/deliveries/:deliveryId/replay': {
    call: (c) => ({ path: `/api/webhooks/${c.side.webhookId}/deliveries/${c.side.deliveryId}/replay` }),
    expect: courseStaff(202, 404),
  },
  'POST /api/webhooks/:webhookId/ping': { call: (c) => ({ path: `/api/webhooks/${c.side.webhookId}/ping` }), expect: courseStaff(200, 404) },

  // ---- announcements, messages, notifications
  'POST /api/announcements': {
    call: (c) => ({ path: '/api/announcements', body: { courseId: c.side.courseId, title: 'Matrix', body: 'Hello' } }),
    expect: courseStaff(201),
  },
  'GET /api/announcements': { call: (c) => ({ path: '/api/announcements', query: { courseId: c.side.courseId } }), expect: courseMembers(200) },
  'POST /api/messages': {
    call: (c) => {
      // someone the caller shares a course with (owned), or a stranger (foreign)
      const recipient = c.role === 'instructor' ? c.learner : c.teacher;
      return { path: '/api/messages', body: { recipientId: recipient.id, body: 'Hello from the matrix' } };
    },
    expect: { anonymous: 401, student: [201, 403], instructor: [201, 403], admin: 201 },
  },
  'GET /api/messages': {
    call: (c) => ({ path: '/api/messages', query: { conversationId: c.side.conversationId } }),
    expect: { anonymous: 401, student: [200, 404], instructor: [200, 404], admin: [404, 404] },
  },
  'GET /api/messages/conversations': { call: () => ({ path: '/api/messages/conversations' }), expect: signedIn(200) },
  'POST /api/messages/conversations/:conversationId/read': {
    call: (c) => ({ path: `/api/messages/conversations/${c.side.conversationId}/read` }),
    expect: { anonymous: 401, student: [200, 404], instructor: [200, 404], admin: [404, 404] },
  },
  'GET /api/notifications': { call: () => ({ path: '/api/notifications' }), expect: signedIn(200) },
  'POST /api/notifications/read': { call: () => ({ path: '/api/notifications/read', body: { all: true } }), expect: signedIn(200) },
  'GET /api/notifications/preferences': { call: () => ({ path: '/api/notifications/preferences' }), expect: signedIn(200) },
  'PUT /api/notifications/preferences': { call: () => ({ path: '/api/notifications/preferences', body: { digest: 'off' } }), expect: signedIn(200) },

  // ---- real-time streams (answered with 200 and a stream, which the runner closes at once)
  'GET /api/events/assignments': { call: () => ({ path: '/api/events/assignments' }), expect: signedIn(200) },
  'GET /api/events/notifications': { call: () => ({ path: '/api/events/notifications' }), expect: signedIn(200) },
  'GET /api/events/course-progress': { call: () => ({ path: '/api/events/course-progress' }), expect: signedIn(200) },
};
