import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { formatBytes, formatDateTime, formatMinutes } from '../../../lib/format';
import { Button, buttonClass } from '../../../ui/button';
import { ErrorNotice, Loading } from '../../../ui/feedback';
import { Card, Page, Pill } from '../../../ui/layout';
import { useSession } from '../../auth/queries';
import { courseQueries } from '../../courses/queries';
import { useCompleteLesson } from '../mutations';
import { lessonQueries } from '../queries';

const route = getRouteApi('/authed/courses/$courseId/lessons/$lessonId');

function LessonContent({ lessonId, description }: { lessonId: string; description: string }) {
  const content = useQuery(lessonQueries.content(lessonId));
  if (content.isPending) return <Loading label="Loading the lesson…" rows={4} />;
  if (content.error) return <ErrorNotice error={content.error} onRetry={() => void content.refetch()} />;
  if (!content.data) return <p className="whitespace-pre-line text-slate-800">{description || 'This lesson has no written content yet.'}</p>;
  // The server renders the Markdown and sanitises the HTML with an allow-list.
  return <div className="prose-lesson" dangerouslySetInnerHTML={{ __html: content.data.html }} />;
}

function LessonMedia({ lessonId }: { lessonId: string }) {
  const media = useQuery(lessonQueries.media(lessonId));
  if (!media.data?.length) return null;
  return (
    <Card title="Files">
      <ul className="space-y-2">
        {media.data.map((file) => (
          <li key={file.fileId}>
            <a href={file.url} download={file.fileName} className="font-medium text-indigo-800 underline">
              {file.fileName}
            </a>{' '}
            <span className="text-sm text-slate-600">({formatBytes(file.size)})</span>
          </li>
        ))}
      </ul>
    </Card>
  );
}

export function LessonReaderPage() {
  const { courseId, lessonId } = route.useParams();
  const { user } = useSession();
  const lesson = useQuery(lessonQueries.detail(courseId, lessonId));
  const course = useQuery(courseQueries.detail(courseId));
  const complete = useCompleteLesson(courseId, lessonId);

  if (!lesson.data) {
    return (
      <Page title={lesson.error ? 'Lesson unavailable' : 'Loading lesson…'}>
        {lesson.error ? <ErrorNotice error={lesson.error} onRetry={() => void lesson.refetch()} /> : <Loading label="Loading the lesson…" />}
      </Page>
    );
  }

  const lessons = course.data?.lessons ?? [];
  const position = lessons.findIndex((l) => l.lessonId === lessonId);
  const previous = position > 0 ? lessons[position - 1] : undefined;
  const next = position >= 0 ? lessons[position + 1] : undefined;
  const assignments = lessons[position]?.assignments ?? [];
  const enrolled = Boolean(course.data?.enrollment);
  const done = lesson.data.completedAt;

  return (
    <Page
      title={lesson.data.title}
      description={
        <span className="flex flex-wrap items-center gap-2 text-sm">
          <Link to="/courses/$courseId" params={{ courseId }} className="font-medium text-indigo-800 underline">
            {course.data?.title ?? 'Back to the course'}
          </Link>
          <span aria-hidden="true">·</span>
          <span>Lesson {lesson.data.order}</span>
          <span aria-hidden="true">·</span>
          <span>{formatMinutes(lesson.data.estimatedTime)}</span>
        </span>
      }
    >
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_18rem]">
        <article className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm sm:p-8">
          {lesson.data.description && <p className="mb-6 text-lg text-slate-700">{lesson.data.description}</p>}
          <LessonContent lessonId={lessonId} description="" />
        </article>
        <aside className="space-y-6 lg:sticky lg:top-20 lg:self-start">
          {user?.role === 'student' && enrolled && (
            <Card title="Your progress">
              {done ? (
                <p className="flex items-center gap-2 text-sm text-emerald-900">
                  <Pill tone="success">✓ Completed</Pill> {formatDateTime(done)}
                </p>
              ) : (
                <Button className="w-full" busy={complete.isPending} onClick={() => complete.mutate(undefined)}>
                  Mark as complete
                </Button>
              )}
            </Card>
          )}
          {assignments.length > 0 && (
            <Card title="Work for this lesson">
              <ul className="space-y-2">
                {assignments.map((assignment) => (
                  <li key={assignment.assignmentId}>
                    <Link to="/assignments/$assignmentId" params={{ assignmentId: assignment.assignmentId }} className="font-medium text-indigo-800 underline">
                      {assignment.title}
                    </Link>
                  </li>
                ))}
              </ul>
            </Card>
          )}
          <LessonMedia lessonId={lessonId} />
          <nav aria-label="Lessons" className="flex flex-col gap-2">
            {previous && (
              <Link to="/courses/$courseId/lessons/$lessonId" params={{ courseId, lessonId: previous.lessonId }} className={buttonClass('secondary')}>
                ← {previous.title}
              </Link>
            )}
            {next && (
              <Link to="/courses/$courseId/lessons/$lessonId" params={{ courseId, lessonId: next.lessonId }} className={buttonClass('secondary')}>
                {next.title} →
              </Link>
            )}
          </nav>
        </aside>
      </div>
    </Page>
  );
}
