import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link, useRouterState } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import type { CourseDetails } from '../../../../sdk';
import { fieldErrors, userMessage } from '../../../lib/errors';
import { formatDate, formatMinutes, humanize } from '../../../lib/format';
import { useCourseEvents } from '../../../lib/realtime';
import { Button, buttonClass } from '../../../ui/button';
import { Dialog } from '../../../ui/dialog';
import { ErrorNotice, Loading } from '../../../ui/feedback';
import { FormError, TextArea } from '../../../ui/fields';
import { Card, Page, Pill, ProgressBar } from '../../../ui/layout';
import { toast } from '../../../ui/toast';
import { useSession, type SessionUser } from '../../auth/queries';
import { enrolmentRefusal, useEnroll, useLeaveCourse, useRateCourse } from '../mutations';
import { courseQueries } from '../queries';
import { StarInput, Stars } from './Stars';

const route = getRouteApi('/courses/$courseId');

const statusTone = { not_started: 'neutral', in_progress: 'warning', submitted: 'info', graded: 'success' } as const;

function EnrolPanel({ course, user }: { course: CourseDetails; user: SessionUser | null }) {
  const href = useRouterState({ select: (state) => state.location.href });
  const enroll = useEnroll(course.courseId);
  const leave = useLeaveCourse(course.courseId);
  const [confirmLeave, setConfirmLeave] = useState(false);
  const progress = useQuery({ ...courseQueries.progress(course.courseId), enabled: Boolean(course.enrollment && course.enrollment.enrollmentId !== 'pending') });
  const missing = course.prerequisites.filter((p) => !p.satisfied);

  if (!user) {
    return (
      <Card title="Join this course">
        <p className="mb-3 text-sm text-slate-700">Sign in as a student to enrol.</p>
        <Link to="/signin" search={{ redirect: href }} className={buttonClass('primary', 'w-full')}>
          Sign in to enrol
        </Link>
      </Card>
    );
  }
  if (user.role !== 'student') {
    const teaches = user.role === 'admin' || course.instructorId === user.id;
    return (
      <Card title={teaches ? 'You manage this course' : 'Teaching'}>
        {teaches ? (
          <Link to="/teach/courses/$courseId" params={{ courseId: course.courseId }} className={buttonClass('primary', 'w-full')}>
            Edit course
          </Link>
        ) : (
          <p className="text-sm text-slate-700">Instructors cannot enrol in courses.</p>
        )}
      </Card>
    );
  }
  if (course.enrollment) {
    const next = progress.data?.lessons.find((lesson) => !lesson.completedAt) ?? course.lessons[0];
    return (
      <Card title="You are enrolled">
        <p className="mb-2 text-sm text-slate-700">
          {course.enrollment.progress.completedLessons} of {course.enrollment.progress.totalLessons} lessons done ·{' '}
          {progress.data?.progress.completionPercentage ?? course.enrollment.progress.completionPercentage}% of the course
        </p>
        <ProgressBar value={progress.data?.progress.completionPercentage ?? course.enrollment.progress.completionPercentage} label="Course completion" />
        <div className="mt-4 flex flex-col gap-2">
          {next && course.enrollment.enrollmentId !== 'pending' && (
            <Link to="/courses/$courseId/lessons/$lessonId" params={{ courseId: course.courseId, lessonId: next.lessonId }} className={buttonClass('primary')}>
              {progress.data?.progress.completedLessons ? 'Continue' : 'Start'}: {next.title}
            </Link>
          )}
          {course.enrollment.enrollmentId === 'pending' && (
            <p role="status" className="text-sm text-slate-700">
              Enrolling…
            </p>
          )}
          <Button variant="ghost" onClick={() => setConfirmLeave(true)} disabled={course.enrollment.enrollmentId === 'pending'}>
            Leave the course
          </Button>
        </div>
        <Dialog open={confirmLeave} onClose={() => setConfirmLeave(false)} title="Leave this course?">
          <p className="text-sm text-slate-700">Your completed lessons, submissions and grades are kept, and you can enrol again later.</p>
          <div className="mt-4 flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setConfirmLeave(false)}>
              Stay
            </Button>
            <Button
              variant="danger"
              busy={leave.isPending}
              onClick={() =>
                leave.mutate(undefined, {
                  onSuccess: () => toast.success('You left the course.'),
                  onSettled: () => setConfirmLeave(false),
                })
              }
            >
              Leave
            </Button>
          </div>
        </Dialog>
      </Card>
    );
  }
  return (
    <Card title="Join this course">
      {missing.length > 0 && (
        <p className="mb-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
          This course expects you to have completed {missing.map((p) => p.prerequisite.title).join(', ')} first.
        </p>
      )}
      <Button className="w-full" busy={enroll.isPending} onClick={() => enroll.mutate(undefined, { onSuccess: () => toast.success(`You are enrolled in ${course.title}.`) })}>
        Enrol
      </Button>
      {enroll.error && (
        <p role="alert" className="mt-3 rounded-md border border-red-200 bg-red-50 p-3 text-sm font-medium text-red-900">
          {enrolmentRefusal(enroll.error, course)}
        </p>
      )}
    </Card>
  );
}

function RateForm({ courseId }: { courseId: string }) {
  const rate = useRateCourse(courseId);
  const [rating, setRating] = useState(0);
  const [review, setReview] = useState('');
  const fields = fieldErrors(rate.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!rating) return;
    rate.mutate(
      { rating, review: review.trim() || undefined },
      {
        onSuccess: () => {
          toast.success('Thank you for your rating.');
          setReview('');
        },
      },
    );
  };
  return (
    <form onSubmit={submit} className="mt-4 space-y-3 border-t border-slate-200 pt-4">
      <FormError message={rate.error && !Object.keys(fields).length ? userMessage(rate.error) : null} />
      <StarInput legend="Your rating" value={rating} onChange={setRating} />
      <TextArea label="Review (optional)" rows={3} value={review} onChange={(event) => setReview(event.target.value)} error={fields.review} />
      <Button type="submit" busy={rate.isPending} disabled={!rating}>
        Rate the course
      </Button>
    </form>
  );
}

function CourseBody({ course, user }: { course: CourseDetails; user: SessionUser | null }) {
  const enrolled = Boolean(course.enrollment) && course.enrollment?.enrollmentId !== 'pending';
  const staff = user?.role === 'admin' || course.instructorId === user?.id;
  useCourseEvents(course.courseId, enrolled || staff);
  const progress = useQuery({ ...courseQueries.progress(course.courseId), enabled: enrolled });
  const completed = new Set(progress.data?.lessons.filter((l) => l.completedAt).map((l) => l.lessonId) ?? []);
  const canOpen = enrolled || staff;

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
      <div className="space-y-6">
        <Card title="About this course">
          <p className="whitespace-pre-line text-slate-800">{course.description || 'No description yet.'}</p>
          <dl className="mt-4 grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
            <div>
              <dt className="text-slate-600">Lessons</dt>
              <dd className="font-semibold">{course.statistics.totalLessons}</dd>
            </div>
            <div>
              <dt className="text-slate-600">Assignments</dt>
              <dd className="font-semibold">{course.statistics.totalAssignments}</dd>
            </div>
            <div>
              <dt className="text-slate-600">Quizzes</dt>
              <dd className="font-semibold">{course.statistics.totalQuizzes}</dd>
            </div>
            <div>
              <dt className="text-slate-600">Learners</dt>
              <dd className="font-semibold">{course.statistics.totalEnrollments}</dd>
            </div>
          </dl>
        </Card>

        {course.prerequisites.length > 0 && (
          <Card title="Prerequisites">
            <ul className="space-y-2">
              {course.prerequisites.map((p) => (
                <li key={p.id} className="flex flex-wrap items-center justify-between gap-2">
                  <Link to="/courses/$courseId" params={{ courseId: p.prerequisite.courseId }} className="font-medium text-indigo-800 underline">
                    {p.prerequisite.title}
                  </Link>
                  {p.satisfied ? <Pill tone="success">✓ Completed</Pill> : <Pill tone="warning">Not completed yet</Pill>}
                </li>
              ))}
            </ul>
          </Card>
        )}

        <Card title={`Lessons (${course.lessons.length})`}>
          {course.lessons.length === 0 ? (
            <p className="text-sm text-slate-700">No lessons yet.</p>
          ) : (
            <ol className="divide-y divide-slate-200">
              {course.lessons.map((lesson) => (
                <li key={lesson.lessonId} className="flex items-center justify-between gap-3 py-3">
                  <div className="min-w-0">
                    <p className="font-medium text-slate-900">
                      <span className="mr-2 text-slate-600">{lesson.order}.</span>
                      {canOpen ? (
                        <Link to="/courses/$courseId/lessons/$lessonId" params={{ courseId: course.courseId, lessonId: lesson.lessonId }} className="text-indigo-800 underline">
                          {lesson.title}
                        </Link>
                      ) : (
                        lesson.title
                      )}
                    </p>
                    {lesson.description && <p className="line-clamp-1 text-sm text-slate-700">{lesson.description}</p>}
                  </div>
                  <div className="flex shrink-0 items-center gap-2 text-sm text-slate-700">
                    {completed.has(lesson.lessonId) && <Pill tone="success">✓ Done</Pill>}
                    <span>{formatMinutes(lesson.estimatedTime)}</span>
                  </div>
                </li>
              ))}
            </ol>
          )}
        </Card>

        {(course.assignments.length > 0 || course.quizzes.length > 0) && (
          <Card title="Assignments and quizzes">
            <ul className="divide-y divide-slate-200">
              {course.assignments.map((assignment) => (
                <li key={assignment.assignmentId} className="flex flex-wrap items-center justify-between gap-2 py-3">
                  <div>
                    {canOpen ? (
                      <Link to="/assignments/$assignmentId" params={{ assignmentId: assignment.assignmentId }} className="font-medium text-indigo-800 underline">
                        {assignment.title}
                      </Link>
                    ) : (
                      <span className="font-medium">{assignment.title}</span>
                    )}
                    <p className="text-sm text-slate-700">
                      {assignment.points} points{assignment.dueDate && ` · due ${formatDate(assignment.dueDate)}`}
                    </p>
                  </div>
                  {enrolled && <Pill tone={statusTone[assignment.status]}>{humanize(assignment.status)}</Pill>}
                </li>
              ))}
              {course.quizzes.map((quiz) => (
                <li key={quiz.quizId} className="flex flex-wrap items-center justify-between gap-2 py-3">
                  <div>
                    {canOpen ? (
                      <Link to="/quizzes/$quizId" params={{ quizId: quiz.quizId }} className="font-medium text-indigo-800 underline">
                        Quiz: {quiz.title}
                      </Link>
                    ) : (
                      <span className="font-medium">Quiz: {quiz.title}</span>
                    )}
                    <p className="text-sm text-slate-700">
                      {quiz.totalQuestions} questions · {quiz.totalPoints} points
                      {quiz.timeLimit ? ` · ${formatMinutes(quiz.timeLimit)}` : ''}
                    </p>
                  </div>
                </li>
              ))}
            </ul>
          </Card>
        )}

        <Card title="Ratings">
          {course.ratings.length === 0 ? (
            <p className="text-sm text-slate-700">No ratings yet.</p>
          ) : (
            <ul className="space-y-4">
              {course.ratings.map((rating) => (
                <li key={rating.ratingId}>
                  <div className="flex flex-wrap items-center gap-2 text-sm">
                    <Stars value={rating.rating} />
                    <span className="font-medium text-slate-900">
                      {rating.student.firstName} {rating.student.lastName}
                    </span>
                    <span className="text-slate-600">{formatDate(rating.createdAt)}</span>
                  </div>
                  {rating.review && <p className="mt-1 text-sm text-slate-800">{rating.review}</p>}
                </li>
              ))}
            </ul>
          )}
          {enrolled && user?.role === 'student' && <RateForm courseId={course.courseId} />}
        </Card>
      </div>
      <aside className="space-y-6 lg:sticky lg:top-20 lg:self-start">
        <EnrolPanel course={course} user={user} />
        <Card title="Instructor">
          <p className="font-medium text-slate-900">
            {course.instructor.firstName} {course.instructor.lastName}
          </p>
          <p className="text-sm text-slate-700">@{course.instructor.username}</p>
          {enrolled && user && user.id !== course.instructorId && (
            <Link
              to="/messages"
              search={{ to: course.instructorId, name: `${course.instructor.firstName} ${course.instructor.lastName}` }}
              className="mt-2 inline-block text-sm font-semibold text-indigo-800 underline"
            >
              Write to {course.instructor.firstName}
            </Link>
          )}
        </Card>
      </aside>
    </div>
  );
}

export function CoursePage() {
  const { courseId } = route.useParams();
  const { user } = useSession();
  const query = useQuery(courseQueries.detail(courseId));
  const course = query.data;

  if (!course) {
    return (
      <Page title={query.error ? 'Course unavailable' : 'Loading course…'}>
        {query.error ? <ErrorNotice error={query.error} onRetry={() => void query.refetch()} /> : <Loading label="Loading the course…" />}
      </Page>
    );
  }
  return (
    <Page
      title={course.title}
      description={
        <span className="flex flex-wrap items-center gap-2">
          <Pill tone="info">{humanize(course.category)}</Pill>
          <Pill>{humanize(course.difficultyLevel)}</Pill>
          <Stars value={course.statistics.averageRating} count={course.ratings.length} />
        </span>
      }
    >
      <CourseBody course={course} user={user} />
    </Page>
  );
}
