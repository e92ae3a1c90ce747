// The platform's API as typed methods: one per route, named after the route's operationId, taking the
// contract's request types and returning the contract's response types. `{ data }` and
// `{ message, data }` envelopes are unwrapped; paginated lists keep `{ data, pagination }`.
// Only types are imported from the contract, so the SDK carries no schema code at run time.
import type { z } from 'zod';
import type {
  AtRiskQuery,
  AtRiskResponse,
  FixAssignmentsResponse,
  PlatformAnalyticsQuery,
  PlatformAnalyticsResponse,
} from '../contract/admin.js';
import type { AuditLogQuery, AuditLogResponse } from '../contract/audit.js';
import type {
  LessonContentResponse,
  LessonMediaListResponse,
  SaveLessonContentBody,
  SaveLessonContentResponse,
  UploadResponse,
} from '../contract/files.js';
import type { SearchQuery, SearchResponse } from '../contract/search.js';
import type {
  AnnouncementListQuery,
  AnnouncementListResponse,
  ConversationListResponse,
  CreateAnnouncementBody,
  CreateAnnouncementResponse,
  MarkConversationReadResponse,
  MarkNotificationsReadBody,
  MarkNotificationsReadResponse,
  MessageListQuery,
  MessageListResponse,
  NotificationListQuery,
  NotificationListResponse,
  NotificationPreferencesResponse,
  SendMessageBody,
  SendMessageResponse,
  UpdateNotificationPreferencesBody,
  UpdateNotificationPreferencesResponse,
} from '../contract/communication.js';
import type {
  ActivityLogResponse,
  ActivityQuery,
  AdminUserResponse,
  ListUsersQuery,
  ListUsersResponse,
} from '../contract/users.js';
import type { StudentAchievementsResponse } from '../contract/achievements.js';
import type {
  AssignmentFeedbackResponse,
  AssignmentDetailsResponse,
  AssignmentListQuery,
  AssignmentListResponse,
  AssignmentSubmissionsQuery,
  AssignmentSubmissionsResponse,
  BulkGradeBody,
  BulkGradeResponse,
  CourseAssignmentsResponse,
  CreateAssignmentBody,
  CreateAssignmentResponse,
  GradeSubmissionBody,
  GradeSubmissionResponse,
  RubricResponse,
  SetRubricBody,
  SetRubricResponse,
  SubmitAssignmentBody,
  SubmitAssignmentResponse,
  UpdateAssignmentBody,
  UpdateAssignmentResponse,
} from '../contract/assignments.js';
import type { ProgressAnalyticsResponse, CourseProgressListResponse } from '../contract/analytics.js';
import type {
  AuthCheckResponse,
  CodeSentResponse,
  ForgotPasswordBody,
  MfaChangeResponse,
  MfaDeliveryMethod,
  MfaStatusResponse,
  PhoneCodeSentResponse,
  RecoveryCodesResponse,
  RegisterBody,
  RegisterResponse,
  ResetPasswordBody,
  RevokeOthersResponse,
  SessionListResponse,
  SmsEnrollBody,
  TotpDisableBody,
  TotpEnrollmentResponse,
  VerificationSentResponse,
  VerifyEmailBody,
  VerifyEmailResponse,
} from '../contract/auth.js';
import type { AnalyticsPeriod, MessageResponse, Pagination, UserRole } from '../contract/common.js';
import type {
  CourseDetailsResponse,
  CourseListQuery,
  CourseListResponse,
  CourseRatingsQuery,
  CourseRatingsResponse,
  CreateCourseBody,
  CreateCourseResponse,
  RateCourseBody,
  RateCourseResponse,
  UpdateCourseBody,
  UpdateCourseResponse,
} from '../contract/courses.js';
import type {
  BulkEnrollBody,
  BulkEnrollResponse,
  CourseProgressResponse,
  EnrollResponse,
  UnenrollResponse,
} from '../contract/enrollments.js';
import type { GradeReportResponse } from '../contract/grades.js';
import type {
  CompleteLessonBody,
  CompleteLessonResponse,
  CreateLessonBody,
  CreateLessonResponse,
  LessonListResponse,
  LessonResponse,
  ReorderLessonsBody,
  ReorderLessonsResponse,
  UpdateLessonBody,
  UpdateLessonResponse,
} from '../contract/lessons.js';
import type {
  CheckUsernameResponse,
  UpdatePreferencesBody,
  UpdatePreferencesResponse,
  UpdateProfileBody,
  UpdateProfileResponse,
  UserProfile,
} from '../contract/profile.js';
import type {
  CourseQuizzesQuery,
  CourseQuizzesResponse,
  CreateQuizBody,
  QuizDetailsResponse,
  QuizResultsQuery,
  QuizResultsResponse,
  QuizSavedResponse,
  StartAttemptResponse,
  SubmitAttemptBody,
  SubmitAttemptResponse,
  UpdateQuizBody,
} from '../contract/quizzes.js';
import type { RecommendationsResponse } from '../contract/recommendations.js';
import type {
  AdminReportQuery,
  CreateExportBody,
  ExportCreatedResponse,
  ExportJobResponse,
  ExportListQuery,
  ExportListResponse,
  ProgressReportQuery,
  ReportFormat,
} from '../contract/reports.js';
import type { HealthResponse, ReadyResponse } from '../contract/system.js';
import type {
  CreateWebhookBody,
  CreateWebhookResponse,
  DeleteWebhookResponse,
  RotateWebhookSecretBody,
  RotateWebhookSecretResponse,
  UpdateWebhookBody,
  UpdateWebhookResponse,
  WebhookDeliveryActionResponse,
  WebhookDeliveryListQuery,
  WebhookDeliveryListResponse,
  WebhookListQuery,
  WebhookListResponse,
  WebhookResponse,
} from '../contract/webhooks.js';
import type {
  ApiKeyListQuery,
  ApiKeyListResponse,
  ApiKeyResponse,
  CreateApiKeyBody,
  CreatedApiKeyResponse,
  RevokedApiKeyResponse,
  RotateApiKeyBody,
  RotatedApiKeyResponse,
} from '../contract/api-keys.js';
import type { RotatedSigningKeyResponse, SigningKeyListResponse } from '../contract/signing-keys.js';
import { ApiClient, type ApiClientOptions, type HttpMethod, type QueryParams, type RequestOptions, type UploadOptions } from './api-client.js';
import { RealtimeClient, type RealtimeOptions } from './realtime-client.js';
import { openCourseSocket, type WebSocketConstructor, type WebSocketLike } from './realtime-socket.js';

/** What a request body may be: the schema's input (defaults optional). */
type In<S extends z.ZodType> = z.input<S>;
/** What a response is: the schema's output. */
type Out<S extends z.ZodType> = z.output<S>;
/** Query parameters: every one optional, typed as the server reads them. */
type Query<S extends z.ZodType> = Partial<z.output<S>>;
/** The `data` of an enveloped response. */
type Data<S extends z.ZodType> = Out<S> extends { data: infer D } ? D : never;

export type Paginated<T> = { data: T[]; pagination: Pagination };
export type MessageResult = Out<typeof MessageResponse>;

/** Options of an edit: `ifMatch` is an ETag from a read; a stale one fails with a `ConflictError` (412). */
export interface WriteOptions extends RequestOptions {
  ifMatch?: string;
}

export interface ELearningApiClientOptions extends ApiClientOptions {
  /** For real-time features where there is no global WebSocket (Node 20): e.g. `import WebSocket from 'ws'`. */
  WebSocket?: WebSocketConstructor;
}

const seg = (id: string) => encodeURIComponent(id);

export class ELearningApiClient extends ApiClient {
  private readonly webSocket: WebSocketConstructor | undefined;
  private sharedRealtime: RealtimeClient | undefined;

  constructor(options: ELearningApiClientOptions = {}) {
    super(options);
    this.webSocket = options.WebSocket;
  }

  // ---- real time

  /**
   * The client's RealtimeClient (one per API client, made at the first call with these options):
   * typed listeners, subscriptions kept across reconnects, resume without gaps or repeats.
   */
  realtime(options: RealtimeOptions = {}): RealtimeClient {
    if (!this.sharedRealtime || this.sharedRealtime.state === 'closed') {
      this.sharedRealtime = new RealtimeClient({ ...(this.webSocket ? { WebSocket: this.webSocket } : {}), ...options, api: this });
    }
    return this.sharedRealtime;
  }

  /**
   * The spec's `subscribeToUpdates`: a WebSocket to `/api/ws`, authenticated with this client's session
   * (the cookie in a browser, the access token as its first message in scripts) and subscribed to the
   * course once the server is ready. It does not reconnect: `realtime()` does.
   */
  subscribeToUpdates<S extends WebSocketLike = WebSocket>(courseId: string, options: { WebSocket?: WebSocketConstructor<S> } = {}): S {
    return openCourseSocket(this, courseId, options.WebSocket ?? (this.webSocket as WebSocketConstructor<S> | undefined));
  }

  // ---- system

  health(options?: RequestOptions): Promise<Out<typeof HealthResponse>> {
    return this.get('/api/health', undefined, options);
  }

  ready(options?: RequestOptions): Promise<Out<typeof ReadyResponse>> {
    return this.get('/api/ready', undefined, options);
  }

  // ---- auth (signIn, signOut and refreshSession come from ApiClient)

  async registerUser(body: In<typeof RegisterBody>, options?: RequestOptions): Promise<Data<typeof RegisterResponse>> {
    return (await this.post<Out<typeof RegisterResponse>>('/api/users/register', body, options)).data;
  }

  async signUp(body: In<typeof RegisterBody>, options?: RequestOptions): Promise<Data<typeof RegisterResponse>> {
    return (await this.post<Out<typeof RegisterResponse>>('/api/auth/signup', body, options)).data;
  }

  checkAuth(options?: RequestOptions): Promise<Out<typeof AuthCheckResponse>> {
    return this.get('/api/auth/check', undefined, options);
  }

  // ---- account security (login and verifyMfaSignIn come from ApiClient)

  /** Mails a sign-in code (`email`) or texts one (`sms`) for a challenge from `login`. */
  async sendMfaSignInCode(challengeId: string, method: MfaDeliveryMethod, options?: RequestOptions): Promise<Data<typeof CodeSentResponse>> {
    return (await this.post<Out<typeof CodeSentResponse>>('/api/auth/login/mfa/send', { challengeId, method }, noRetry(options))).data;
  }

  async getMfaStatus(options?: RequestOptions): Promise<Data<typeof MfaStatusResponse>> {
    return (await this.get<Out<typeof MfaStatusResponse>>('/api/auth/mfa', undefined, options)).data;
  }

  /** Starts an authenticator-app enrolment: the secret, its otpauth:// URI and a QR code (PNG data: URL). */
  async enrollTotp(currentPassword: string, options?: RequestOptions): Promise<Data<typeof TotpEnrollmentResponse>> {
    return (await this.post<Out<typeof TotpEnrollmentResponse>>('/api/auth/mfa/totp/enroll', { currentPassword }, noRetry(options))).data;
  }

  /** Turns the app on with its first code; `recoveryCodes` come with the first second factor, once. */
  async confirmTotp(code: string, options?: RequestOptions): Promise<Data<typeof MfaChangeResponse>> {
    return (await this.post<Out<typeof MfaChangeResponse>>('/api/auth/mfa/totp/confirm', { code }, noRetry(options))).data;
  }

  async disableTotp(body: In<typeof TotpDisableBody>, options?: RequestOptions): Promise<Data<typeof MfaChangeResponse>> {
    return (await this.post<Out<typeof MfaChangeResponse>>('/api/auth/mfa/totp/disable', body, noRetry(options))).data;
  }

  async regenerateRecoveryCodes(currentPassword: string, options?: RequestOptions): Promise<string[]> {
    const answer = await this.post<Out<typeof RecoveryCodesResponse>>('/api/auth/mfa/recovery-codes', { currentPassword }, noRetry(options));
    return answer.data.recoveryCodes;
  }

  async enrollSms(body: In<typeof SmsEnrollBody>, options?: RequestOptions): Promise<Data<typeof PhoneCodeSentResponse>> {
    return (await this.post<Out<typeof PhoneCodeSentResponse>>('/api/auth/mfa/sms/enroll', body, noRetry(options))).data;
  }

  async confirmSms(code: string, options?: RequestOptions): Promise<Data<typeof MfaChangeResponse>> {
    return (await this.post<Out<typeof MfaChangeResponse>>('/api/auth/mfa/sms/confirm', { code }, noRetry(options))).data;
  }

  async disableSms(currentPassword: string, options?: RequestOptions): Promise<Data<typeof MfaChangeResponse>> {
    return (await this.post<Out<typeof MfaChangeResponse>>('/api/auth/mfa/sms/disable', { currentPassword }, noRetry(options))).data;
  }

  async enableEmailMfa(currentPassword: string, options?: RequestOptions): Promise<Data<typeof MfaChangeResponse>> {
    return (await this.post<Out<typeof MfaChangeResponse>>('/api/auth/mfa/email/enable', { currentPassword }, noRetry(options))).data;
  }

  async disableEmailMfa(currentPassword: string, options?: RequestOptions): Promise<Data<typeof MfaChangeResponse>> {
    return (await this.post<Out<typeof MfaChangeResponse>>('/api/auth/mfa/email/disable', { currentPassword }, noRetry(options))).data;
  }

  /** With the link's `token` (signed in or not) or the mailed `code` (signed in). */
  async verifyEmail(body: In<typeof VerifyEmailBody>, options?: RequestOptions): Promise<Data<typeof VerifyEmailResponse>> {
    return (await this.post<Out<typeof VerifyEmailResponse>>('/api/auth/verify-email', body, noRetry(options))).data;
  }

  async resendVerificationEmail(options?: RequestOptions): Promise<Data<typeof VerificationSentResponse>> {
    return (await this.post<Out<typeof VerificationSentResponse>>('/api/auth/verify-email/resend', undefined, noRetry(options))).data;
  }

  /** Always succeeds (202), whether or not an account has this email. */
  forgotPassword(body: In<typeof ForgotPasswordBody>, options?: RequestOptions): Promise<MessageResult> {
    return this.post('/api/auth/password/forgot', body, options);
  }

  resetPassword(body: In<typeof ResetPasswordBody>, options?: RequestOptions): Promise<MessageResult> {
    return this.post('/api/auth/password/reset', body, noRetry(options));
  }

  async listSessions(options?: RequestOptions): Promise<Data<typeof SessionListResponse>> {
    return (await this.get<Out<typeof SessionListResponse>>('/api/auth/sessions', undefined, options)).data;
  }

  revokeSession(sessionId: string, options?: RequestOptions): Promise<MessageResult> {
    return this.delete(`/api/auth/sessions/${seg(sessionId)}`, options);
  }

  async revokeOtherSessions(options?: RequestOptions): Promise<Data<typeof RevokeOthersResponse>> {
    return (await this.post<Out<typeof RevokeOthersResponse>>('/api/auth/sessions/revoke-others', undefined, options)).data;
  }

  // ---- users and profile

  getUserProfile(userId: string, options?: RequestOptions): Promise<Out<typeof UserProfile>> {
    return this.get(`/api/users/${seg(userId)}/profile`, undefined, options);
  }

  async updateProfile(body: In<typeof UpdateProfileBody>, options?: WriteOptions): Promise<Out<typeof UpdateProfileResponse>['user']> {
    return (await this.put<Out<typeof UpdateProfileResponse>>('/api/profile/update', body, withIfMatch(options))).user;
  }

  async updatePreferences(
    body: In<typeof UpdatePreferencesBody>,
    options?: WriteOptions,
  ): Promise<Out<typeof UpdatePreferencesResponse>['user']> {
    return (await this.put<Out<typeof UpdatePreferencesResponse>>('/api/profile/preferences', body, withIfMatch(options))).user;
  }

  async checkUsername(username: string, options?: RequestOptions): Promise<Data<typeof CheckUsernameResponse>> {
    return (await this.post<Out<typeof CheckUsernameResponse>>('/api/profile/check-username', { username }, options)).data;
  }

  // ---- courses

  listCourses(query: Query<typeof CourseListQuery> = {}, options?: RequestOptions): Promise<Out<typeof CourseListResponse>> {
    return this.get('/api/courses', query, options);
  }

  async createCourse(body: In<typeof CreateCourseBody>, options?: RequestOptions): Promise<Data<typeof CreateCourseResponse>> {
    return (await this.post<Out<typeof CreateCourseResponse>>('/api/courses', body, options)).data;
  }

  async getCourse(courseId: string, options?: RequestOptions): Promise<Data<typeof CourseDetailsResponse>> {
    return (await this.get<Out<typeof CourseDetailsResponse>>(`/api/courses/${seg(courseId)}`, undefined, options)).data;
  }

  async updateCourse(
    courseId: string,
    body: In<typeof UpdateCourseBody>,
    options?: WriteOptions,
  ): Promise<Data<typeof UpdateCourseResponse>> {
    return (await this.put<Out<typeof UpdateCourseResponse>>(`/api/courses/${seg(courseId)}`, body, withIfMatch(options))).data;
  }

  deleteCourse(courseId: string, options?: RequestOptions): Promise<MessageResult> {
    return this.delete(`/api/courses/${seg(courseId)}`, options);
  }

  async rateCourse(courseId: string, body: In<typeof RateCourseBody>, options?: RequestOptions): Promise<Data<typeof RateCourseResponse>> {
    return (await this.post<Out<typeof RateCourseResponse>>(`/api/courses/${seg(courseId)}/ratings`, body, options)).data;
  }

  listCourseRatings(
    courseId: string,
    query: Query<typeof CourseRatingsQuery> = {},
    options?: RequestOptions,
  ): Promise<Out<typeof CourseRatingsResponse>> {
    return this.get(`/api/courses/${seg(courseId)}/ratings`, query, options);
  }

  // ---- enrolments

  async enrollInCourse(courseId: string, options?: RequestOptions): Promise<Data<typeof EnrollResponse>> {
    return (await this.post<Out<typeof EnrollResponse>>(`/api/courses/${seg(courseId)}/enroll`, undefined, options)).data;
  }

  /** Leaves a course (admins: `studentId` for another student). Resolves with the withdrawn enrolment. */
  async unenrollFromCourse(
    courseId: string,
    query: { studentId?: string } = {},
    options: RequestOptions = {},
  ): Promise<Data<typeof UnenrollResponse>> {
    const result = await this.delete<Out<typeof UnenrollResponse>>(`/api/courses/${seg(courseId)}/enroll`, {
      ...options,
      params: { ...options.params, ...query },
    });
    return result.data;
  }

  async getCourseProgress(
    courseId: string,
    query: { studentId?: string } = {},
    options?: RequestOptions,
  ): Promise<Data<typeof CourseProgressResponse>> {
    return (await this.get<Out<typeof CourseProgressResponse>>(`/api/courses/${seg(courseId)}/progress`, query, options)).data;
  }

  async bulkEnroll(courseId: string, body: In<typeof BulkEnrollBody>, options?: RequestOptions): Promise<Data<typeof BulkEnrollResponse>> {
    return (await this.post<Out<typeof BulkEnrollResponse>>(`/api/courses/${seg(courseId)}/enrollments/bulk`, body, options)).data;
  }

  // ---- lessons

  async listCourseLessons(courseId: string, options?: RequestOptions): Promise<Data<typeof LessonListResponse>> {
    return (await this.get<Out<typeof LessonListResponse>>(`/api/courses/${seg(courseId)}/lessons`, undefined, options)).data;
  }

  async createLesson(courseId: string, body: In<typeof CreateLessonBody>, options?: RequestOptions): Promise<Data<typeof CreateLessonResponse>> {
    return (await this.post<Out<typeof CreateLessonResponse>>(`/api/courses/${seg(courseId)}/lessons`, body, options)).data;
  }

  async getCourseLesson(courseId: string, lessonId: string, options?: RequestOptions): Promise<Data<typeof LessonResponse>> {
    return (await this.get<Out<typeof LessonResponse>>(lessonPath(courseId, lessonId), undefined, options)).data;
  }

  async updateLesson(
    courseId: string,
    lessonId: string,
    body: In<typeof UpdateLessonBody>,
    options?: WriteOptions,
  ): Promise<Data<typeof UpdateLessonResponse>> {
    return (await this.put<Out<typeof UpdateLessonResponse>>(lessonPath(courseId, lessonId), body, withIfMatch(options))).data;
  }

  deleteLesson(courseId: string, lessonId: string, options?: RequestOptions): Promise<MessageResult> {
    return this.delete(lessonPath(courseId, lessonId), options);
  }

  async reorderLessons(
    courseId: string,
    lessonIds: In<typeof ReorderLessonsBody>['lessonIds'],
    options?: RequestOptions,
  ): Promise<Data<typeof ReorderLessonsResponse>> {
    return (await this.post<Out<typeof ReorderLessonsResponse>>(`/api/courses/${seg(courseId)}/lessons/reorder`, { lessonIds }, options)).data;
  }

  async completeLesson(body: In<typeof CompleteLessonBody>, options?: RequestOptions): Promise<Data<typeof CompleteLessonResponse>> {
    return (await this.post<Out<typeof CompleteLessonResponse>>('/api/lessons/complete', body, options)).data;
  }

  // ---- assignments

  async createAssignment(body: In<typeof CreateAssignmentBody>, options?: RequestOptions): Promise<Data<typeof CreateAssignmentResponse>> {
    return (await this.post<Out<typeof CreateAssignmentResponse>>('/api/assignments', body, options)).data;
  }

  /** Students: their own submissions; instructors and admins: the assignments they manage. */
  listMyAssignments(query: Query<typeof AssignmentListQuery> = {}, options?: RequestOptions): Promise<Out<typeof AssignmentListResponse>> {
    return this.get('/api/assignments', query, options);
  }

  async listCourseAssignments(
    courseId: string,
    query: { studentId?: string } = {},
    options?: RequestOptions,
  ): Promise<Data<typeof CourseAssignmentsResponse>> {
    return (await this.get<Out<typeof CourseAssignmentsResponse>>(`/api/courses/${seg(courseId)}/assignments`, query, options)).data;
  }

  async getAssignment(assignmentId: string, options?: RequestOptions): Promise<Data<typeof AssignmentDetailsResponse>> {
    return (await this.get<Out<typeof AssignmentDetailsResponse>>(assignmentPath(assignmentId), undefined, options)).data;
  }

  async updateAssignment(
    assignmentId: string,
    body: In<typeof UpdateAssignmentBody>,
    options?: WriteOptions,
  ): Promise<Data<typeof UpdateAssignmentResponse>> {
    return (await this.put<Out<typeof UpdateAssignmentResponse>>(assignmentPath(assignmentId), body, withIfMatch(options))).data;
  }

  deleteAssignment(assignmentId: string, options?: WriteOptions): Promise<MessageResult> {
    return this.delete(assignmentPath(assignmentId), withIfMatch(options));
  }

  /** Hands in work: `submissionContent` or `fileUrl` (or both). */
  async submitAssignment(
    assignmentId: string,
    submission: Omit<In<typeof SubmitAssignmentBody>, 'assignmentId'>,
    options?: RequestOptions,
  ): Promise<Data<typeof SubmitAssignmentResponse>> {
    return (await this.post<Out<typeof SubmitAssignmentResponse>>('/api/assignments/submit', { ...submission, assignmentId }, options)).data;
  }

  async setAssignmentRubric(
    assignmentId: string,
    body: In<typeof SetRubricBody>,
    options?: RequestOptions,
  ): Promise<Data<typeof SetRubricResponse>> {
    return (await this.post<Out<typeof SetRubricResponse>>(`${assignmentPath(assignmentId)}/rubric`, body, options)).data;
  }

  async getAssignmentRubric(assignmentId: string, options?: RequestOptions): Promise<Data<typeof RubricResponse>> {
    return (await this.get<Out<typeof RubricResponse>>(`${assignmentPath(assignmentId)}/rubric`, undefined, options)).data;
  }

  async gradeSubmission(
    assignmentId: string,
    body: In<typeof GradeSubmissionBody>,
    options?: RequestOptions,
  ): Promise<Data<typeof GradeSubmissionResponse>> {
    return (await this.post<Out<typeof GradeSubmissionResponse>>(`${assignmentPath(assignmentId)}/grade`, body, options)).data;
  }

  async bulkGradeSubmissions(
    assignmentId: string,
    body: In<typeof BulkGradeBody>,
    options?: RequestOptions,
  ): Promise<Data<typeof BulkGradeResponse>> {
    return (await this.post<Out<typeof BulkGradeResponse>>(`${assignmentPath(assignmentId)}/grades/bulk`, body, options)).data;
  }

  listAssignmentSubmissions(
    assignmentId: string,
    query: Query<typeof AssignmentSubmissionsQuery> = {},
    options?: RequestOptions,
  ): Promise<Out<typeof AssignmentSubmissionsResponse>> {
    return this.get(`${assignmentPath(assignmentId)}/submissions`, query, options);
  }

  /** The caller's grade, feedback and grading history (course staff: `studentId` for a student's). */
  async getAssignmentFeedback(
    assignmentId: string,
    query: { studentId?: string } = {},
    options?: RequestOptions,
  ): Promise<Data<typeof AssignmentFeedbackResponse>> {
    return (await this.get<Out<typeof AssignmentFeedbackResponse>>(`${assignmentPath(assignmentId)}/feedback`, query, options)).data;
  }

  // ---- analytics, achievements, recommendations, grades

  async getMyAnalytics(period: AnalyticsPeriod = 'week', options?: RequestOptions): Promise<Data<typeof ProgressAnalyticsResponse>> {
    return (await this.get<Out<typeof ProgressAnalyticsResponse>>('/api/analytics', { period }, options)).data;
  }

  /** The spec's name for the caller's own analytics. */
  getLearningAnalytics(period: AnalyticsPeriod = 'week', options?: RequestOptions): Promise<Data<typeof ProgressAnalyticsResponse>> {
    return this.getMyAnalytics(period, options);
  }

  async getUserAnalytics(
    userId: string,
    period: AnalyticsPeriod = 'week',
    options?: RequestOptions,
  ): Promise<Data<typeof ProgressAnalyticsResponse>> {
    return (await this.get<Out<typeof ProgressAnalyticsResponse>>(`/api/analytics/${seg(userId)}`, { period }, options)).data;
  }

  async getUserCourseProgress(userId: string, options?: RequestOptions): Promise<Data<typeof CourseProgressListResponse>> {
    return (await this.get<Out<typeof CourseProgressListResponse>>(`/api/analytics/${seg(userId)}/courses`, undefined, options)).data;
  }

  async getStudentAchievements(studentId: string, options?: RequestOptions): Promise<Data<typeof StudentAchievementsResponse>> {
    return (await this.get<Out<typeof StudentAchievementsResponse>>(`/api/achievements/${seg(studentId)}`, undefined, options)).data;
  }

  async getRecommendations(query: { limit?: number } = {}, options?: RequestOptions): Promise<Data<typeof RecommendationsResponse>> {
    return (await this.get<Out<typeof RecommendationsResponse>>('/api/recommendations', query, options)).data;
  }

  async getGradeReport(userId: string, options?: RequestOptions): Promise<Data<typeof GradeReportResponse>> {
    return (await this.get<Out<typeof GradeReportResponse>>(`/api/grades/${seg(userId)}`, undefined, options)).data;
  }

  // ---- quizzes

  async createQuiz(body: In<typeof CreateQuizBody>, options?: RequestOptions): Promise<Data<typeof QuizSavedResponse>> {
    return (await this.post<Out<typeof QuizSavedResponse>>('/api/quizzes', body, options)).data;
  }

  /** Course staff get the answers (`view: 'staff'`); enrolled students never do (`view: 'student'`). */
  async getQuiz(quizId: string, options?: RequestOptions): Promise<Data<typeof QuizDetailsResponse>> {
    return (await this.get<Out<typeof QuizDetailsResponse>>(quizPath(quizId), undefined, options)).data;
  }

  async updateQuiz(quizId: string, body: In<typeof UpdateQuizBody>, options?: WriteOptions): Promise<Data<typeof QuizSavedResponse>> {
    return (await this.put<Out<typeof QuizSavedResponse>>(quizPath(quizId), body, withIfMatch(options))).data;
  }

  deleteQuiz(quizId: string, options?: RequestOptions): Promise<MessageResult> {
    return this.delete(quizPath(quizId), options);
  }

  listCourseQuizzes(
    courseId: string,
    query: Query<typeof CourseQuizzesQuery> = {},
    options?: RequestOptions,
  ): Promise<Out<typeof CourseQuizzesResponse>> {
    return this.get(`/api/courses/${seg(courseId)}/quizzes`, query, options);
  }

  /** Starts an attempt, or returns the one in progress. */
  async startQuizAttempt(quizId: string, options?: RequestOptions): Promise<Data<typeof StartAttemptResponse>> {
    return (await this.post<Out<typeof StartAttemptResponse>>(`${quizPath(quizId)}/attempts`, undefined, options)).data;
  }

  async submitQuizAttempt(
    quizId: string,
    attemptId: string,
    body: In<typeof SubmitAttemptBody>,
    options?: RequestOptions,
  ): Promise<Data<typeof SubmitAttemptResponse>> {
    return (await this.post<Out<typeof SubmitAttemptResponse>>(`${quizPath(quizId)}/attempts/${seg(attemptId)}/submit`, body, options)).data;
  }

  /** Staff: statistics and every attempt (`view: 'staff'`); students: their own attempts (`view: 'student'`). */
  getQuizResults(quizId: string, query: Query<typeof QuizResultsQuery> = {}, options?: RequestOptions): Promise<Out<typeof QuizResultsResponse>> {
    return this.get(`${quizPath(quizId)}/results`, query, options);
  }

  // ---- reports and exports

  /** The caller's (or, for staff, `userId`'s) progress report as a PDF or CSV file. */
  exportProgressReport(
    format: ReportFormat = 'pdf',
    query: Omit<Query<typeof ProgressReportQuery>, 'format'> = {},
    options?: RequestOptions,
  ): Promise<Blob> {
    return this.getBlob('/api/analytics/report', { ...query, format }, options);
  }

  /** Admins: an enrolments, grades or engagement report over a date range. */
  getAdminReport(query: In<typeof AdminReportQuery>, options?: RequestOptions): Promise<Blob> {
    return this.getBlob('/api/admin/reports', query, options);
  }

  async createExport(body: In<typeof CreateExportBody>, options?: RequestOptions): Promise<Data<typeof ExportCreatedResponse>> {
    return (await this.post<Out<typeof ExportCreatedResponse>>('/api/admin/export', body, options)).data;
  }

  listExports(query: Query<typeof ExportListQuery> = {}, options?: RequestOptions): Promise<Out<typeof ExportListResponse>> {
    return this.get('/api/admin/exports', query, options);
  }

  async getExport(exportId: string, options?: RequestOptions): Promise<Data<typeof ExportJobResponse>> {
    return (await this.get<Out<typeof ExportJobResponse>>(`/api/admin/exports/${seg(exportId)}`, undefined, options)).data;
  }

  downloadExport(exportId: string, options?: RequestOptions): Promise<Blob> {
    return this.getBlob(`/api/admin/exports/${seg(exportId)}/download`, undefined, options);
  }

  // ---- admin

  async fixAssignments(options?: RequestOptions): Promise<Data<typeof FixAssignmentsResponse>> {
    return (await this.post<Out<typeof FixAssignmentsResponse>>('/api/admin/fix-assignments', undefined, options)).data;
  }

  /** Admins: platform-wide figures over a date range (default: the last 30 days). */
  async getPlatformAnalytics(
    query: In<typeof PlatformAnalyticsQuery> = {},
    options?: RequestOptions,
  ): Promise<Data<typeof PlatformAnalyticsResponse>> {
    return (await this.get<Out<typeof PlatformAnalyticsResponse>>('/api/admin/analytics', query, options)).data;
  }

  /** The course's students at risk, with the criteria used (the course's instructor and admins). */
  getAtRiskStudents(courseId: string, query: Query<typeof AtRiskQuery> = {}, options?: RequestOptions): Promise<Out<typeof AtRiskResponse>> {
    return this.get(`/api/courses/${seg(courseId)}/at-risk`, query, options);
  }

  listAuditLog(query: Query<typeof AuditLogQuery> = {}, options?: RequestOptions): Promise<Out<typeof AuditLogResponse>> {
    return this.get('/api/admin/audit-log', query, options);
  }

  // ---- user administration (admins)

  listUsers(query: Query<typeof ListUsersQuery> = {}, options?: RequestOptions): Promise<Out<typeof ListUsersResponse>> {
    return this.get('/api/users', query, options);
  }

  async updateUserRole(userId: string, role: UserRole, options?: RequestOptions): Promise<Data<typeof AdminUserResponse>> {
    return (await this.put<Out<typeof AdminUserResponse>>(`/api/users/${seg(userId)}/role`, { role }, options)).data;
  }

  async suspendUser(userId: string, reason?: string, options?: RequestOptions): Promise<Data<typeof AdminUserResponse>> {
    const body = reason === undefined ? undefined : { reason };
    return (await this.post<Out<typeof AdminUserResponse>>(`/api/users/${seg(userId)}/suspend`, body, options)).data;
  }

  async unsuspendUser(userId: string, options?: RequestOptions): Promise<Data<typeof AdminUserResponse>> {
    return (await this.post<Out<typeof AdminUserResponse>>(`/api/users/${seg(userId)}/unsuspend`, undefined, options)).data;
  }

  /** A user's activity timeline (the user, admins, and instructors of the user's courses). */
  getUserActivity(userId: string, query: Query<typeof ActivityQuery> = {}, options?: RequestOptions): Promise<Out<typeof ActivityLogResponse>> {
    return this.get(`/api/users/${seg(userId)}/activity`, query, options);
  }

  // ---- outgoing webhooks (instructors for their courses, admins for everything)

  /** Registers an endpoint; the answer holds the signing secret, which is never shown again. */
  async createWebhook(body: In<typeof CreateWebhookBody>, options?: RequestOptions): Promise<Data<typeof CreateWebhookResponse>> {
    return (await this.post<Out<typeof CreateWebhookResponse>>('/api/webhooks', body, options)).data;
  }

  listWebhooks(query: Query<typeof WebhookListQuery> = {}, options?: RequestOptions): Promise<Out<typeof WebhookListResponse>> {
    return this.get('/api/webhooks', query, options);
  }

  async getWebhook(webhookId: string, options?: RequestOptions): Promise<Data<typeof WebhookResponse>> {
    return (await this.get<Out<typeof WebhookResponse>>(`/api/webhooks/${seg(webhookId)}`, undefined, options)).data;
  }

  /** Changes the URL, event types or description; `active: true` also ends an automatic pause. */
  async updateWebhook(webhookId: string, body: In<typeof UpdateWebhookBody>, options?: RequestOptions): Promise<Data<typeof UpdateWebhookResponse>> {
    return (await this.patch<Out<typeof UpdateWebhookResponse>>(`/api/webhooks/${seg(webhookId)}`, body, options)).data;
  }

  deleteWebhook(webhookId: string, options?: RequestOptions): Promise<Out<typeof DeleteWebhookResponse>> {
    return this.delete(`/api/webhooks/${seg(webhookId)}`, options);
  }

  /** A new signing secret (in the answer, only there); the old one also signs for `previousSecretValidHours`. */
  async rotateWebhookSecret(
    webhookId: string,
    body: In<typeof RotateWebhookSecretBody> = {},
    options?: RequestOptions,
  ): Promise<Data<typeof RotateWebhookSecretResponse>> {
    return (await this.post<Out<typeof RotateWebhookSecretResponse>>(`/api/webhooks/${seg(webhookId)}/rotate-secret`, body, options)).data;
  }

  listWebhookDeliveries(
    webhookId: string,
    query: Query<typeof WebhookDeliveryListQuery> = {},
    options?: RequestOptions,
  ): Promise<Out<typeof WebhookDeliveryListResponse>> {
    return this.get(`/api/webhooks/${seg(webhookId)}/deliveries`, query, options);
  }

  /** Queues the delivery's body again as a new delivery. */
  async replayWebhookDelivery(webhookId: string, deliveryId: string, options?: RequestOptions): Promise<Data<typeof WebhookDeliveryActionResponse>> {
    const path = `/api/webhooks/${seg(webhookId)}/deliveries/${seg(deliveryId)}/replay`;
    return (await this.post<Out<typeof WebhookDeliveryActionResponse>>(path, undefined, options)).data;
  }

  /** Sends a signed test ping now and answers the recorded delivery (its status and the receiver's answer). */
  async pingWebhook(webhookId: string, options?: RequestOptions): Promise<Data<typeof WebhookDeliveryActionResponse>> {
    return (await this.post<Out<typeof WebhookDeliveryActionResponse>>(`/api/webhooks/${seg(webhookId)}/ping`, undefined, options)).data;
  }

  // ---- API keys (each user their own; admins anyone's) and the access-token signing keys (admins)

  /** Creates a named key; the answer's `key` (`sk_live_…`) is shown this once. */
  async createApiKey(body: In<typeof CreateApiKeyBody>, options?: RequestOptions): Promise<Data<typeof CreatedApiKeyResponse>> {
    return (await this.post<Out<typeof CreatedApiKeyResponse>>('/api/api-keys', body, options)).data;
  }

  listApiKeys(query: Query<typeof ApiKeyListQuery> = {}, options?: RequestOptions): Promise<Out<typeof ApiKeyListResponse>> {
    return this.get('/api/api-keys', query, options);
  }

  async getApiKey(keyId: string, options?: RequestOptions): Promise<Data<typeof ApiKeyResponse>> {
    return (await this.get<Out<typeof ApiKeyResponse>>(`/api/api-keys/${seg(keyId)}`, undefined, options)).data;
  }

  /** A new key (in the answer, only there); the old one keeps working for `gracePeriodHours` (default 24). */
  async rotateApiKey(keyId: string, body: In<typeof RotateApiKeyBody> = {}, options?: RequestOptions): Promise<Data<typeof RotatedApiKeyResponse>> {
    return (await this.post<Out<typeof RotatedApiKeyResponse>>(`/api/api-keys/${seg(keyId)}/rotate`, body, options)).data;
  }

  async revokeApiKey(keyId: string, options?: RequestOptions): Promise<Data<typeof RevokedApiKeyResponse>> {
    return (await this.delete<Out<typeof RevokedApiKeyResponse>>(`/api/api-keys/${seg(keyId)}`, options)).data;
  }

  async listSigningKeys(options?: RequestOptions): Promise<Data<typeof SigningKeyListResponse>> {
    return (await this.get<Out<typeof SigningKeyListResponse>>('/api/admin/signing-keys', undefined, options)).data;
  }

  /** A new access-token signing key; tokens signed with the previous one stay valid until they expire. */
  async rotateSigningKey(options?: RequestOptions): Promise<Data<typeof RotatedSigningKeyResponse>> {
    return (await this.post<Out<typeof RotatedSigningKeyResponse>>('/api/admin/signing-keys/rotate', undefined, options)).data;
  }

  // ---- search

  /** Courses and lessons matching `q` (phrases in quotes, `or`, -excluded words), best first. */
  search(query: Query<typeof SearchQuery> & { q: string }, options?: RequestOptions): Promise<Out<typeof SearchResponse>> {
    return this.get('/api/search', query, options);
  }

  // ---- lesson content, media, uploads and downloads

  async saveLessonContent(
    lessonId: string,
    body: In<typeof SaveLessonContentBody>,
    options?: RequestOptions,
  ): Promise<Data<typeof SaveLessonContentResponse>> {
    return (await this.post<Out<typeof SaveLessonContentResponse>>(`/api/lessons/${seg(lessonId)}/content`, body, options)).data;
  }

  /** The latest version, or `version`; with the sanitised HTML and the list of versions. */
  async getLessonContent(lessonId: string, query: { version?: number } = {}, options?: RequestOptions): Promise<Data<typeof LessonContentResponse>> {
    return (await this.get<Out<typeof LessonContentResponse>>(`/api/lessons/${seg(lessonId)}/content`, query, options)).data;
  }

  async uploadLessonMedia(
    lessonId: string,
    file: Blob,
    onProgress?: (progress: number) => void,
    options: UploadOptions = {},
  ): Promise<Data<typeof UploadResponse>> {
    return (await this.uploadFile<Out<typeof UploadResponse>>(`/api/lessons/${seg(lessonId)}/media`, file, onProgress, options)).data;
  }

  async listLessonMedia(lessonId: string, options?: RequestOptions): Promise<Data<typeof LessonMediaListResponse>> {
    return (await this.get<Out<typeof LessonMediaListResponse>>(`/api/lessons/${seg(lessonId)}/media`, undefined, options)).data;
  }

  /** Uploads a file (e.g. for a submission's `fileUrl`); progress goes from 0 to 1 as the bytes leave. */
  async upload(file: Blob, onProgress?: (progress: number) => void, options: UploadOptions = {}): Promise<Data<typeof UploadResponse>> {
    return (await this.uploadFile<Out<typeof UploadResponse>>('/api/uploads', file, onProgress, options)).data;
  }

  /** An uploaded file's bytes, by its id (`url` of an upload is `/api/files/<fileId>`). */
  getFile(fileId: string, options?: RequestOptions): Promise<Blob> {
    return this.getBlob(`/api/files/${seg(fileId)}`, undefined, options);
  }

  /** The lesson as a ZIP (its Markdown and media), or one media file with `fileId`. */
  downloadLesson(lessonId: string, query: { fileId?: string } = {}, options?: RequestOptions): Promise<Blob> {
    return this.getBlob(`/api/lessons/${seg(lessonId)}/download`, query, options);
  }

  // ---- announcements, messages and notifications

  /** To a course you teach (admins: any course, or everyone without `courseId`). */
  async createAnnouncement(body: In<typeof CreateAnnouncementBody>, options?: RequestOptions): Promise<Data<typeof CreateAnnouncementResponse>> {
    return (await this.post<Out<typeof CreateAnnouncementResponse>>('/api/announcements', body, options)).data;
  }

  /** Platform-wide announcements and those of the caller's courses (or of `courseId`), newest first. */
  listAnnouncements(query: Query<typeof AnnouncementListQuery> = {}, options?: RequestOptions): Promise<Out<typeof AnnouncementListResponse>> {
    return this.get('/api/announcements', query, options);
  }

  async sendMessage(body: In<typeof SendMessageBody>, options?: RequestOptions): Promise<Data<typeof SendMessageResponse>> {
    return (await this.post<Out<typeof SendMessageResponse>>('/api/messages', body, options)).data;
  }

  /** The caller's messages, newest first; `conversationId` or `withUserId` for one conversation, `unread` for the unread ones. */
  listMessages(query: Query<typeof MessageListQuery> = {}, options?: RequestOptions): Promise<Out<typeof MessageListResponse>> {
    return this.get('/api/messages', query, options);
  }

  /** Conversations with their last message and unread count, and `unreadCount` over all of them. */
  listConversations(query: { page?: number; limit?: number } = {}, options?: RequestOptions): Promise<Out<typeof ConversationListResponse>> {
    return this.get('/api/messages/conversations', query, options);
  }

  async markConversationRead(conversationId: string, options?: RequestOptions): Promise<Data<typeof MarkConversationReadResponse>> {
    return (await this.post<Out<typeof MarkConversationReadResponse>>(`/api/messages/conversations/${seg(conversationId)}/read`, undefined, options)).data;
  }

  /** The spec's `getNotifications`: the caller's notifications, newest first, with `unreadCount`. */
  getNotifications(query: Query<typeof NotificationListQuery> = {}, options?: RequestOptions): Promise<Out<typeof NotificationListResponse>> {
    return this.get('/api/notifications', query, options);
  }

  /** `{ ids }` (all the caller's) or `{ all: true }`. */
  async markNotificationsRead(body: In<typeof MarkNotificationsReadBody>, options?: RequestOptions): Promise<Data<typeof MarkNotificationsReadResponse>> {
    return (await this.post<Out<typeof MarkNotificationsReadResponse>>('/api/notifications/read', body, options)).data;
  }

  async getNotificationPreferences(options?: RequestOptions): Promise<Data<typeof NotificationPreferencesResponse>> {
    return (await this.get<Out<typeof NotificationPreferencesResponse>>('/api/notifications/preferences', undefined, options)).data;
  }

  /** Changes only the types, channels and digest setting sent. */
  async updateNotificationPreferences(
    body: In<typeof UpdateNotificationPreferencesBody>,
    options?: RequestOptions,
  ): Promise<Data<typeof UpdateNotificationPreferencesResponse>> {
    return (await this.put<Out<typeof UpdateNotificationPreferencesResponse>>('/api/notifications/preferences', body, options)).data;
  }

  /** A file as a Blob, without saving it (`downloadFile` also saves it in a browser). */
  protected getBlob(endpoint: string, params: QueryParams | undefined, options: RequestOptions = {}): Promise<Blob> {
    return this.request<Blob>('GET', endpoint, undefined, {
      ...options,
      params: { ...options.params, ...params },
      responseType: 'blob',
    });
  }
}

const lessonPath = (courseId: string, lessonId: string) => `/api/courses/${seg(courseId)}/lessons/${seg(lessonId)}`;
const assignmentPath = (assignmentId: string) => `/api/assignments/${seg(assignmentId)}`;
const quizPath = (quizId: string) => `/api/quizzes/${seg(quizId)}`;

/** One-time codes and single-use tokens: a retry after a lost answer would be refused as a second use. */
const noRetry = (options: RequestOptions = {}): RequestOptions => ({ retry: false, ...options });

function withIfMatch(options: WriteOptions = {}): RequestOptions {
  const { ifMatch, ...rest } = options;
  return ifMatch ? { ...rest, headers: { ...rest.headers, 'if-match': ifMatch } } : rest;
}

export interface SdkRoute {
  method: HttpMethod;
  /** As the OpenAPI document writes it. */
  path: string;
  /** The client method that calls it. */
  name: keyof ELearningApiClient & string;
}

/**
 * Every route the client covers, kept next to the methods. A test compares it with the server's
 * OpenAPI document and fails on any route without a method.
 */
export const sdkRoutes: readonly SdkRoute[] = [
  { method: 'GET', path: '/api/health', name: 'health' },
  { method: 'GET', path: '/api/ready', name: 'ready' },
  { method: 'POST', path: '/api/users/register', name: 'registerUser' },
  { method: 'POST', path: '/api/auth/signup', name: 'signUp' },
  { method: 'POST', path: '/api/auth/signin', name: 'signIn' },
  { method: 'GET', path: '/api/auth/check', name: 'checkAuth' },
  { method: 'POST', path: '/api/auth/refresh', name: 'refreshSession' },
  { method: 'POST', path: '/api/auth/signout', name: 'signOut' },
  { method: 'POST', path: '/api/auth/login', name: 'login' },
  { method: 'POST', path: '/api/auth/login/mfa', name: 'verifyMfaSignIn' },
  { method: 'POST', path: '/api/auth/login/mfa/send', name: 'sendMfaSignInCode' },
  { method: 'GET', path: '/api/auth/mfa', name: 'getMfaStatus' },
  { method: 'POST', path: '/api/auth/mfa/totp/enroll', name: 'enrollTotp' },
  { method: 'POST', path: '/api/auth/mfa/totp/confirm', name: 'confirmTotp' },
  { method: 'POST', path: '/api/auth/mfa/totp/disable', name: 'disableTotp' },
  { method: 'POST', path: '/api/auth/mfa/recovery-codes', name: 'regenerateRecoveryCodes' },
  { method: 'POST', path: '/api/auth/mfa/sms/enroll', name: 'enrollSms' },
  { method: 'POST', path: '/api/auth/mfa/sms/confirm', name: 'confirmSms' },
  { method: 'POST', path: '/api/auth/mfa/sms/disable', name: 'disableSms' },
  { method: 'POST', path: '/api/auth/mfa/email/enable', name: 'enableEmailMfa' },
  { method: 'POST', path: '/api/auth/mfa/email/disable', name: 'disableEmailMfa' },
  { method: 'POST', path: '/api/auth/verify-email', name: 'verifyEmail' },
  { method: 'POST', path: '/api/auth/verify-email/resend', name: 'resendVerificationEmail' },
  { method: 'POST', path: '/api/auth/password/forgot', name: 'forgotPassword' },
  { method: 'POST', path: '/api/auth/password/reset', name: 'resetPassword' },
  { method: 'GET', path: '/api/auth/sessions', name: 'listSessions' },
  { method: 'DELETE', path: '/api/auth/sessions/{sessionId}', name: 'revokeSession' },
  { method: 'POST', path: '/api/auth/sessions/revoke-others', name: 'revokeOtherSessions' },
  { method: 'GET', path: '/api/users/{userId}/profile', name: 'getUserProfile' },
  { method: 'PUT', path: '/api/profile/update', name: 'updateProfile' },
  { method: 'PUT', path: '/api/profile/preferences', name: 'updatePreferences' },
  { method: 'POST', path: '/api/profile/check-username', name: 'checkUsername' },
  { method: 'GET', path: '/api/courses', name: 'listCourses' },
  { method: 'POST', path: '/api/courses', name: 'createCourse' },
  { method: 'GET', path: '/api/courses/{courseId}', name: 'getCourse' },
  { method: 'PUT', path: '/api/courses/{courseId}', name: 'updateCourse' },
  { method: 'DELETE', path: '/api/courses/{courseId}', name: 'deleteCourse' },
  { method: 'POST', path: '/api/courses/{courseId}/ratings', name: 'rateCourse' },
  { method: 'GET', path: '/api/courses/{courseId}/ratings', name: 'listCourseRatings' },
  { method: 'POST', path: '/api/courses/{courseId}/enroll', name: 'enrollInCourse' },
  { method: 'DELETE', path: '/api/courses/{courseId}/enroll', name: 'unenrollFromCourse' },
  { method: 'GET', path: '/api/courses/{courseId}/progress', name: 'getCourseProgress' },
  { method: 'POST', path: '/api/courses/{courseId}/enrollments/bulk', name: 'bulkEnroll' },
  { method: 'GET', path: '/api/courses/{courseId}/lessons', name: 'listCourseLessons' },
  { method: 'POST', path: '/api/courses/{courseId}/lessons', name: 'createLesson' },
  { method: 'GET', path: '/api/courses/{courseId}/lessons/{lessonId}', name: 'getCourseLesson' },
  { method: 'PUT', path: '/api/courses/{courseId}/lessons/{lessonId}', name: 'updateLesson' },
  { method: 'DELETE', path: '/api/courses/{courseId}/lessons/{lessonId}', name: 'deleteLesson' },
  { method: 'POST', path: '/api/courses/{courseId}/lessons/reorder', name: 'reorderLessons' },
  { method: 'POST', path: '/api/lessons/complete', name: 'completeLesson' },
  { method: 'POST', path: '/api/assignments', name: 'createAssignment' },
  { method: 'GET', path: '/api/assignments', name: 'listMyAssignments' },
  { method: 'GET', path: '/api/courses/{courseId}/assignments', name: 'listCourseAssignments' },
  { method: 'GET', path: '/api/assignments/{assignmentId}', name: 'getAssignment' },
  { method: 'PUT', path: '/api/assignments/{assignmentId}', name: 'updateAssignment' },
  { method: 'DELETE', path: '/api/assignments/{assignmentId}', name: 'deleteAssignment' },
  { method: 'POST', path: '/api/assignments/submit', name: 'submitAssignment' },
  { method: 'POST', path: '/api/assignments/{assignmentId}/rubric', name: 'setAssignmentRubric' },
  { method: 'GET', path: '/api/assignments/{assignmentId}/rubric', name: 'getAssignmentRubric' },
  { method: 'POST', path: '/api/assignments/{assignmentId}/grade', name: 'gradeSubmission' },
  { method: 'POST', path: '/api/assignments/{assignmentId}/grades/bulk', name: 'bulkGradeSubmissions' },
  { method: 'GET', path: '/api/assignments/{assignmentId}/submissions', name: 'listAssignmentSubmissions' },
  { method: 'GET', path: '/api/assignments/{assignmentId}/feedback', name: 'getAssignmentFeedback' },
  { method: 'GET', path: '/api/analytics', name: 'getMyAnalytics' },
  { method: 'GET', path: '/api/analytics/{userId}', name: 'getUserAnalytics' },
  { method: 'GET', path: '/api/analytics/{userId}/courses', name: 'getUserCourseProgress' },
  { method: 'GET', path: '/api/achievements/{studentId}', name: 'getStudentAchievements' },
  { method: 'GET', path: '/api/recommendations', name: 'getRecommendations' },
  { method: 'POST', path: '/api/quizzes', name: 'createQuiz' },
  { method: 'GET', path: '/api/quizzes/{quizId}', name: 'getQuiz' },
  { method: 'PUT', path: '/api/quizzes/{quizId}', name: 'updateQuiz' },
  { method: 'DELETE', path: '/api/quizzes/{quizId}', name: 'deleteQuiz' },
  { method: 'GET', path: '/api/courses/{courseId}/quizzes', name: 'listCourseQuizzes' },
  { method: 'POST', path: '/api/quizzes/{quizId}/attempts', name: 'startQuizAttempt' },
  { method: 'POST', path: '/api/quizzes/{quizId}/attempts/{attemptId}/submit', name: 'submitQuizAttempt' },
  { method: 'GET', path: '/api/quizzes/{quizId}/results', name: 'getQuizResults' },
  { method: 'GET', path: '/api/grades/{userId}', name: 'getGradeReport' },
  { method: 'GET', path: '/api/admin/reports', name: 'getAdminReport' },
  { method: 'GET', path: '/api/analytics/report', name: 'exportProgressReport' },
  { method: 'POST', path: '/api/admin/export', name: 'createExport' },
  { method: 'GET', path: '/api/admin/exports', name: 'listExports' },
  { method: 'GET', path: '/api/admin/exports/{exportId}', name: 'getExport' },
  { method: 'GET', path: '/api/admin/exports/{exportId}/download', name: 'downloadExport' },
  { method: 'POST', path: '/api/admin/fix-assignments', name: 'fixAssignments' },
  { method: 'GET', path: '/api/admin/analytics', name: 'getPlatformAnalytics' },
  { method: 'GET', path: '/api/courses/{courseId}/at-risk', name: 'getAtRiskStudents' },
  { method: 'GET', path: '/api/admin/audit-log', name: 'listAuditLog' },
  { method: 'GET', path: '/api/users', name: 'listUsers' },
  { method: 'PUT', path: '/api/users/{userId}/role', name: 'updateUserRole' },
  { method: 'POST', path: '/api/users/{userId}/suspend', name: 'suspendUser' },
  { method: 'POST', path: '/api/users/{userId}/unsuspend', name: 'unsuspendUser' },
  { method: 'GET', path: '/api/users/{userId}/activity', name: 'getUserActivity' },
  { method: 'GET', path: '/api/search', name: 'search' },
  { method: 'POST', path: '/api/lessons/{lessonId}/content', name: 'saveLessonContent' },
  { method: 'GET', path: '/api/lessons/{lessonId}/content', name: 'getLessonContent' },
  { method: 'POST', path: '/api/lessons/{lessonId}/media', name: 'uploadLessonMedia' },
  { method: 'GET', path: '/api/lessons/{lessonId}/media', name: 'listLessonMedia' },
  { method: 'POST', path: '/api/uploads', name: 'upload' },
  { method: 'GET', path: '/api/files/{fileId}', name: 'getFile' },
  { method: 'GET', path: '/api/lessons/{lessonId}/download', name: 'downloadLesson' },
  { method: 'POST', path: '/api/batch', name: 'batch' },
  { method: 'POST', path: '/api/announcements', name: 'createAnnouncement' },
  { method: 'GET', path: '/api/announcements', name: 'listAnnouncements' },
  { method: 'POST', path: '/api/messages', name: 'sendMessage' },
  { method: 'GET', path: '/api/messages', name: 'listMessages' },
  { method: 'GET', path: '/api/messages/conversations', name: 'listConversations' },
  { method: 'POST', path: '/api/messages/conversations/{conversationId}/read', name: 'markConversationRead' },
  { method: 'GET', path: '/api/notifications', name: 'getNotifications' },
  { method: 'POST', path: '/api/notifications/read', name: 'markNotificationsRead' },
  { method: 'GET', path: '/api/notifications/preferences', name: 'getNotificationPreferences' },
  { method: 'PUT', path: '/api/notifications/preferences', name: 'updateNotificationPreferences' },
  { method: 'POST', path: '/api/api-keys', name: 'createApiKey' },
  { method: 'GET', path: '/api/api-keys', name: 'listApiKeys' },
  { method: 'GET', path: '/api/api-keys/{keyId}', name: 'getApiKey' },
  { method: 'POST', path: '/api/api-keys/{keyId}/rotate', name: 'rotateApiKey' },
  { method: 'DELETE', path: '/api/api-keys/{keyId}', name: 'revokeApiKey' },
  { method: 'GET', path: '/api/admin/signing-keys', name: 'listSigningKeys' },
  { method: 'POST', path: '/api/admin/signing-keys/rotate', name: 'rotateSigningKey' },
  { method: 'POST', path: '/api/webhooks', name: 'createWebhook' },
  { method: 'GET', path: '/api/webhooks', name: 'listWebhooks' },
  { method: 'GET', path: '/api/webhooks/{webhookId}', name: 'getWebhook' },
  { method: 'PATCH', path: '/api/webhooks/{webhookId}', name: 'updateWebhook' },
  { method: 'DELETE', path: '/api/webhooks/{webhookId}', name: 'deleteWebhook' },
  { method: 'POST', path: '/api/webhooks/{webhookId}/rotate-secret', name: 'rotateWebhookSecret' },
  { method: 'GET', path: '/api/webhooks/{webhookId}/deliveries', name: 'listWebhookDeliveries' },
  { method: 'POST', path: '/api/webhooks/{webhookId}/deliveries/{deliveryId}/replay', name: 'replayWebhookDelivery' },
  { method: 'POST', path: '/api/webhooks/{webhookId}/ping', name: 'pingWebhook' },
];
