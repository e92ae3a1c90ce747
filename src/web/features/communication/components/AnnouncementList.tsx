import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { formatDateTime } from '../../../lib/format';
import { EmptyState, QueryState } from '../../../ui/feedback';
import { communicationQueries } from '../queries';

export function AnnouncementList({ courseId }: { courseId?: string }) {
  const query = useQuery(communicationQueries.announcements(courseId));
  return (
    <QueryState query={query} loadingLabel="Loading announcements…">
      {({ data }) =>
        data.length === 0 ? (
          <EmptyState title="No announcements yet" />
        ) : (
          <ul className="space-y-4" aria-live="polite">
            {data.map((a) => (
              <li key={a.announcementId}>
                <article className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
                  <h2 className="text-lg font-semibold text-slate-900">{a.title}</h2>
                  <p className="mb-2 text-sm text-slate-600">
                    {a.author ? `${a.author.firstName} ${a.author.lastName}` : 'skillEd'} · {formatDateTime(a.createdAt)} ·{' '}
                    {a.course ? (
                      <Link to="/courses/$courseId" params={{ courseId: a.course.courseId }} className="text-indigo-800 underline">
                        {a.course.title}
                      </Link>
                    ) : (
                      'everyone'
                    )}
                  </p>
                  {/* Rendered by the server from Markdown, with any HTML in it escaped. */}
                  <div className="prose-lesson" dangerouslySetInnerHTML={{ __html: a.bodyHtml }} />
                </article>
              </li>
            ))}
          </ul>
        )
      }
    </QueryState>
  );
}
