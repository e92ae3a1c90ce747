// The skillEd SDK: `import { ELearningApiClient, ApiClient, ApiError } from 'skilled/sdk'`.
export {
  ApiClient,
  buildQuery,
  type ApiClientOptions,
  type ApiRequest,
  type ApiResponse,
  type HttpMethod,
  type QueryParams,
  type QueryValue,
  type RequestContext,
  type RequestInterceptor,
  type RequestOptions,
  type ResponseInterceptor,
  type SessionTokens,
  type SignInResult,
  type UploadOptions,
} from './api-client.js';
export {
  ApiError,
  ConflictError,
  MfaRequiredError,
  RealtimeError,
  categorize,
  getUserMessage,
  shouldRetry,
  type ApiErrorInit,
  type ErrorCategory,
} from './errors.js';
export {
  ELearningApiClient,
  sdkRoutes,
  type ELearningApiClientOptions,
  type MessageResult,
  type Paginated,
  type SdkRoute,
  type WriteOptions,
} from './elearning-client.js';
export {
  RealtimeClient,
  type ConnectionState,
  type RealtimeClientOptions,
  type RealtimeEventOf,
  type RealtimeListenerName,
  type RealtimeListeners,
  type RealtimeOptions,
  type ResyncInfo,
  type StateChange,
} from './realtime-client.js';
export { compareEventIds, type SocketEvent, type WebSocketConstructor, type WebSocketLike } from './realtime-socket.js';

// The contract's types most screens need; every other one is the return type of a client method.
export type { AuthTokens, AuthCheckResponse, MfaChallenge, MfaMethod, MfaStatus, SessionInfo } from '../contract/auth.js';
export type {
  AnalyticsPeriod,
  BadgeType,
  CourseCategory,
  DifficultyLevel,
  Pagination,
  StudyTime,
  SubmissionStatus,
  UserRole,
} from '../contract/common.js';
export type { ErrorCode } from '../contract/errors.js';
export type { EventPayload, EventType, RealtimeEvent } from '../contract/events.js';
export type { CourseDetails, CourseListItem, CourseRating, CourseRatingItem } from '../contract/courses.js';
export type { Enrollment, BulkEnrollResult } from '../contract/enrollments.js';
export type { Lesson, LessonCompletion } from '../contract/lessons.js';
export type {
  Assignment,
  AssignmentDetails,
  AssignmentFeedback,
  AssignmentListItem,
  GradedSubmission,
  Rubric,
  StudentSubmission,
  SubmissionReceipt,
} from '../contract/assignments.js';
export type { CourseProgress, ProgressAnalytics } from '../contract/analytics.js';
export type { StudentAchievements } from '../contract/achievements.js';
export type { Recommendation } from '../contract/recommendations.js';
export type { UserAccount } from '../contract/users.js';
export type { UserProfile, ProfileUser, LearningPreferences } from '../contract/profile.js';
export type { QuizDetails, QuizAttempt, SubmittedAttempt, QuizResultsResponse } from '../contract/quizzes.js';
export type { GradeReport } from '../contract/grades.js';
export type { ExportJob, ReportFormat } from '../contract/reports.js';
export type { UploadedFile, LessonContent, LessonMediaFile } from '../contract/files.js';
export type { SearchResult } from '../contract/search.js';
export type { AuditEntry } from '../contract/audit.js';
export type { PlatformAnalytics, AtRiskStudent } from '../contract/admin.js';
export type { AdminUserAccount, ActivityEntry } from '../contract/users.js';
