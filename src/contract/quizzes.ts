// Quizzes: authoring (course staff), taking them in timed attempts (enrolled students), and results.
// Correct answers appear only in staff views and in a student's own submitted attempts: the student
// schemas below have no field that could carry them, so the serializer drops them if a bug tried.
import { z } from 'zod';
import { BadgeType, dataEnvelope, Id, IsoDate, messageDataEnvelope, PageQuery, Pagination } from './common.js';
import { ErrorResponse } from './errors.js';
import { CourseProgressSummary } from './progress.js';

export const QuestionType = z.enum(['single_choice', 'multiple_choice', 'true_false', 'short_answer', 'numeric']);
export type QuestionType = z.infer<typeof QuestionType>;
export const QuizAttemptStatus = z.enum(['in_progress', 'submitted']);
export type QuizAttemptStatus = z.infer<typeof QuizAttemptStatus>;

export const QuizIdParams = z.object({ quizId: Id });
export const QuizAttemptParams = z.object({ quizId: Id, attemptId: Id });
export const CourseQuizzesParams = z.object({ courseId: Id });
export const CourseQuizzesQuery = PageQuery;
export const QuizResultsQuery = PageQuery;

/** Bounds shared by the contract and the service. */
export const QUIZ_LIMITS = {
  minTimeLimit: 0.05,
  maxTimeLimit: 1440,
  maxQuestions: 100,
  maxOptions: 20,
  maxAcceptedAnswers: 20,
} as const;

// ---- authoring

const Prompt = z.string().trim().min(1, 'is required').max(2000, 'must be at most 2000 characters');
const OptionText = z.string().trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters');
const Options = z
  .array(OptionText)
  .min(2, 'must have at least 2 options')
  .max(QUIZ_LIMITS.maxOptions, `must have at most ${QUIZ_LIMITS.maxOptions} options`);
const Points = z
  .number({ error: 'must be a whole number from 1 to 1000' })
  .int('must be a whole number from 1 to 1000')
  .min(1, 'must be at least 1')
  .max(1000, 'must be at most 1000');

type IssueSink = { addIssue: (issue: { code: 'custom'; path: (string | number)[]; message: string }) => void };

function checkUniqueOptions(options: string[], ctx: IssueSink): void {
  if (new Set(options).size !== options.length) {
    ctx.addIssue({ code: 'custom', path: ['options'], message: 'must not contain the same option twice' });
  }
}

const SingleChoiceInput = z
  .object({
    type: z.literal('single_choice'),
    prompt: Prompt,
    options: Options,
    correctAnswer: z.string({ error: 'must be the text of one of the options' }).trim().describe('The text of the right option'),
    points: Points,
  })
  .superRefine((q, ctx) => {
    checkUniqueOptions(q.options, ctx);
    if (!q.options.includes(q.correctAnswer)) {
      ctx.addIssue({ code: 'custom', path: ['correctAnswer'], message: 'must be the text of one of the options' });
    }
  });

const MultipleChoiceInput = z
  .object({
    type: z.literal('multiple_choice'),
    prompt: Prompt,
    options: Options,
    correctAnswer: z
      .array(z.string({ error: 'must be option texts' }).trim(), { error: 'must be a list of option texts' })
      .min(1, 'must name at least one option')
      .describe('The texts of every right option; an answer must name exactly this set'),
    points: Points,
  })
  .superRefine((q, ctx) => {
    checkUniqueOptions(q.options, ctx);
    if (new Set(q.correctAnswer).size !== q.correctAnswer.length) {
      ctx.addIssue({ code: 'custom', path: ['correctAnswer'], message: 'must not name the same option twice' });
    } else if (q.correctAnswer.some((answer) => !q.options.includes(answer))) {
      ctx.addIssue({ code: 'custom', path: ['correctAnswer'], message: 'must only name texts of the options' });
    }
  });

const TrueFalseInput = z.object({
  type: z.literal('true_false'),
  prompt: Prompt,
  correctAnswer: z.boolean({ error: 'must be true or false' }),
  points: Points,
});

const AcceptedAnswer = z.string({ error: 'must be text' }).trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters');
const ShortAnswerInput = z.object({
  type: z.literal('short_answer'),
  prompt: Prompt,
  correctAnswer: z
    .union(
      [
        AcceptedAnswer,
        z
          .array(AcceptedAnswer)
          .min(1, 'must list at least one accepted answer')
          .max(QUIZ_LIMITS.maxAcceptedAnswers, `must list at most ${QUIZ_LIMITS.maxAcceptedAnswers} accepted answers`),
      ],
      { error: 'must be a text or a list of accepted texts' },
    )
    .transform((value) => (Array.isArray(value) ? value : [value]))
    .describe('One accepted text or a list of them; compared ignoring case and extra spaces'),
  points: Points,
});

const NumericInput = z.object({
  type: z.literal('numeric'),
  prompt: Prompt,
  correctAnswer: z.number({ error: 'must be a number' }),
  tolerance: z
    .number({ error: 'must be a number of at least 0' })
    .min(0, 'must be at least 0')
    .max(1e9, 'must be at most 1000000000')
    .default(0)
    .describe('An answer within ± tolerance of correctAnswer is right'),
  points: Points,
});

export const QuestionInput = z
  .discriminatedUnion('type', [SingleChoiceInput, MultipleChoiceInput, TrueFalseInput, ShortAnswerInput, NumericInput], {
    error: (issue) =>
      issue.code === 'invalid_union' ? `must be one of ${QuestionType.options.join(', ')}` : undefined,
  })
  // No component id: the short-answer transform makes its input and output shapes differ.
  .describe('A question; correctAnswer takes the form its type needs');
export type QuestionInput = z.infer<typeof QuestionInput>;

const Questions = z
  .array(QuestionInput, { error: 'must be a list of questions' })
  .min(1, 'must have at least one question')
  .max(QUIZ_LIMITS.maxQuestions, `must have at most ${QUIZ_LIMITS.maxQuestions} questions`);

const Title = z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters');
const Description = z.string().trim().max(5000, 'must be at most 5000 characters');
const TimeLimit = z
  .number({ error: `must be a number of minutes from ${QUIZ_LIMITS.minTimeLimit} to ${QUIZ_LIMITS.maxTimeLimit}` })
  .min(QUIZ_LIMITS.minTimeLimit, `must be at least ${QUIZ_LIMITS.minTimeLimit} minutes`)
  .max(QUIZ_LIMITS.maxTimeLimit, `must be at most ${QUIZ_LIMITS.maxTimeLimit} minutes`)
  .describe('Minutes per attempt (fractions allowed, at least 0.05); null or omitted: no limit');
const AttemptsAllowed = z
  .number({ error: 'must be a whole number from 1 to 100' })
  .int('must be a whole number from 1 to 100')
  .min(1, 'must be at least 1')
  .max(100, 'must be at most 100')
  .describe('null or omitted: unlimited');
const PassingScore = z
  .number({ error: 'must be a whole number from 0 to 100' })
  .int('must be a whole number from 0 to 100')
  .min(0, 'must be at least 0')
  .max(100, 'must be at most 100')
  .describe('Percentage needed to pass; null or omitted: no pass mark');

export const CreateQuizBody = z.object({
  courseId: Id,
  lessonId: Id.optional().describe('A lesson of the same course'),
  title: Title,
  description: Description.optional(),
  timeLimit: TimeLimit.nullable().optional(),
  attemptsAllowed: AttemptsAllowed.nullable().optional(),
  passingScore: PassingScore.nullable().optional(),
  questions: Questions,
});
export type CreateQuizBody = z.infer<typeof CreateQuizBody>;

export const UpdateQuizBody = z
  .object({
    lessonId: Id.nullable().optional().describe('null detaches the quiz from its lesson'),
    title: Title.optional(),
    description: Description.nullable().optional(),
    timeLimit: TimeLimit.nullable().optional(),
    attemptsAllowed: AttemptsAllowed.nullable().optional(),
    passingScore: PassingScore.nullable().optional(),
    questions: Questions.optional().describe(
      'Replaces every question. Refused (409) once the quiz has attempts, unless identical to the current questions',
    ),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    error: 'must change at least one field',
  });
export type UpdateQuizBody = z.infer<typeof UpdateQuizBody>;

// ---- what clients see of a quiz

export const AnswerKey = z
  .union([z.string(), z.number(), z.boolean(), z.array(z.string())])
  .describe(
    'single_choice: option text; multiple_choice: option texts; true_false: boolean; short_answer: accepted texts; numeric: number',
  );

export const PublicQuestion = z
  .object({
    questionId: Id,
    order: z.number().int(),
    type: QuestionType,
    prompt: z.string(),
    options: z.array(z.string()).describe('Choices of single_choice and multiple_choice questions; empty otherwise'),
    points: z.number().int(),
  })
  .meta({ id: 'QuizQuestion' });
export type PublicQuestion = z.infer<typeof PublicQuestion>;

export const StaffQuestion = PublicQuestion.extend({
  correctAnswer: AnswerKey,
  tolerance: z.number().optional().describe('numeric questions only'),
}).meta({ id: 'QuizQuestionWithAnswer' });
export type StaffQuestion = z.infer<typeof StaffQuestion>;

const QuizFields = {
  quizId: Id,
  courseId: Id,
  lessonId: Id.optional(),
  title: z.string(),
  description: z.string().optional(),
  timeLimit: z.number().nullable().describe('Minutes per attempt; null: no limit'),
  attemptsAllowed: z.number().int().nullable().describe('null: unlimited'),
  passingScore: z.number().int().nullable().describe('Percentage needed to pass; null: no pass mark'),
  totalQuestions: z.number().int(),
  totalPoints: z.number().int(),
  createdAt: IsoDate,
  updatedAt: IsoDate,
};

export const AttemptRef = z.object({
  attemptId: Id,
  attemptNumber: z.number().int(),
  startedAt: IsoDate,
  deadline: IsoDate.nullable().describe('startedAt + timeLimit; null without a time limit'),
});

export const MyQuizAttempts = z
  .object({
    count: z.number().int().describe('Attempts started, including one in progress'),
    submitted: z.number().int(),
    bestScore: z.number().nullable(),
    bestPercentage: z.number().nullable(),
    passed: z.boolean().nullable().describe('Whether a submitted attempt reached the pass mark; null without a pass mark'),
    remaining: z.number().int().nullable().describe('Attempts that may still be started; null: unlimited'),
    inProgress: AttemptRef.nullable(),
  })
  .meta({ id: 'MyQuizAttempts' });
export type MyQuizAttempts = z.infer<typeof MyQuizAttempts>;

export const StaffQuiz = z
  .object({ view: z.literal('staff'), ...QuizFields, questions: z.array(StaffQuestion) })
  .meta({ id: 'StaffQuiz' });
export type StaffQuiz = z.infer<typeof StaffQuiz>;

export const StudentQuiz = z
  .object({ view: z.literal('student'), ...QuizFields, questions: z.array(PublicQuestion), myAttempts: MyQuizAttempts })
  .meta({ id: 'StudentQuiz' });
export type StudentQuiz = z.infer<typeof StudentQuiz>;

export const QuizDetails = z
  .discriminatedUnion('view', [StaffQuiz, StudentQuiz])
  .describe('Course staff get the answers (view: staff); enrolled students never do (view: student)');
export type QuizDetails = z.infer<typeof QuizDetails>;

export const QuizDetailsResponse = dataEnvelope(QuizDetails);
export const QuizSavedResponse = messageDataEnvelope(StaffQuiz);
/** A stale If-Match on an edit: the quiz as it is now (its ETag in the header). */
export const QuizPreconditionFailed = ErrorResponse.extend({ current: StaffQuiz }).meta({ id: 'QuizPreconditionFailed' });

export const QuizSummary = z
  .object({ ...QuizFields, myAttempts: MyQuizAttempts.optional().describe('Enrolled students only') })
  .meta({ id: 'QuizSummary' });
export type QuizSummary = z.infer<typeof QuizSummary>;
export const CourseQuizzesResponse = z.object({ data: z.array(QuizSummary), pagination: Pagination });

// ---- attempts

export const QuizAttempt = z
  .object({
    attemptId: Id,
    quizId: Id,
    attemptNumber: z.number().int(),
    status: QuizAttemptStatus,
    startedAt: IsoDate,
    deadline: IsoDate.nullable().describe('startedAt + timeLimit; submissions later than 5 seconds after it score 0'),
    serverTime: IsoDate.describe("The server's clock now, so that a client can show the time left without trusting its own"),
    remainingAttempts: z.number().int().nullable().describe('Attempts that may still be started after this one; null: unlimited'),
  })
  .meta({ id: 'QuizAttempt' });
export type QuizAttempt = z.infer<typeof QuizAttempt>;
export const StartAttemptResponse = messageDataEnvelope(QuizAttempt);

const StudentAnswer = z
  .union([
    z.string().max(2000, 'must be at most 2000 characters'),
    z.number(),
    z.boolean(),
    z.array(z.string().max(500, 'must be at most 500 characters')).max(QUIZ_LIMITS.maxOptions, 'has too many options'),
  ])
  .describe(
    'single_choice and short_answer: text; multiple_choice: option texts; true_false: boolean; numeric: number',
  );

export const SubmitAttemptBody = z.object({
  answers: z
    .array(z.object({ questionId: Id, answer: StudentAnswer.nullable().describe('null: not answered') }))
    .max(QUIZ_LIMITS.maxQuestions, `must have at most ${QUIZ_LIMITS.maxQuestions} answers`)
    .describe('Questions left out count as unanswered'),
});
export type SubmitAttemptBody = z.infer<typeof SubmitAttemptBody>;

const GivenAnswer = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);

export const QuestionResult = StaffQuestion.extend({
  answer: GivenAnswer.nullable().describe('What the student answered; null when unanswered'),
  correct: z.boolean(),
  pointsAwarded: z.number(),
}).meta({ id: 'QuizQuestionResult' });
export type QuestionResult = z.infer<typeof QuestionResult>;

const AttemptOutcomeFields = {
  attemptId: Id,
  attemptNumber: z.number().int(),
  status: QuizAttemptStatus,
  startedAt: IsoDate,
  deadline: IsoDate.nullable(),
  submittedAt: IsoDate.nullable(),
  late: z.boolean().describe('Submitted more than 5 seconds after the deadline: the answers were not counted (score 0)'),
  expired: z.boolean().describe('Never submitted: closed after its deadline when the student started another attempt'),
  score: z.number().nullable().describe('null while in progress'),
  totalPoints: z.number().int(),
  percentage: z.number().nullable().describe('0-100, two decimals; null while in progress'),
  passed: z.boolean().nullable().describe('null while in progress or without a pass mark'),
};

export const AttemptResult = z
  .object({ quizId: Id, ...AttemptOutcomeFields, passingScore: z.number().int().nullable(), questions: z.array(QuestionResult) })
  .meta({ id: 'QuizAttemptResult' });
export type AttemptResult = z.infer<typeof AttemptResult>;

export const SubmittedAttempt = AttemptResult.extend({
  progress: CourseProgressSummary.describe('The course progress after this submission'),
  newAchievements: z.array(BadgeType),
}).meta({ id: 'SubmittedQuizAttempt' });
export type SubmittedAttempt = z.infer<typeof SubmittedAttempt>;
export const SubmitAttemptResponse = messageDataEnvelope(SubmittedAttempt);

// ---- results

export const QuizRef = z.object({
  quizId: Id,
  courseId: Id,
  title: z.string(),
  totalQuestions: z.number().int(),
  totalPoints: z.number().int(),
  passingScore: z.number().int().nullable(),
});

export const QuestionStatistics = z
  .object({
    questionId: Id,
    order: z.number().int(),
    type: QuestionType,
    prompt: z.string(),
    points: z.number().int(),
    attempts: z.number().int().describe('Submitted attempts'),
    answered: z.number().int().describe('Submitted attempts that answered this question'),
    correctCount: z.number().int(),
    correctRate: z.number().nullable().describe('correctCount / attempts, from 0 to 1; null without attempts'),
    averagePoints: z.number().nullable().describe('null without attempts'),
  })
  .meta({ id: 'QuizQuestionStatistics' });

export const QuizStatistics = z
  .object({
    totalAttempts: z.number().int(),
    submittedAttempts: z.number().int(),
    inProgressAttempts: z.number().int(),
    students: z.number().int().describe('Students with at least one attempt'),
    averagePercentage: z.number().nullable().describe('Over submitted attempts; null without any'),
    passRate: z.number().nullable().describe('Share of submitted attempts that passed, 0 to 1; null without attempts or pass mark'),
    questions: z.array(QuestionStatistics),
  })
  .meta({ id: 'QuizStatistics' });

export const StaffAttemptRow = z
  .object({
    ...AttemptOutcomeFields,
    student: z.object({ studentId: Id, firstName: z.string(), lastName: z.string(), username: z.string() }),
  })
  .meta({ id: 'QuizAttemptRow' });
export type StaffAttemptRow = z.infer<typeof StaffAttemptRow>;

export const StudentAttemptRow = z
  .object({
    ...AttemptOutcomeFields,
    questions: z.array(QuestionResult).optional().describe('Submitted attempts only, with the correct answers'),
  })
  .meta({ id: 'MyQuizAttempt' });
export type StudentAttemptRow = z.infer<typeof StudentAttemptRow>;

export const StaffQuizResults = z.object({
  view: z.literal('staff'),
  quiz: QuizRef,
  statistics: QuizStatistics,
  data: z.array(StaffAttemptRow).describe('Every attempt, by student name then attempt number'),
  pagination: Pagination,
});
export const StudentQuizResults = z.object({
  view: z.literal('student'),
  quiz: QuizRef,
  myAttempts: MyQuizAttempts,
  data: z.array(StudentAttemptRow).describe("The caller's attempts by attempt number"),
  pagination: Pagination,
});
export const QuizResultsResponse = z
  .discriminatedUnion('view', [StaffQuizResults, StudentQuizResults])
  .describe('Course staff: statistics and every attempt (view: staff); students: their own attempts (view: student)');
export type QuizResultsResponse = z.infer<typeof QuizResultsResponse>;
