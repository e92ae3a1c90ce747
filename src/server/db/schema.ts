// The whole platform's tables. Column names are snake_case in SQL, camelCase in TypeScript;
// what a client sees of a row is built by a presenter, never the raw row.
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  check,
  customType,
  doublePrecision,
  index,
  bigint,
  bigserial,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * A jsonb value stored as `{ "value": ... }`. drizzle re-parses a top-level string read from jsonb, so a
 * stored "42" or "true" would come back as a number or a boolean; a wrapped value is never top-level.
 */
const wrappedJsonb = <T>(name: string) =>
  customType<{ data: T; driverData: unknown }>({
    dataType: () => 'jsonb',
    toDriver: (value) => JSON.stringify({ value }),
    fromDriver: (raw) => (typeof raw === 'string' ? (JSON.parse(raw) as { value: T }) : (raw as { value: T })).value,
  })(name);

export const userRole = pgEnum('user_role', ['student', 'instructor', 'admin']);
export const studyTime = pgEnum('study_time', ['morning', 'afternoon', 'evening', 'night']);
export const userStatus = pgEnum('user_status', ['active', 'suspended']);
export const courseCategory = pgEnum('course_category', [
  'programming',
  'design',
  'business',
  'marketing',
  'science',
  'language',
  'music',
  'art',
  'other',
]);
export const difficultyLevel = pgEnum('difficulty_level', ['beginner', 'intermediate', 'advanced']);
export const submissionStatus = pgEnum('submission_status', ['not_started', 'in_progress', 'submitted', 'graded']);
export const enrollmentStatus = pgEnum('enrollment_status', ['active', 'withdrawn']);
export const badgeType = pgEnum('badge_type', [
  'first_course',
  'seven_day_streak',
  'high_scorer',
  'early_bird',
  'perfect_score',
  'course_completer',
  'streak_master',
  'social_learner',
]);
export const questionType = pgEnum('question_type', [
  'single_choice',
  'multiple_choice',
  'true_false',
  'short_answer',
  'numeric',
]);
export const quizAttemptStatus = pgEnum('quiz_attempt_status', ['in_progress', 'submitted']);
export const activityType = pgEnum('activity_type', [
  'lesson_completed',
  'assignment_submitted',
  'quiz_completed',
  'course_enrolled',
  'course_completed',
  'assignment_graded',
  'achievement_earned',
  'course_rated',
  'signed_in',
]);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    username: text('username').notNull(),
    role: userRole('role').notNull().default('student'),
    status: userStatus('status').notNull().default('active'),
    // When and why an admin suspended the account; cleared when it is re-activated.
    suspendedAt: ts('suspended_at'),
    suspensionReason: text('suspension_reason'),
    avatarUrl: text('avatar_url').notNull().default(''),
    notificationPreference: boolean('notification_preference').notNull().default(true),
    preferredStudyTime: studyTime('preferred_study_time').notNull().default('morning'),
    weeklyLearningGoal: integer('weekly_learning_goal').notNull().default(300),
    currentStreak: integer('current_streak').notNull().default(0),
    longestStreak: integer('longest_streak').notNull().default(0),
    lastLearned: ts('last_learned'),
    // Null until the user proves they receive mail at `email`; cleared again when the email changes.
    emailVerifiedAt: ts('email_verified_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('users_email_unique').on(sql`lower(${t.email})`),
    uniqueIndex('users_username_unique').on(sql`lower(${t.username})`),
    index('users_role_idx').on(t.role),
    index('users_status_idx').on(t.status),
  ],
);

export const courses = pgTable(
  'courses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    thumbnailUrl: text('thumbnail_url').notNull().default(''),
    category: courseCategory('category').notNull(),
    difficultyLevel: difficultyLevel('difficulty_level').notNull(),
    instructorId: uuid('instructor_id')
      .notNull()
      .references(() => users.id, { onDelete: 'restrict' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('courses_instructor_idx').on(t.instructorId),
    index('courses_category_idx').on(t.category),
    index('courses_difficulty_idx').on(t.difficultyLevel),
    index('courses_created_idx').on(t.createdAt),
  ],
);

export const coursePrerequisites = pgTable(
  'course_prerequisites',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    prerequisiteId: uuid('prerequisite_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('course_prerequisites_pair_unique').on(t.courseId, t.prerequisiteId),
    index('course_prerequisites_prerequisite_idx').on(t.prerequisiteId),
    check('course_prerequisites_not_self', sql`${t.courseId} <> ${t.prerequisiteId}`),
  ],
);

export const lessons = pgTable(
  'lessons',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    order: integer('order').notNull(),
    estimatedTime: integer('estimated_time').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('lessons_course_order_unique').on(t.courseId, t.order),
    check('lessons_order_positive', sql`${t.order} >= 1`),
    check('lessons_estimated_time_nonnegative', sql`${t.estimatedTime} >= 0`),
  ],
);

export const courseEnrollments = pgTable(
  'course_enrollments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    studentId: uuid('student_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    status: enrollmentStatus('status').notNull().default('active'),
    enrolledAt: ts('enrolled_at').notNull().defaultNow(),
    completedAt: ts('completed_at'),
    withdrawnAt: ts('withdrawn_at'),
  },
  (t) => [
    uniqueIndex('course_enrollments_student_course_unique').on(t.studentId, t.courseId),
    index('course_enrollments_course_idx').on(t.courseId),
    index('course_enrollments_status_idx').on(t.status),
  ],
);

export const lessonCompletions = pgTable(
  'lesson_completions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    studentId: uuid('student_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    lessonId: uuid('lesson_id')
      .notNull()
      .references(() => lessons.id, { onDelete: 'cascade' }),
    // Denormalised so that per-course progress is one indexed count.
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    completedAt: ts('completed_at').notNull().defaultNow(),
    timeSpent: integer('time_spent'),
  },
  (t) => [
    uniqueIndex('lesson_completions_student_lesson_unique').on(t.studentId, t.lessonId),
    index('lesson_completions_student_course_idx').on(t.studentId, t.courseId),
    index('lesson_completions_lesson_idx').on(t.lessonId),
    index('lesson_completions_course_idx').on(t.courseId),
    index('lesson_completions_student_completed_idx').on(t.studentId, t.completedAt),
  ],
);

export const assignments = pgTable(
  'assignments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    lessonId: uuid('lesson_id').references(() => lessons.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    points: integer('points').notNull(),
    dueDate: ts('due_date'),
    rubricUrl: text('rubric_url'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('assignments_course_idx').on(t.courseId),
    index('assignments_lesson_idx').on(t.lessonId),
    index('assignments_due_idx').on(t.dueDate),
    check('assignments_points_positive', sql`${t.points} > 0`),
  ],
);

export const assignmentSubmissions = pgTable(
  'assignment_submissions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    studentId: uuid('student_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    assignmentId: uuid('assignment_id')
      .notNull()
      .references(() => assignments.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    status: submissionStatus('status').notNull().default('not_started'),
    startedAt: ts('started_at'),
    endedAt: ts('ended_at'),
    grade: real('grade'),
    feedback: text('feedback'),
    submissionContent: text('submission_content'),
    fileUrl: text('file_url'),
    fileName: text('file_name'),
    rubricUrl: text('rubric_url'),
    assignedAt: ts('assigned_at').notNull().defaultNow(),
    dueDate: ts('due_date'),
    submittedAt: ts('submitted_at'),
    isLate: boolean('is_late').notNull().default(false),
    gradedAt: ts('graded_at'),
    gradedBy: uuid('graded_by').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('assignment_submissions_student_assignment_unique').on(t.studentId, t.assignmentId),
    index('assignment_submissions_assignment_idx').on(t.assignmentId),
    index('assignment_submissions_student_course_idx').on(t.studentId, t.courseId),
    index('assignment_submissions_course_idx').on(t.courseId),
    index('assignment_submissions_status_idx').on(t.status),
    index('assignment_submissions_graded_by_idx').on(t.gradedBy),
    check('assignment_submissions_grade_nonnegative', sql`${t.grade} IS NULL OR ${t.grade} >= 0`),
  ],
);

export const quizzes = pgTable(
  'quizzes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    lessonId: uuid('lesson_id').references(() => lessons.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    description: text('description'),
    // minutes; fractional values allowed (at least 0.05, three seconds)
    timeLimit: doublePrecision('time_limit'),
    attemptsAllowed: integer('attempts_allowed'),
    passingScore: integer('passing_score'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('quizzes_course_idx').on(t.courseId), index('quizzes_lesson_idx').on(t.lessonId)],
);

export const quizQuestions = pgTable(
  'quiz_questions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    quizId: uuid('quiz_id')
      .notNull()
      .references(() => quizzes.id, { onDelete: 'cascade' }),
    order: integer('order').notNull(),
    type: questionType('type').notNull(),
    prompt: text('prompt').notNull(),
    options: jsonb('options').$type<string[]>().notNull().default([]),
    // Never leaves the server before the attempt is submitted. Option text for choices; accepted
    // strings for short answers (a single string in older rows).
    correctAnswer: wrappedJsonb<string | number | boolean | string[]>('correct_answer').notNull(),
    tolerance: real('tolerance'),
    points: integer('points').notNull().default(1),
  },
  (t) => [
    uniqueIndex('quiz_questions_quiz_order_unique').on(t.quizId, t.order),
    check('quiz_questions_points_nonnegative', sql`${t.points} >= 0`),
  ],
);

export const quizSubmissions = pgTable(
  'quiz_submissions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    quizId: uuid('quiz_id')
      .notNull()
      .references(() => quizzes.id, { onDelete: 'cascade' }),
    studentId: uuid('student_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    attemptNumber: integer('attempt_number').notNull().default(1),
    status: quizAttemptStatus('status').notNull().default('in_progress'),
    startedAt: ts('started_at').notNull().defaultNow(),
    submittedAt: ts('submitted_at'),
    score: real('score'),
    totalPoints: integer('total_points').notNull().default(0),
    answers: jsonb('answers').$type<Record<string, unknown>>().notNull().default({}),
    // startedAt + the quiz's time limit when the attempt began; null without a limit.
    deadline: ts('deadline'),
    // Submitted after the deadline and its grace: the answers are kept but not counted.
    late: boolean('late').notNull().default(false),
    // Never submitted; closed after its deadline when the student started another attempt.
    expired: boolean('expired').notNull().default(false),
    // Per question id: whether it was right and the points it earned (null for attempts graded before).
    results: jsonb('results').$type<Record<string, { correct: boolean; points: number }>>(),
  },
  (t) => [
    uniqueIndex('quiz_submissions_attempt_unique').on(t.quizId, t.studentId, t.attemptNumber),
    index('quiz_submissions_student_course_idx').on(t.studentId, t.courseId),
    index('quiz_submissions_course_idx').on(t.courseId),
    index('quiz_submissions_status_idx').on(t.status),
  ],
);

export const courseRatings = pgTable(
  'course_ratings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    studentId: uuid('student_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    rating: integer('rating').notNull(),
    review: text('review'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('course_ratings_student_course_unique').on(t.studentId, t.courseId),
    index('course_ratings_course_idx').on(t.courseId),
    check('course_ratings_range', sql`${t.rating} BETWEEN 1 AND 5`),
  ],
);

export const achievements = pgTable(
  'achievements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    studentId: uuid('student_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    badgeType: badgeType('badge_type').notNull(),
    earnedAt: ts('earned_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('achievements_student_badge_unique').on(t.studentId, t.badgeType)],
);

export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    // Every refresh token descending from one sign-in shares a family; reuse of a rotated token ends it.
    familyId: uuid('family_id').notNull(),
    refreshTokenHash: text('refresh_token_hash').notNull(),
    ipAddress: text('ip_address').notNull().default(''),
    userAgent: text('user_agent').notNull().default(''),
    createdAt: createdAt(),
    lastUsedAt: ts('last_used_at').notNull().defaultNow(),
    // When the family's sign-in happened, and the end it cannot outlive however often it is refreshed.
    signedInAt: ts('signed_in_at').notNull().defaultNow(),
    absoluteExpiresAt: ts('absolute_expires_at').notNull(),
    // This token's end: unused until then (idle), or the family's absolute end, whichever comes first.
    expiresAt: ts('expires_at').notNull(),
    rotatedAt: ts('rotated_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [
    uniqueIndex('sessions_refresh_token_hash_unique').on(t.refreshTokenHash),
    index('sessions_user_idx').on(t.userId),
    index('sessions_family_idx').on(t.familyId),
    index('sessions_user_live_idx')
      .on(t.userId, t.signedInAt)
      .where(sql`${t.revokedAt} is null and ${t.rotatedAt} is null`),
  ],
);

// Time actually spent learning: lesson completions within half an hour of each other join one session.
export const studySessions = pgTable(
  'study_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    startTime: ts('start_time').notNull(),
    endTime: ts('end_time').notNull(),
    duration: integer('duration').notNull(),
    lessonsCovered: jsonb('lessons_covered').$type<string[]>().notNull().default([]),
  },
  (t) => [
    index('study_sessions_user_start_idx').on(t.userId, t.startTime),
    index('study_sessions_user_course_idx').on(t.userId, t.courseId),
    index('study_sessions_course_idx').on(t.courseId),
    check('study_sessions_duration_nonnegative', sql`${t.duration} >= 0`),
  ],
);

// A user's learning timeline (recent activity, activity log).
export const activities = pgTable(
  'activities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: activityType('type').notNull(),
    title: text('title').notNull(),
    courseId: uuid('course_id').references(() => courses.id, { onDelete: 'set null' }),
    entityId: uuid('entity_id'),
    createdAt: createdAt(),
  },
  (t) => [
    index('activities_user_created_idx').on(t.userId, t.createdAt),
    index('activities_course_idx').on(t.courseId),
    index('activities_type_idx').on(t.type),
  ],
);

export const idempotencyStatus = pgEnum('idempotency_status', ['in_progress', 'completed']);

// The first response to a mutation sent with an Idempotency-Key, replayed for a repeat of it.
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    status: idempotencyStatus('status').notNull().default('in_progress'),
    responseStatus: integer('response_status'),
    responseBody: text('response_body'),
    responseContentType: text('response_content_type'),
    createdAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [
    uniqueIndex('idempotency_keys_user_key_unique').on(t.userId, t.key),
    index('idempotency_keys_expires_idx').on(t.expiresAt),
  ],
);

// Every mutation on the platform: who did what to which object, from where. Append-only: the API
// offers no way to change or delete a row, and the actor link survives the actor's deletion.
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    actorRole: userRole('actor_role'),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    before: jsonb('before').$type<Record<string, unknown>>(),
    after: jsonb('after').$type<Record<string, unknown>>(),
    ip: text('ip'),
    requestId: text('request_id'),
    createdAt: createdAt(),
  },
  (t) => [
    index('audit_log_created_idx').on(t.createdAt),
    index('audit_log_actor_idx').on(t.actorId, t.createdAt),
    index('audit_log_target_idx').on(t.targetType, t.targetId),
    index('audit_log_action_idx').on(t.action),
  ],
);

// An assignment's grading rubric: criteria, each with levels worth points. Set as a whole (the previous
// criteria are deleted), so grades keep a copy of the criteria and levels they were given with.
export const rubricCriteria = pgTable(
  'rubric_criteria',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    assignmentId: uuid('assignment_id')
      .notNull()
      .references(() => assignments.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    title: text('title').notNull(),
    description: text('description'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('rubric_criteria_assignment_position_unique').on(t.assignmentId, t.position)],
);

export const rubricLevels = pgTable(
  'rubric_levels',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    criterionId: uuid('criterion_id')
      .notNull()
      .references(() => rubricCriteria.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    title: text('title').notNull(),
    description: text('description'),
    points: integer('points').notNull(),
  },
  (t) => [
    uniqueIndex('rubric_levels_criterion_position_unique').on(t.criterionId, t.position),
    check('rubric_levels_points_nonnegative', sql`${t.points} >= 0`),
  ],
);

/** One criterion's score as it was given: titles are copied, so a later rubric change cannot rewrite it. */
export interface RubricScoreRecord {
  criterionId: string;
  criterionTitle: string;
  levelId?: string;
  levelTitle?: string;
  points: number;
  maxPoints: number;
}

// Every grade given to a submission, regrades included; the submission row holds the latest one.
export const gradeHistory = pgTable(
  'grade_history',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    submissionId: uuid('submission_id')
      .notNull()
      .references(() => assignmentSubmissions.id, { onDelete: 'cascade' }),
    // 1 for the first grade, then one more per regrade: a total order even within one millisecond.
    sequence: integer('sequence').notNull(),
    grade: real('grade').notNull(),
    feedback: text('feedback'),
    rubricScores: jsonb('rubric_scores').$type<RubricScoreRecord[]>(),
    gradedBy: uuid('graded_by').references(() => users.id, { onDelete: 'set null' }),
    gradedAt: ts('graded_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('grade_history_submission_sequence_unique').on(t.submissionId, t.sequence),
    index('grade_history_graded_by_idx').on(t.gradedBy),
    check('grade_history_grade_nonnegative', sql`${t.grade} >= 0`),
  ],
);

export const exportStatus = pgEnum('export_status', ['queued', 'running', 'completed', 'failed']);
export const exportFormat = pgEnum('export_format', ['csv', 'json']);

/** What an admin asked to export; kept whole so that an interrupted job can run again. */
export interface ExportParams {
  entities: string[];
  format: 'csv' | 'json';
  from?: string;
  to?: string;
}

// Background data exports. The file lives in DATA_DIR/exports under the job's id; `heartbeatAt` is
// refreshed while a job runs, so a job whose process died can be told from one still running.
export const exportJobs = pgTable(
  'export_jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    requestedBy: uuid('requested_by').references(() => users.id, { onDelete: 'set null' }),
    status: exportStatus('status').notNull().default('queued'),
    format: exportFormat('format').notNull(),
    params: jsonb('params').$type<ExportParams>().notNull(),
    fileName: text('file_name'),
    size: bigint('size', { mode: 'number' }),
    rowCounts: jsonb('row_counts').$type<Record<string, number>>(),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    createdAt: createdAt(),
    startedAt: ts('started_at'),
    heartbeatAt: ts('heartbeat_at'),
    finishedAt: ts('finished_at'),
  },
  (t) => [
    index('export_jobs_requested_by_idx').on(t.requestedBy),
    index('export_jobs_status_idx').on(t.status),
    index('export_jobs_created_idx').on(t.createdAt),
  ],
);

// A lesson's body in Markdown, one row per version (1, 2, 3, ...): an earlier version can be read back.
// The Markdown is stored as written and sanitised when rendered.
export const lessonContentVersions = pgTable(
  'lesson_content_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    lessonId: uuid('lesson_id')
      .notNull()
      .references(() => lessons.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    markdown: text('markdown').notNull(),
    changeNote: text('change_note'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('lesson_content_versions_lesson_version_unique').on(t.lessonId, t.version),
    index('lesson_content_versions_created_by_idx').on(t.createdBy),
    check('lesson_content_versions_version_positive', sql`${t.version} >= 1`),
  ],
);

export const uploadPurpose = pgEnum('upload_purpose', ['lesson_media', 'submission']);

// Uploaded files. The bytes live in DATA_DIR/uploads under `storagePath`; the type was read from the
// bytes, never from the name.
export const uploads = pgTable(
  'uploads',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    lessonId: uuid('lesson_id').references(() => lessons.id, { onDelete: 'cascade' }),
    purpose: uploadPurpose('purpose').notNull(),
    fileName: text('file_name').notNull(),
    contentType: text('content_type').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    storagePath: text('storage_path').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('uploads_owner_idx').on(t.ownerId),
    index('uploads_lesson_idx').on(t.lessonId),
    index('uploads_purpose_idx').on(t.purpose),
    check('uploads_size_nonnegative', sql`${t.size} >= 0`),
    check('uploads_lesson_media_has_lesson', sql`${t.purpose} <> 'lesson_media' OR ${t.lessonId} IS NOT NULL`),
  ],
);

// The event log behind the real-time API: one row per event, written in the transaction of the change
// that caused it. The id orders delivery and is what clients resume from. The audience columns say who
// may see it. `course_id` has no foreign key on purpose: the log outlives what it talks about (a
// course's last events must survive its deletion) and rows leave it only by the retention prune.
export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    type: text('type').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    // Direct recipients.
    userIds: uuid('user_ids').array().notNull().default(sql`'{}'::uuid[]`),
    // With `staff_only` false: the course's members; true: its staff (instructor, admins).
    courseId: uuid('course_id'),
    staffOnly: boolean('staff_only').notNull().default(false),
    // Every admin.
    admins: boolean('admins').notNull().default(false),
    // Every signed-in user (a platform-wide announcement).
    everyone: boolean('everyone').notNull().default(false),
    // The time of the insert, not of the transaction's start: it grows with the id, give or take the
    // milliseconds between concurrent transactions' inserts and commits.
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`clock_timestamp()`),
  },
  (t) => [
    index('events_created_idx').on(t.createdAt),
    index('events_course_idx').on(t.courseId),
    index('events_user_ids_idx').using('gin', t.userIds),
  ],
);

// ---- Outgoing webhooks

export const webhookDeliveryStatus = pgEnum('webhook_delivery_status', ['pending', 'retrying', 'succeeded', 'failed']);
export const webhookDeliveryKind = pgEnum('webhook_delivery_kind', ['event', 'ping', 'replay']);

// An HTTPS endpoint that receives events: an instructor's for one course they teach, an admin's for one
// course or (course_id null) all of them. The signing secret is kept encrypted (AES-256-GCM, key derived
// from the JWT secret); the previous one keeps signing too until `previous_secret_expires_at`.
// `after_event_id`: the newest event when the endpoint was made; it receives only events after it.
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id').references(() => courses.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    description: text('description').notNull().default(''),
    eventTypes: text('event_types').array().notNull(),
    active: boolean('active').notNull().default(true),
    pausedAt: ts('paused_at'),
    pauseReason: text('pause_reason'),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    lastSuccessAt: ts('last_success_at'),
    lastFailureAt: ts('last_failure_at'),
    secretCiphertext: text('secret_ciphertext').notNull(),
    secretHint: text('secret_hint').notNull(),
    previousSecretCiphertext: text('previous_secret_ciphertext'),
    previousSecretExpiresAt: ts('previous_secret_expires_at'),
    secretRotatedAt: ts('secret_rotated_at'),
    afterEventId: bigint('after_event_id', { mode: 'number' }).notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('webhook_endpoints_owner_idx').on(t.ownerId), index('webhook_endpoints_course_idx').on(t.courseId)],
);

// One delivery of one body to one endpoint, with the outcome of its last attempt. `body` is the exact
// JSON that is signed and sent, so retries and replays send the same bytes (events themselves are pruned).
// A sender claims a due row by setting `lease_until` (see the worker); `attempts` is the claim's token.
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    kind: webhookDeliveryKind('kind').notNull(),
    eventId: bigint('event_id', { mode: 'number' }),
    eventType: text('event_type').notNull(),
    body: text('body').notNull(),
    status: webhookDeliveryStatus('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    responseStatus: integer('response_status'),
    responseBody: text('response_body'),
    error: text('error'),
    durationMs: integer('duration_ms'),
    replayOf: uuid('replay_of'),
    createdAt: createdAt(),
    firstAttemptAt: ts('first_attempt_at'),
    lastAttemptAt: ts('last_attempt_at'),
    nextAttemptAt: ts('next_attempt_at'),
    leaseUntil: ts('lease_until'),
    completedAt: ts('completed_at'),
  },
  (t) => [
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.createdAt),
    index('webhook_deliveries_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.status} in ('pending', 'retrying')`),
    index('webhook_deliveries_completed_idx').on(t.completedAt),
    uniqueIndex('webhook_deliveries_event_unique')
      .on(t.endpointId, t.eventId)
      .where(sql`${t.kind} = 'event'`),
  ],
);

// Where the webhook dispatcher is in the event log: one row, locked by the instance that dispatches.
export const webhookDispatchCursor = pgTable('webhook_dispatch_cursor', {
  id: integer('id').primaryKey(),
  lastEventId: bigint('last_event_id', { mode: 'number' }).notNull(),
});

// ---------------------------------------------------------------------------------------------------
// Platform protection: named API keys and the JWT signing keys.
// ---------------------------------------------------------------------------------------------------

// A named API key. Only its SHA-256 hash is kept (the key is shown once); `prefix` is what lists show.
// A rotated key points at its successor and stays valid until its (shortened) `expires_at`.
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    scopes: text('scopes').array().notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: ts('expires_at'),
    revokedAt: ts('revoked_at'),
    replacedBy: uuid('replaced_by').references((): AnyPgColumn => apiKeys.id, { onDelete: 'set null' }),
    lastUsedAt: ts('last_used_at'),
    lastUsedIp: text('last_used_ip'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('api_keys_key_hash_unique').on(t.keyHash), index('api_keys_user_idx').on(t.userId, t.createdAt)],
);

// Access-token signing keys, encrypted with a key derived from JWT_SECRET. The newest signs; an older
// one verifies until `retires_at` (set when it is superseded), so a rotation signs nobody out.
export const signingKeys = pgTable(
  'signing_keys',
  {
    kid: text('kid').primaryKey(),
    algorithm: text('algorithm').notNull().default('HS256'),
    secretCiphertext: text('secret_ciphertext').notNull(),
    createdAt: createdAt(),
    retiresAt: ts('retires_at'),
  },
  (t) => [index('signing_keys_created_idx').on(t.createdAt)],
);

// ---- Communication and notifications

export const notificationType = pgEnum('notification_type', [
  'assignment_submitted',
  'assignment_graded',
  'announcement_posted',
  'message_received',
  'achievement_earned',
  'course_updated',
  'student_inactive',
  'assignment_missed',
  'security_alert',
]);
export const emailDigest = pgEnum('email_digest', ['off', 'daily']);
export const mailKind = pgEnum('mail_kind', ['notification', 'digest']);
export const mailStatus = pgEnum('mail_status', ['pending', 'sending', 'sent', 'failed', 'cancelled']);

// A course's announcement (its members read it), or a platform-wide one (course_id null, everyone).
export const announcements = pgTable(
  'announcements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    courseId: uuid('course_id').references(() => courses.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    body: text('body').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('announcements_course_created_idx').on(t.courseId, t.createdAt), index('announcements_created_idx').on(t.createdAt)],
);

// Two people's direct messages. The pair is stored in id order, so that it has one row.
export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userLowId: uuid('user_low_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    userHighId: uuid('user_high_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    lastMessageAt: ts('last_message_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('conversations_pair_unique').on(t.userLowId, t.userHighId),
    index('conversations_low_last_idx').on(t.userLowId, t.lastMessageAt),
    index('conversations_high_last_idx').on(t.userHighId, t.lastMessageAt),
    check('conversations_pair_ordered', sql`${t.userLowId} < ${t.userHighId}`),
  ],
);

export const directMessages = pgTable(
  'direct_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    senderId: uuid('sender_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    recipientId: uuid('recipient_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    createdAt: createdAt(),
    readAt: ts('read_at'),
  },
  (t) => [
    index('direct_messages_conversation_created_idx').on(t.conversationId, t.createdAt),
    index('direct_messages_unread_idx')
      .on(t.recipientId, t.conversationId)
      .where(sql`${t.readAt} is null`),
  ],
);

// One notification of one user. `in_app` false: kept only to be mailed (the user turned the in-app
// channel off for its type). `digest_pending`: waiting for the user's next daily digest.
// `dedupe_key` makes a periodic alert idempotent: one per user and key.
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: notificationType('type').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull().default(''),
    link: text('link'),
    data: jsonb('data').$type<Record<string, string>>().notNull().default({}),
    inApp: boolean('in_app').notNull().default(true),
    digestPending: boolean('digest_pending').notNull().default(false),
    dedupeKey: text('dedupe_key'),
    readAt: ts('read_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('notifications_user_created_idx').on(t.userId, t.createdAt),
    index('notifications_unread_idx')
      .on(t.userId)
      .where(sql`${t.inApp} and ${t.readAt} is null`),
    index('notifications_digest_idx')
      .on(t.userId)
      .where(sql`${t.digestPending}`),
    uniqueIndex('notifications_user_dedupe_unique').on(t.userId, t.dedupeKey),
  ],
);

/** Per notification type, the channels a user chose; types left out keep their defaults. */
export type NotificationChannelChoices = Partial<Record<(typeof notificationType.enumValues)[number], { inApp?: boolean; email?: boolean }>>;

export const notificationPreferences = pgTable('notification_preferences', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  types: jsonb('types').$type<NotificationChannelChoices>().notNull().default({}),
  digest: emailDigest('digest').notNull().default('off'),
  lastDigestAt: ts('last_digest_at'),
  updatedAt: updatedAt(),
});

// Mail waiting to be sent, written in the transaction that caused it and sent after it commits. A sender
// claims a row by moving it to `sending` with `next_attempt_at` as its lease; a failed send goes back to
// `pending` with a later `next_attempt_at`, until the attempts run out (`failed`).
export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: mailKind('kind').notNull(),
    notificationId: uuid('notification_id').references(() => notifications.id, { onDelete: 'cascade' }),
    // A digest's notifications, oldest first.
    notificationIds: uuid('notification_ids').array().notNull().default(sql`'{}'::uuid[]`),
    status: mailStatus('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    lastError: text('last_error'),
    createdAt: createdAt(),
    sentAt: ts('sent_at'),
  },
  (t) => [
    index('mail_outbox_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.status} in ('pending', 'sending')`),
    index('mail_outbox_failed_idx')
      .on(t.createdAt)
      .where(sql`${t.status} = 'failed'`),
    index('mail_outbox_user_idx').on(t.userId),
    index('mail_outbox_notification_idx').on(t.notificationId),
  ],
);

// Notifications to a whole audience (a course's students, an announcement's readers), queued by the
// change's transaction and written by a background job once it has committed (see
// features/communication/notification-queue.ts). A row is deleted in the transaction that writes its
// last notifications; a whole audience is written a page of recipients per transaction, `after_user_id`
// the last person written so far. A failed attempt is retried later, and `failed_at` marks one that ran
// out of attempts.
export const notificationQueue = pgTable(
  'notification_queue',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    notification: jsonb('notification').$type<Record<string, unknown>>().notNull(),
    afterUserId: uuid('after_user_id'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    lastError: text('last_error'),
    failedAt: ts('failed_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('notification_queue_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.failedAt} is null`),
  ],
);

// ---- Account security: second factors, recovery codes, one-time codes, sign-in challenges

// A user's second factors. Secrets are stored encrypted (see http/secret-box.ts). `totp_last_step` is
// the newest time step accepted, so that no code is accepted twice. A pending TOTP secret waits for a
// first code before it replaces `totp_secret`; a phone number is usable once verified by a code.
export const mfaSettings = pgTable('mfa_settings', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  totpSecret: text('totp_secret'),
  totpEnabledAt: ts('totp_enabled_at'),
  totpLastStep: bigint('totp_last_step', { mode: 'number' }),
  pendingTotpSecret: text('pending_totp_secret'),
  pendingTotpExpiresAt: ts('pending_totp_expires_at'),
  phoneNumber: text('phone_number'),
  phoneVerifiedAt: ts('phone_verified_at'),
  smsEnabledAt: ts('sms_enabled_at'),
  emailEnabledAt: ts('email_enabled_at'),
  updatedAt: updatedAt(),
});

// Single-use recovery codes, each hashed with its own salt; shown to the user once.
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    salt: text('salt').notNull(),
    codeHash: text('code_hash').notNull(),
    usedAt: ts('used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('recovery_codes_user_idx').on(t.userId)],
);

export const verificationPurpose = pgEnum('verification_purpose', ['email_verification', 'phone_verification', 'password_reset']);

// Codes and link tokens sent by mail or SMS: stored hashed, single use, with an expiry and a bound on
// wrong guesses. Issuing a new one for the same purpose ends the previous one.
export const verificationCodes = pgTable(
  'verification_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: verificationPurpose('purpose').notNull(),
    // The address or phone number it was sent to: it proves that one only.
    target: text('target').notNull(),
    codeHash: text('code_hash'),
    tokenHash: text('token_hash'),
    attempts: integer('attempts').notNull().default(0),
    expiresAt: ts('expires_at').notNull(),
    consumedAt: ts('consumed_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('verification_codes_token_hash_unique').on(t.tokenHash),
    index('verification_codes_user_purpose_idx').on(t.userId, t.purpose, t.createdAt),
  ],
);

// The second step of a sign-in: made once the password is right, used once, short-lived, and dead
// after a few wrong codes. An email or SMS code sent for it is kept (hashed) on the row.
export const mfaChallenges = pgTable(
  'mfa_challenges',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    methods: text('methods').array().notNull(),
    attempts: integer('attempts').notNull().default(0),
    codeMethod: text('code_method'),
    codeHash: text('code_hash'),
    codeSentAt: ts('code_sent_at'),
    sendCount: integer('send_count').notNull().default(0),
    ipAddress: text('ip_address').notNull().default(''),
    userAgent: text('user_agent').notNull().default(''),
    expiresAt: ts('expires_at').notNull(),
    consumedAt: ts('consumed_at'),
    createdAt: createdAt(),
  },
  (t) => [index('mfa_challenges_user_idx').on(t.userId, t.createdAt)],
);
