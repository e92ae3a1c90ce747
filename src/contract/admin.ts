import { z } from 'zod';
import { CourseCategory, Id, IsoDate, messageDataEnvelope, PageQuery, Pagination, UserSummary } from './common.js';
import { CourseProgressSummary } from './progress.js';

export const AssignmentRepairReport = z
  .object({
    createdSubmissions: z.number().int().describe('not_started rows created for actively enrolled students'),
    fixedStatuses: z.number().int().describe('Rows whose status contradicted their grade or submission time'),
    fixedDueDates: z.number().int().describe("Rows without a due date given their assignment's"),
    fixedLateFlags: z.number().int().describe('Rows whose isLate did not match submittedAt > dueDate'),
  })
  .meta({ id: 'AssignmentRepairReport' });
export type AssignmentRepairReport = z.infer<typeof AssignmentRepairReport>;
export const FixAssignmentsResponse = messageDataEnvelope(AssignmentRepairReport);

// ---- Time ranges (`from` inclusive, `to` exclusive; a plain date as `to` covers that whole day)

/** A range bound: a day (`2026-03-01`, the whole day in UTC) or an exact ISO 8601 date-time. */
export const RangeBound = z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
  error: 'must be a date (YYYY-MM-DD) or an ISO 8601 date-time',
});

const DAY_MS = 86_400_000;
const upperBoundMs = (to: string): number => Date.parse(to) + (to.length === 10 ? DAY_MS : 0);

/** `to` must come after `from`, and the range may span at most `maxDays` days. */
export const checkRange =
  (maxDays: number) =>
  (value: { from?: string | undefined; to?: string | undefined }, ctx: z.RefinementCtx): void => {
    if (!value.from || !value.to) return;
    const from = Date.parse(value.from);
    const to = upperBoundMs(value.to);
    if (from >= to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    else if (to - from > maxDays * DAY_MS) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${maxDays} days after from` });
    }
  };

// ---- GET /api/admin/analytics

/** The daily series of the analytics is zero-filled, so its range is bounded. */
export const MAX_ANALYTICS_DAYS = 366;

export const PlatformAnalyticsQuery = z
  .object({
    from: RangeBound.optional().describe('Start of the range, inclusive (default: 30 days before `to`)'),
    to: RangeBound.optional().describe('End of the range; a plain date includes that whole day (default: today)'),
  })
  .superRefine(checkRange(MAX_ANALYTICS_DAYS));
export type PlatformAnalyticsQuery = z.infer<typeof PlatformAnalyticsQuery>;

const Count = z.number().int().min(0);
const Percentage = z.number().min(0).max(100);

const CourseRef = z.object({ courseId: Id, title: z.string(), category: CourseCategory });

export const PlatformAnalytics = z
  .object({
    range: z.object({ from: IsoDate, to: IsoDate.describe('Exclusive') }),
    users: z.object({
      total: Count,
      byRole: z.object({ student: Count, instructor: Count, admin: Count }),
      byStatus: z.object({ active: Count, suspended: Count }),
      registeredInRange: Count,
    }),
    activeUsers: z
      .object({ daily: Count, weekly: Count, monthly: Count })
      .describe('Distinct users with an activity (sign-in, learning, grading) in the last 1, 7 and 30 days, as of now'),
    enrollments: z.object({
      enrollments: Count.describe('Enrolments made in the range'),
      completions: Count.describe('Courses completed in the range'),
      daily: z
        .array(z.object({ date: z.string().describe('YYYY-MM-DD (UTC)'), enrollments: Count, completions: Count }))
        .describe('One entry per day of the range, days without any included'),
    }),
    completionRates: z
      .array(
        CourseRef.extend({
          enrollments: Count.describe('Enrolments made in the range'),
          completions: Count.describe('Of those, how many have completed the course'),
          completionRate: Percentage.describe('completions / enrollments, in percent, one decimal'),
        }),
      )
      .describe('The 20 courses with the most enrolments in the range'),
    topCourses: z.object({
      byEnrollments: z.array(CourseRef.extend({ enrollments: Count })).describe('Enrolments made in the range; top 10'),
      byRating: z
        .array(CourseRef.extend({ averageRating: z.number(), ratingCount: Count }))
        .describe('All ratings; top 10 by average, then by number of ratings'),
    }),
    grades: z
      .object({
        overall: z.object({ averagePercentage: z.number().nullable(), gradedItems: Count }),
        byCategory: z.array(
          z.object({ category: CourseCategory, averagePercentage: z.number().nullable(), gradedItems: Count }),
        ),
      })
      .describe(
        'Assignments graded and quiz attempts submitted in the range: earned points over possible points, in percent ' +
          '(null without any)',
      ),
  })
  .meta({ id: 'PlatformAnalytics' });
export type PlatformAnalytics = z.infer<typeof PlatformAnalytics>;
export const PlatformAnalyticsResponse = z.object({ data: PlatformAnalytics });

// ---- GET /api/courses/:courseId/at-risk

export const AtRiskQuery = PageQuery.extend({
  inactiveDays: z.coerce
    .number()
    .positive()
    .max(365)
    .default(7)
    .describe('No activity in the course for this many days (fractions of a day allowed)'),
  gradeThreshold: z.coerce.number().min(0).max(100).default(60).describe('Average graded percentage below this'),
});
export type AtRiskQuery = z.infer<typeof AtRiskQuery>;

export const AtRiskReasonCode = z.enum(['inactive', 'missed_due_dates', 'low_grades', 'behind_pace']);
export type AtRiskReasonCode = z.infer<typeof AtRiskReasonCode>;

export const AtRiskStudent = z
  .object({
    student: UserSummary,
    enrolledAt: IsoDate,
    lastActivityAt: IsoDate.nullable().describe("The student's last activity in the course"),
    progress: CourseProgressSummary,
    averageGrade: z.number().nullable().describe('Graded assignments and best quiz attempts: earned over possible points'),
    missedAssignments: Count.describe('Assignments past their due date and not submitted'),
    reasons: z.array(z.object({ code: AtRiskReasonCode, detail: z.string() })).min(1),
  })
  .meta({ id: 'AtRiskStudent' });
export type AtRiskStudent = z.infer<typeof AtRiskStudent>;

export const AtRiskResponse = z.object({
  data: z.array(AtRiskStudent).describe('Most reasons first'),
  pagination: Pagination,
  course: z.object({ courseId: Id, title: z.string() }),
  criteria: z.object({
    inactiveDays: z.number(),
    gradeThreshold: z.number(),
    medianCompletion: Percentage.describe("The median completion of the course's enrolled students"),
    behindPaceMargin: z.number().describe('Points below the median that count as behind pace'),
    enrolledStudents: Count,
  }),
});
export type AtRiskResponse = z.infer<typeof AtRiskResponse>;
