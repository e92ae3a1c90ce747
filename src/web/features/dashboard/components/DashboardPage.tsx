// The learner's dashboard: study time against the weekly goal, streaks, completion per course,
// grades over time, recent activity, recommendations with their reason, and badges.
import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import type { CourseProgress, GradeReport } from '../../../../sdk';
import { ANALYTICS_PERIODS } from '../../../lib/enums';
import { formatDate, formatMinutes, formatPercent, formatRelative, humanize } from '../../../lib/format';
import { BarChart, HorizontalBars, LineChart, ProgressRing } from '../../../ui/charts';
import { EmptyState, ErrorNotice, Loading, QueryState } from '../../../ui/feedback';
import { Card, Page, Pill, ProgressBar, Stat } from '../../../ui/layout';
import { useCurrentUser } from '../../auth/queries';
import { gradeQueries } from '../../grades/queries';
import { dashboardQueries } from '../queries';

const route = getRouteApi('/authed/dashboard');
const WEEK_MS = 7 * 86_400_000;
const shortDate = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/** Monday 00:00 UTC of the week holding `time`, as the analytics count weeks. */
function weekStart(time: number): number {
  const date = new Date(time);
  const day = (date.getUTCDay() + 6) % 7;
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - day);
}

/** Study minutes of each of the last `weeks` weeks, from the study sessions of every course. */
export function weeklyStudyMinutes(courses: CourseProgress[], weeks = 8, now = Date.now()) {
  const thisWeek = weekStart(now);
  const buckets = Array.from({ length: weeks }, (_, index) => ({ start: thisWeek - (weeks - 1 - index) * WEEK_MS, minutes: 0 }));
  for (const course of courses) {
    for (const session of course.timeTracking.studySessions) {
      const bucket = buckets.find((b) => b.start === weekStart(Date.parse(session.startTime)));
      if (bucket) bucket.minutes += session.duration;
    }
  }
  return buckets.map((b) => ({ label: shortDate.format(new Date(b.start)), value: b.minutes }));
}

/** Every graded assignment and taken quiz, oldest first, as a percentage. */
export function gradesOverTime(report: GradeReport) {
  const points = report.courses.flatMap((course) => [
    ...course.assignments.flatMap((a) => (a.score !== undefined && a.gradedAt ? [{ at: a.gradedAt, percent: (a.score / (a.points || 1)) * 100 }] : [])),
    ...course.quizzes.flatMap((q) => (q.score !== undefined && q.submittedAt ? [{ at: q.submittedAt, percent: (q.score / (q.totalPoints || 1)) * 100 }] : [])),
  ]);
  return points.sort((a, b) => a.at.localeCompare(b.at)).slice(-20);
}

function StudyCard({ userId }: { userId: string }) {
  const { period = 'week' } = route.useSearch();
  const analytics = useQuery(dashboardQueries.analytics(userId, period));
  const progress = useQuery(dashboardQueries.courseProgress(userId));
  return (
    <QueryState query={analytics} loadingLabel="Loading your study figures…" rows={2}>
      {(a) => (
        <div className="grid gap-6 lg:grid-cols-3">
          <Card title="This week's goal">
            <ProgressRing
              value={a.studyTime.thisWeek}
              max={a.weeklyLearningGoal}
              label="Weekly goal reached"
              caption={
                <>
                  <p className="font-semibold text-slate-900">
                    {formatMinutes(a.studyTime.thisWeek)} of {formatMinutes(a.weeklyLearningGoal)}
                  </p>
                  <p>Last week: {formatMinutes(a.studyTime.lastWeek)}</p>
                  <p>
                    <Link to="/profile" className="text-indigo-800 underline">
                      Change the goal
                    </Link>
                  </p>
                </>
              }
            />
          </Card>
          <Card title="Streak">
            <div className="grid grid-cols-3 gap-2">
              <Stat label="Current" value={`${a.streaks.current} d`} />
              <Stat label="Longest" value={`${a.streaks.longest} d`} />
              <Stat label="Average" value={`${a.streaks.average} d`} />
            </div>
            <p className="mt-3 text-sm text-slate-700">Complete a lesson every day to keep the streak going.</p>
          </Card>
          <Card title={`This ${period}`}>
            <div className="grid grid-cols-2 gap-2">
              <Stat label="Study time" value={formatMinutes(a.studyTime.totalThisPeriod)} hint={`${a.studyTime.averagePerDay} min a day`} />
              <Stat label="Average grade" value={formatPercent(a.performance.averageGrade)} />
              <Stat label="Lessons" value={a.periodData.lessonsCompleted} />
              <Stat label="Submitted" value={a.periodData.assignmentsSubmitted} />
            </div>
          </Card>
          <Card title="Study time by week" className="lg:col-span-2">
            {progress.data ? (
              <BarChart title="Minutes studied per week, with your weekly goal" data={weeklyStudyMinutes(progress.data)} unit=" min" goal={a.weeklyLearningGoal} goalLabel="Goal" />
            ) : progress.error ? (
              <ErrorNotice error={progress.error} onRetry={() => void progress.refetch()} />
            ) : (
              <Loading rows={1} />
            )}
          </Card>
          <Card title="Recent activity">
            {a.recentActivity.length === 0 ? (
              <p className="text-sm text-slate-700">Nothing yet.</p>
            ) : (
              <ul className="space-y-2 text-sm">
                {a.recentActivity.slice(0, 6).map((activity) => (
                  <li key={activity.activityId}>
                    <p className="text-slate-900">{activity.title}</p>
                    <p className="text-xs text-slate-600">
                      {humanize(activity.type)} · {formatRelative(activity.timestamp)}
                    </p>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      )}
    </QueryState>
  );
}

function CoursesCard({ userId }: { userId: string }) {
  const progress = useQuery(dashboardQueries.courseProgress(userId));
  const grades = useQuery(gradeQueries.report(userId));
  const points = grades.data ? gradesOverTime(grades.data) : [];
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <Card title="Completion per course">
        <QueryState query={progress} rows={2}>
          {(courses) =>
            courses.length === 0 ? (
              <EmptyState title="No courses yet">
                <Link to="/courses" className="font-semibold text-indigo-800 underline">
                  Browse the catalogue
                </Link>
              </EmptyState>
            ) : (
              <HorizontalBars title="Percentage of each course completed" data={courses.map((c) => ({ label: c.courseTitle, value: c.progress.completionPercentage }))} />
            )
          }
        </QueryState>
      </Card>
      <Card title="Grades over time">
        <QueryState query={grades} rows={2}>
          {() =>
            points.length === 0 ? (
              <p className="text-sm text-slate-700">Your grades appear here once work is graded.</p>
            ) : (
              <LineChart
                title="Score of each graded item, in percent"
                labels={points.map((p) => shortDate.format(new Date(p.at)))}
                series={[{ name: 'Score %', values: points.map((p) => Math.round(p.percent)), tone: 'indigo' }]}
                yMax={100}
                unit="%"
              />
            )
          }
        </QueryState>
      </Card>
    </div>
  );
}

function RecommendationsCard() {
  const query = useQuery(dashboardQueries.recommendations());
  return (
    <Card title="Recommended for you">
      <QueryState query={query} rows={2}>
        {(items) =>
          items.length === 0 ? (
            <p className="text-sm text-slate-700">No recommendation right now.</p>
          ) : (
            <ul className="grid gap-3 sm:grid-cols-2">
              {items.map((course) => (
                <li key={course.courseId} className="rounded-lg border border-slate-200 p-3">
                  <Link to="/courses/$courseId" params={{ courseId: course.courseId }} className="font-semibold text-indigo-800 underline">
                    {course.title}
                  </Link>
                  <p className="mt-1 text-sm text-slate-700">{course.reason}</p>
                  <p className="mt-1 flex gap-2">
                    <Pill tone="info">{humanize(course.category)}</Pill>
                    <Pill>{humanize(course.difficultyLevel)}</Pill>
                  </p>
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
    </Card>
  );
}

function BadgesCard({ userId }: { userId: string }) {
  const query = useQuery(dashboardQueries.achievements(userId));
  return (
    <Card title="Badges">
      <QueryState query={query} rows={2}>
        {(data) => (
          <div className="grid gap-6 md:grid-cols-2">
            <div>
              <h3 className="mb-2 font-medium text-slate-900">Earned ({data.achievements.length})</h3>
              {data.achievements.length === 0 ? (
                <p className="text-sm text-slate-700">None yet.</p>
              ) : (
                <ul className="space-y-2">
                  {data.achievements.map((badge) => (
                    <li key={badge.achievementId} className="flex items-start gap-2">
                      <svg viewBox="0 0 24 24" className="mt-0.5 h-6 w-6 shrink-0" aria-hidden="true">
                        <path d="M7 2h4l1 5-3 1zM17 2h-4l-1 5 3 1z" className="fill-indigo-300" />
                        <circle cx="12" cy="15" r="6" className="fill-amber-500" />
                        <circle cx="12" cy="15" r="3.5" className="fill-amber-300" />
                      </svg>
                      <span>
                        <span className="font-medium">{badge.title}</span>
                        <span className="block text-xs text-slate-600">
                          {badge.description} · {formatDate(badge.earnedAt)}
                        </span>
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </div>
            <div>
              <h3 className="mb-2 font-medium text-slate-900">In progress</h3>
              <ul className="space-y-3">
                {data.potentialAchievements.map((badge) => (
                  <li key={badge.badgeType}>
                    <p className="flex justify-between text-sm">
                      <span className="font-medium">{badge.title}</span>
                      <span className="text-slate-700">
                        {badge.progress} / {badge.target}
                      </span>
                    </p>
                    <ProgressBar value={badge.percentage} label={`${badge.title}: ${badge.percentage}%`} />
                    <p className="mt-0.5 text-xs text-slate-600">{badge.description}</p>
                  </li>
                ))}
              </ul>
            </div>
          </div>
        )}
      </QueryState>
    </Card>
  );
}

export function DashboardPage() {
  const user = useCurrentUser();
  const { period = 'week' } = route.useSearch();
  return (
    <Page
      title={`Welcome back, ${user.firstName}`}
      actions={
        <nav aria-label="Period" className="flex flex-wrap gap-1">
          {ANALYTICS_PERIODS.map((value) => (
            <Link
              key={value}
              to="/dashboard"
              search={value === 'week' ? {} : { period: value }}
              className={`rounded-full border px-3 py-1 text-sm font-medium ${period === value ? 'border-indigo-700 bg-indigo-700 text-white' : 'border-slate-300 bg-white text-slate-800'}`}
              aria-current={period === value ? 'true' : undefined}
            >
              {humanize(value)}
            </Link>
          ))}
        </nav>
      }
    >
      <div className="space-y-6">
        <StudyCard userId={user.id} />
        <CoursesCard userId={user.id} />
        <RecommendationsCard />
        <BadgesCard userId={user.id} />
      </div>
    </Page>
  );
}
