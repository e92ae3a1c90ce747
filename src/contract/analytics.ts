// Learning analytics: the spec's ProgressAnalytics and CourseProgress, field for field.
import { z } from 'zod';
import { AnalyticsPeriod, dataEnvelope, Id, IsoDate, SubmissionStatus } from './common.js';

export const AnalyticsUserParams = z.object({ userId: Id });
export const AnalyticsPeriodQuery = z.object({ period: AnalyticsPeriod.default('week') });
export type AnalyticsPeriodQuery = z.infer<typeof AnalyticsPeriodQuery>;

export const RecentActivityType = z.enum(['lesson_completed', 'assignment_submitted', 'quiz_completed', 'course_enrolled']);

export const ProgressAnalytics = z
  .object({
    userId: Id,
    period: AnalyticsPeriod,
    studyTime: z
      .object({
        thisWeek: z.number().int().describe('Minutes since Monday 00:00 UTC'),
        lastWeek: z.number().int().describe('Minutes in the previous Monday-to-Sunday week'),
        averagePerDay: z.number().describe('Minutes per day over the period, one decimal'),
        totalThisPeriod: z.number().int().describe('Minutes in the period'),
      })
      .describe('Study time in minutes, from study sessions'),
    courses: z.object({
      totalEnrolled: z.number().int().describe('Active enrollments'),
      completedThisPeriod: z.number().int(),
      inProgress: z.number().int().describe('Started and not complete'),
      notStarted: z.number().int().describe('Nothing done yet'),
    }),
    performance: z.object({
      averageGrade: z.number().describe('Percent of the points of graded assignments and quiz attempts, one decimal'),
      assignmentsCompleted: z.number().int().describe('Submitted or graded'),
      quizzesCompleted: z.number().int().describe('Distinct quizzes with a submitted attempt'),
      lessonsCompleted: z.number().int(),
    }),
    streaks: z.object({
      current: z.number().int().describe('Consecutive days with a completed lesson, up to today or yesterday'),
      longest: z.number().int(),
      average: z.number().describe('Mean length of all runs of learning days, one decimal'),
    }),
    weeklyLearningGoal: z.number().int().describe('Minutes'),
    weeklyGoalProgress: z.number().int().describe('Percent of the goal studied this week; above 100 when beaten'),
    recentActivity: z
      .array(
        z.object({
          activityId: Id,
          type: RecentActivityType,
          title: z.string(),
          timestamp: IsoDate,
          courseId: Id.optional(),
          courseTitle: z.string().optional(),
        }),
      )
      .describe('The 10 most recent, newest first'),
    periodData: z.object({
      lessonsCompleted: z.number().int(),
      assignmentsSubmitted: z.number().int(),
      quizzesCompleted: z.number().int(),
      coursesEnrolled: z.number().int(),
    }),
  })
  .meta({ id: 'ProgressAnalytics' });
export type ProgressAnalytics = z.infer<typeof ProgressAnalytics>;
export const ProgressAnalyticsResponse = dataEnvelope(ProgressAnalytics);

export const QuizProgressStatus = z.enum(['not_started', 'in_progress', 'completed']);

export const CourseProgress = z
  .object({
    courseId: Id,
    courseTitle: z.string(),
    enrollmentId: Id,
    enrolledAt: IsoDate,
    progress: z.object({
      totalLessons: z.number().int(),
      completedLessons: z.number().int(),
      totalAssignments: z.number().int(),
      completedAssignments: z.number().int(),
      totalQuizzes: z.number().int(),
      completedQuizzes: z.number().int(),
      completionPercentage: z.number().int().min(0).max(100),
      estimatedTimeRemaining: z.number().int().describe('Minutes: estimated time of the lessons not yet completed'),
    }),
    lessons: z.array(
      z.object({
        lessonId: Id,
        title: z.string(),
        order: z.number().int(),
        estimatedTime: z.number().int(),
        completedAt: IsoDate.optional(),
        timeSpent: z.number().int().optional().describe('Minutes'),
      }),
    ),
    assignments: z.array(
      z.object({
        assignmentId: Id,
        title: z.string(),
        points: z.number().int(),
        dueDate: IsoDate.optional().describe('Absent when the assignment has no due date'),
        status: SubmissionStatus,
        grade: z.number().optional(),
        submittedAt: IsoDate.optional(),
      }),
    ),
    quizzes: z.array(
      z.object({
        quizId: Id,
        title: z.string(),
        totalPoints: z.number().int(),
        score: z.number().optional().describe('Best score of the submitted attempts'),
        status: QuizProgressStatus,
        completedAt: IsoDate.optional(),
      }),
    ),
    timeTracking: z.object({
      totalTimeSpent: z.number().int().describe('Minutes'),
      averageTimePerLesson: z.number().describe('Minutes per completed lesson, one decimal'),
      lastActivity: IsoDate.optional(),
      studySessions: z
        .array(
          z.object({
            sessionId: Id,
            startTime: IsoDate,
            endTime: IsoDate,
            duration: z.number().int().describe('Minutes'),
            lessonsCovered: z.array(Id),
          }),
        )
        .describe('The 50 most recent, newest first'),
    }),
  })
  .meta({ id: 'CourseProgress' });
export type CourseProgress = z.infer<typeof CourseProgress>;
export const CourseProgressListResponse = dataEnvelope(z.array(CourseProgress));
