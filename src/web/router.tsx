// Every route of the app, typed: paths, params and search parameters. Screens are loaded on demand
// (one chunk each); loaders start the screen's queries while its code downloads, without waiting.
import type { QueryClient } from '@tanstack/react-query';
import { createRootRouteWithContext, createRoute, createRouter, lazyRouteComponent, redirect } from '@tanstack/react-router';
import type { AnalyticsPeriod, CourseCategory, DifficultyLevel, SubmissionStatus, UserRole } from '../sdk';
import type { CourseSort } from '../contract/courses';
import { AppShell } from './app/AppShell';
import { NotFound, RouteError, RoutePending } from './app/RouteStates';
import { assignmentQueries } from './features/assignments/queries';
import { homeFor, sessionQuery, type SessionUser } from './features/auth/queries';
import { courseQueries } from './features/courses/queries';
import { dashboardQueries } from './features/dashboard/queries';
import { lessonQueries } from './features/lessons/queries';
import { quizQueries } from './features/quizzes/queries';
import { ANALYTICS_PERIODS, COURSE_CATEGORIES, COURSE_SORTS, DIFFICULTY_LEVELS, SUBMISSION_STATUSES, USER_ROLES } from './lib/enums';
import { compact, oneOf, positiveInt, text, uuid } from './lib/search';

export interface RouterContext {
  queryClient: QueryClient;
}

async function signedInUser(queryClient: QueryClient): Promise<SessionUser | null> {
  const session = await queryClient.ensureQueryData(sessionQuery());
  return session.authenticated ? session.user : null;
}

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: AppShell,
  notFoundComponent: NotFound,
});

const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  beforeLoad: async ({ context }) => {
    const user = await signedInUser(context.queryClient);
    throw redirect({ to: homeFor(user?.role), replace: true });
  },
});

// ---- signing in

export interface SignInSearch {
  redirect?: string;
  reason?: 'expired';
}

const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'signin',
  validateSearch: (search: Record<string, unknown>): SignInSearch =>
    compact({ redirect: text(search.redirect, 2000), reason: oneOf(search.reason, ['expired'] as const) }),
  component: lazyRouteComponent(() => import('./features/auth/components/SignInPage'), 'SignInPage'),
});

const registerRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'register',
  validateSearch: (search: Record<string, unknown>): { redirect?: string } => compact({ redirect: text(search.redirect, 2000) }),
  component: lazyRouteComponent(() => import('./features/auth/components/RegisterPage'), 'RegisterPage'),
});

const forgotPasswordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'forgot-password',
  component: lazyRouteComponent(() => import('./features/account/components/PasswordResetPages'), 'ForgotPasswordPage'),
});

/** Where the mails' links land: `?token=` from the mail. */
const tokenSearch = (search: Record<string, unknown>): { token?: string } => compact({ token: text(search.token, 256) });

const resetPasswordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'reset-password',
  validateSearch: tokenSearch,
  component: lazyRouteComponent(() => import('./features/account/components/PasswordResetPages'), 'ResetPasswordPage'),
});

const verifyEmailRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'verify-email',
  validateSearch: tokenSearch,
  component: lazyRouteComponent(() => import('./features/account/components/VerifyEmailPage'), 'VerifyEmailPage'),
});

// ---- the catalogue and courses: open to everyone

export interface CatalogueSearch {
  search?: string;
  category?: CourseCategory;
  level?: DifficultyLevel;
  sort?: CourseSort;
}

const catalogueRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'courses',
  validateSearch: (search: Record<string, unknown>): CatalogueSearch =>
    compact({
      search: text(search.search),
      category: oneOf(search.category, COURSE_CATEGORIES),
      level: oneOf(search.level, DIFFICULTY_LEVELS),
      sort: oneOf(search.sort, COURSE_SORTS),
    }),
  loaderDeps: ({ search }) => search,
  loader: ({ context, deps }) => {
    void context.queryClient.prefetchInfiniteQuery(courseQueries.catalogue(deps));
  },
  component: lazyRouteComponent(() => import('./features/courses/components/CataloguePage'), 'CataloguePage'),
});

const courseRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'courses/$courseId',
  loader: ({ context, params }) => {
    void context.queryClient.prefetchQuery(courseQueries.detail(params.courseId));
  },
  component: lazyRouteComponent(() => import('./features/courses/components/CoursePage'), 'CoursePage'),
});

// ---- everything below needs a signed-in user

const authedRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: 'authed',
  beforeLoad: async ({ context, location }) => {
    const user = await signedInUser(context.queryClient);
    if (!user) throw redirect({ to: '/signin', search: { redirect: location.href } });
    return { user };
  },
});

const requireRole = (roles: readonly UserRole[]) =>
  ({ context }: { context: { user: SessionUser } }) => {
    if (!roles.includes(context.user.role)) throw redirect({ to: homeFor(context.user.role), replace: true });
  };

const lessonRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'courses/$courseId/lessons/$lessonId',
  loader: ({ context, params }) => {
    void context.queryClient.prefetchQuery(lessonQueries.detail(params.courseId, params.lessonId));
    void context.queryClient.prefetchQuery(lessonQueries.content(params.lessonId));
    void context.queryClient.prefetchQuery(courseQueries.detail(params.courseId));
  },
  component: lazyRouteComponent(() => import('./features/lessons/components/LessonReaderPage'), 'LessonReaderPage'),
});

const dashboardRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'dashboard',
  validateSearch: (search: Record<string, unknown>): { period?: AnalyticsPeriod } => compact({ period: oneOf(search.period, ANALYTICS_PERIODS) }),
  loaderDeps: ({ search }) => ({ period: search.period ?? 'week' }),
  loader: ({ context, deps }) => {
    const user = context.user;
    void context.queryClient.prefetchQuery(dashboardQueries.analytics(user.id, deps.period));
    void context.queryClient.prefetchQuery(dashboardQueries.courseProgress(user.id));
  },
  component: lazyRouteComponent(() => import('./features/dashboard/components/DashboardPage'), 'DashboardPage'),
});

const myAssignmentsRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'assignments',
  validateSearch: (search: Record<string, unknown>): { status?: SubmissionStatus } => compact({ status: oneOf(search.status, SUBMISSION_STATUSES) }),
  component: lazyRouteComponent(() => import('./features/assignments/components/MyAssignmentsPage'), 'MyAssignmentsPage'),
});

const assignmentRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'assignments/$assignmentId',
  loader: ({ context, params }) => {
    void context.queryClient.prefetchQuery(assignmentQueries.detail(params.assignmentId));
  },
  component: lazyRouteComponent(() => import('./features/assignments/components/AssignmentPage'), 'AssignmentPage'),
});

const quizRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'quizzes/$quizId',
  loader: ({ context, params }) => {
    void context.queryClient.prefetchQuery(quizQueries.detail(params.quizId));
  },
  component: lazyRouteComponent(() => import('./features/quizzes/components/QuizPage'), 'QuizPage'),
});

const gradesRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'grades',
  component: lazyRouteComponent(() => import('./features/grades/components/GradesPage'), 'GradesPage'),
});

const profileRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'profile',
  component: lazyRouteComponent(() => import('./features/profile/components/ProfilePage'), 'ProfilePage'),
});

// ---- communication and account settings: everyone signed in

const notificationsRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'notifications',
  validateSearch: (search: Record<string, unknown>): { unread?: boolean; page?: number } =>
    compact({ unread: search.unread === true || search.unread === 'true' ? true : undefined, page: positiveInt(search.page) }),
  component: lazyRouteComponent(() => import('./features/communication/components/NotificationsPage'), 'NotificationsPage'),
});

const messageSearch = (search: Record<string, unknown>): { to?: string; name?: string } => compact({ to: uuid(search.to), name: text(search.name, 100) });

const messagesRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'messages',
  validateSearch: messageSearch,
  component: lazyRouteComponent(() => import('./features/communication/components/MessagesPage'), 'MessagesPage'),
});

const conversationRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'messages/$conversationId',
  validateSearch: messageSearch,
  component: lazyRouteComponent(() => import('./features/communication/components/MessagesPage'), 'MessagesPage'),
});

const announcementsRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'announcements',
  component: lazyRouteComponent(() => import('./features/communication/components/AnnouncementsPage'), 'AnnouncementsPage'),
});

const securitySettingsRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'settings/security',
  component: lazyRouteComponent(() => import('./features/account/components/SecurityPage'), 'SecurityPage'),
});

const notificationSettingsRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'settings/notifications',
  component: lazyRouteComponent(() => import('./features/communication/components/NotificationSettingsPage'), 'NotificationSettingsPage'),
});

// Addresses that notifications and mails link to, mapped onto the screens that show them.
const achievementsRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'achievements',
  beforeLoad: () => {
    throw redirect({ to: '/dashboard', replace: true });
  },
});

const submissionsLinkRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'assignments/$assignmentId/submissions',
  beforeLoad: ({ params }) => {
    throw redirect({ to: '/teach/grading/$assignmentId', params, replace: true });
  },
});

const atRiskLinkRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'courses/$courseId/at-risk',
  beforeLoad: ({ params }) => {
    throw redirect({ to: '/teach/courses/$courseId', params, search: { tab: 'students' }, replace: true });
  },
});

// ---- teaching: instructors and admins

const staffRoute = createRoute({
  getParentRoute: () => authedRoute,
  id: 'staff',
  beforeLoad: requireRole(['instructor', 'admin']),
});

const teachRoute = createRoute({
  getParentRoute: () => staffRoute,
  path: 'teach',
  component: lazyRouteComponent(() => import('./features/teaching/components/TeachHomePage'), 'TeachHomePage'),
});

const newCourseRoute = createRoute({
  getParentRoute: () => staffRoute,
  path: 'teach/courses/new',
  component: lazyRouteComponent(() => import('./features/teaching/components/CourseEditorPage'), 'NewCoursePage'),
});

const editCourseRoute = createRoute({
  getParentRoute: () => staffRoute,
  path: 'teach/courses/$courseId',
  validateSearch: (search: Record<string, unknown>): { tab?: 'details' | 'lessons' | 'work' | 'students' | 'announcements' } =>
    compact({ tab: oneOf(search.tab, ['details', 'lessons', 'work', 'students', 'announcements'] as const) }),
  loader: ({ context, params }) => {
    void context.queryClient.prefetchQuery(courseQueries.detail(params.courseId));
  },
  component: lazyRouteComponent(() => import('./features/teaching/components/CourseEditorPage'), 'EditCoursePage'),
});

const editLessonRoute = createRoute({
  getParentRoute: () => staffRoute,
  path: 'teach/courses/$courseId/lessons/$lessonId',
  component: lazyRouteComponent(() => import('./features/teaching/components/LessonEditorPage'), 'LessonEditorPage'),
});

const newAssignmentRoute = createRoute({
  getParentRoute: () => staffRoute,
  path: 'teach/courses/$courseId/assignments/new',
  component: lazyRouteComponent(() => import('./features/teaching/components/AssignmentEditorPage'), 'NewAssignmentPage'),
});

const editAssignmentRoute = createRoute({
  getParentRoute: () => staffRoute,
  path: 'teach/assignments/$assignmentId',
  component: lazyRouteComponent(() => import('./features/teaching/components/AssignmentEditorPage'), 'EditAssignmentPage'),
});

const newQuizRoute = createRoute({
  getParentRoute: () => staffRoute,
  path: 'teach/courses/$courseId/quizzes/new',
  component: lazyRouteComponent(() => import('./features/teaching/components/QuizEditorPage'), 'NewQuizPage'),
});

const editQuizRoute = createRoute({
  getParentRoute: () => staffRoute,
  path: 'teach/quizzes/$quizId',
  component: lazyRouteComponent(() => import('./features/teaching/components/QuizEditorPage'), 'EditQuizPage'),
});

const gradingQueueRoute = createRoute({
  getParentRoute: () => staffRoute,
  path: 'teach/grading',
  component: lazyRouteComponent(() => import('./features/teaching/components/GradingQueuePage'), 'GradingQueuePage'),
});

export interface GradingSearch {
  submission?: string;
  status?: SubmissionStatus;
}

const gradeAssignmentRoute = createRoute({
  getParentRoute: () => staffRoute,
  path: 'teach/grading/$assignmentId',
  validateSearch: (search: Record<string, unknown>): GradingSearch =>
    compact({ submission: uuid(search.submission), status: oneOf(search.status, SUBMISSION_STATUSES) }),
  loader: ({ context, params }) => {
    void context.queryClient.prefetchQuery(assignmentQueries.submissions(params.assignmentId));
    void context.queryClient.prefetchQuery(assignmentQueries.rubric(params.assignmentId));
  },
  component: lazyRouteComponent(() => import('./features/teaching/components/GradeAssignmentPage'), 'GradeAssignmentPage'),
});

// ---- administration

const adminOnlyRoute = createRoute({
  getParentRoute: () => authedRoute,
  id: 'admin-only',
  beforeLoad: requireRole(['admin']),
});

const adminAnalyticsRoute = createRoute({
  getParentRoute: () => adminOnlyRoute,
  path: 'admin',
  validateSearch: (search: Record<string, unknown>): { from?: string; to?: string } => compact({ from: text(search.from, 10), to: text(search.to, 10) }),
  component: lazyRouteComponent(() => import('./features/admin/components/AdminAnalyticsPage'), 'AdminAnalyticsPage'),
});

export interface UsersSearch {
  search?: string;
  role?: UserRole;
  status?: 'active' | 'suspended';
  page?: number;
}

const adminUsersRoute = createRoute({
  getParentRoute: () => adminOnlyRoute,
  path: 'admin/users',
  validateSearch: (search: Record<string, unknown>): UsersSearch =>
    compact({
      search: text(search.search, 100),
      role: oneOf(search.role, USER_ROLES),
      status: oneOf(search.status, ['active', 'suspended'] as const),
      page: positiveInt(search.page),
    }),
  component: lazyRouteComponent(() => import('./features/admin/components/AdminUsersPage'), 'AdminUsersPage'),
});

const adminReportsRoute = createRoute({
  getParentRoute: () => adminOnlyRoute,
  path: 'admin/reports',
  component: lazyRouteComponent(() => import('./features/admin/components/AdminReportsPage'), 'AdminReportsPage'),
});

export interface AuditSearch {
  action?: string;
  actorId?: string;
  targetType?: string;
  from?: string;
  to?: string;
  page?: number;
}

const auditLogRoute = createRoute({
  getParentRoute: () => adminOnlyRoute,
  path: 'admin/audit',
  validateSearch: (search: Record<string, unknown>): AuditSearch =>
    compact({
      action: text(search.action, 100),
      actorId: uuid(search.actorId),
      targetType: text(search.targetType, 50),
      from: text(search.from, 10),
      to: text(search.to, 10),
      page: positiveInt(search.page),
    }),
  component: lazyRouteComponent(() => import('./features/admin/components/AuditLogPage'), 'AuditLogPage'),
});

const routeTree = rootRoute.addChildren([
  indexRoute,
  signInRoute,
  registerRoute,
  forgotPasswordRoute,
  resetPasswordRoute,
  verifyEmailRoute,
  catalogueRoute,
  courseRoute,
  authedRoute.addChildren([
    lessonRoute,
    dashboardRoute,
    myAssignmentsRoute,
    assignmentRoute,
    quizRoute,
    gradesRoute,
    profileRoute,
    notificationsRoute,
    messagesRoute,
    conversationRoute,
    announcementsRoute,
    securitySettingsRoute,
    notificationSettingsRoute,
    achievementsRoute,
    submissionsLinkRoute,
    atRiskLinkRoute,
    staffRoute.addChildren([
      teachRoute,
      newCourseRoute,
      editCourseRoute,
      editLessonRoute,
      newAssignmentRoute,
      editAssignmentRoute,
      newQuizRoute,
      editQuizRoute,
      gradingQueueRoute,
      gradeAssignmentRoute,
    ]),
    adminOnlyRoute.addChildren([adminAnalyticsRoute, adminUsersRoute, adminReportsRoute, auditLogRoute]),
  ]),
]);

export function createAppRouter(queryClient: QueryClient) {
  return createRouter({
    routeTree,
    context: { queryClient },
    // Hovering or focusing a link loads the screen's code and starts its queries.
    defaultPreload: 'intent',
    // Freshness is the query cache's business: the router always runs loaders.
    defaultPreloadStaleTime: 0,
    defaultErrorComponent: RouteError,
    defaultPendingComponent: RoutePending,
    defaultPendingMs: 300,
    scrollRestoration: true,
  });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
