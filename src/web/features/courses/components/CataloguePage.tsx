// The catalogue: filters live in the URL, results scroll without end, only the rows on screen are
// in the DOM, and the next page is fetched before the reader reaches the end of this one.
import { useInfiniteQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { CourseListItem } from '../../../../sdk';
import { COURSE_CATEGORIES, COURSE_SORTS, DIFFICULTY_LEVELS, SORT_LABELS } from '../../../lib/enums';
import { humanize } from '../../../lib/format';
import { compact } from '../../../lib/search';
import { EmptyState, ErrorNotice, Loading, Spinner } from '../../../ui/feedback';
import { SelectField, TextField } from '../../../ui/fields';
import { Page, Pill } from '../../../ui/layout';
import { courseQueries } from '../queries';
import { Stars } from './Stars';

const route = getRouteApi('/courses');
/** Rows before the end at which the next page is requested. */
const PREFETCH_ROWS = 6;

function SearchBox({ value, onSearch }: { value: string; onSearch: (value: string) => void }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  useEffect(() => {
    if (draft === value) return;
    const timer = setTimeout(() => onSearch(draft), 300);
    return () => clearTimeout(timer);
  }, [draft, value, onSearch]);
  return (
    <TextField
      label="Search"
      type="search"
      placeholder="Title or description"
      value={draft}
      onChange={(event) => setDraft(event.target.value)}
      onKeyDown={(event) => {
        if (event.key === 'Enter') onSearch(draft);
      }}
      className="col-span-2"
    />
  );
}

function CourseRow({ course }: { course: CourseListItem }) {
  return (
    <article className="flex gap-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm transition-shadow hover:shadow-md">
      <div aria-hidden="true" className="hidden h-20 w-20 shrink-0 items-center justify-center rounded-lg bg-indigo-100 text-2xl font-bold text-indigo-800 sm:flex">
        {course.title.slice(0, 1)}
      </div>
      <div className="min-w-0 flex-1">
        <h2 className="text-lg font-semibold">
          <Link to="/courses/$courseId" params={{ courseId: course.courseId }} className="text-slate-900 hover:text-indigo-800 hover:underline">
            {course.title}
          </Link>
        </h2>
        <p className="mt-1 line-clamp-2 text-sm text-slate-700">{course.description}</p>
        <div className="mt-2 flex flex-wrap items-center gap-2 text-sm text-slate-700">
          <Pill tone="info">{humanize(course.category)}</Pill>
          <Pill>{humanize(course.difficultyLevel)}</Pill>
          <span>
            by {course.instructor.firstName} {course.instructor.lastName}
          </span>
          <span aria-hidden="true">·</span>
          <Stars value={course.averageRating} count={course.totalRatings} />
          <span aria-hidden="true">·</span>
          <span>{course.totalLessons} lessons</span>
          <span aria-hidden="true">·</span>
          <span>{course.totalEnrollments} learners</span>
        </div>
      </div>
    </article>
  );
}

export function CataloguePage() {
  const filters = route.useSearch();
  const navigate = route.useNavigate();
  const query = useInfiniteQuery(courseQueries.catalogue(filters));
  const courses = query.data?.pages.flatMap((page) => page.data) ?? [];
  const total = query.data?.pages[0]?.pagination.totalCount ?? 0;

  const listRef = useRef<HTMLDivElement>(null);
  const [scrollMargin, setScrollMargin] = useState(0);
  useLayoutEffect(() => setScrollMargin(listRef.current?.offsetTop ?? 0), [query.isPending]);

  const virtualizer = useWindowVirtualizer({
    count: courses.length,
    estimateSize: () => 150,
    overscan: 4,
    gap: 12,
    scrollMargin,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? -1;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= courses.length - PREFETCH_ROWS) void fetchNextPage();
  }, [lastIndex, courses.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const setFilter = (changes: Partial<typeof filters>) =>
    void navigate({ search: (previous) => compact({ ...previous, ...changes }), replace: true, resetScroll: false });

  return (
    <Page title="Course catalogue" description="Find your next course: search, filter by category and level, and sort.">
      <form role="search" className="mb-6 grid grid-cols-2 gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:grid-cols-5" onSubmit={(event) => event.preventDefault()}>
        <SearchBox value={filters.search ?? ''} onSearch={(search) => setFilter({ search: search.trim() || undefined })} />
        <SelectField
          label="Category"
          value={filters.category ?? ''}
          onChange={(event) => setFilter({ category: (event.target.value || undefined) as typeof filters.category })}
          options={[{ value: '', label: 'All categories' }, ...COURSE_CATEGORIES.map((c) => ({ value: c, label: humanize(c) }))]}
        />
        <SelectField
          label="Level"
          value={filters.level ?? ''}
          onChange={(event) => setFilter({ level: (event.target.value || undefined) as typeof filters.level })}
          options={[{ value: '', label: 'All levels' }, ...DIFFICULTY_LEVELS.map((l) => ({ value: l, label: humanize(l) }))]}
        />
        <SelectField
          className="col-span-2 sm:col-span-1"
          label="Sort by"
          value={filters.sort ?? 'newest'}
          onChange={(event) => setFilter({ sort: event.target.value === 'newest' ? undefined : (event.target.value as typeof filters.sort) })}
          options={COURSE_SORTS.map((s) => ({ value: s, label: SORT_LABELS[s] }))}
        />
      </form>

      <p role="status" aria-live="polite" className="mb-3 text-sm text-slate-700">
        {query.isPending ? 'Loading courses…' : `Showing ${courses.length} of ${total} courses`}
        {query.isRefetching && !query.isFetchingNextPage && ' (updating…)'}
      </p>

      {query.isPending ? (
        <Loading label="Loading courses…" rows={4} />
      ) : query.error && courses.length === 0 ? (
        <ErrorNotice error={query.error} onRetry={() => void query.refetch()} />
      ) : courses.length === 0 ? (
        <EmptyState title="No course matches these filters">
          <Link to="/courses" search={{}} className="font-semibold text-indigo-800 underline">
            Clear the filters
          </Link>
        </EmptyState>
      ) : (
        <div ref={listRef}>
          <div role="list" aria-label="Courses" className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => {
              const course = courses[item.index];
              if (!course) return null;
              return (
                <div
                  key={course.courseId}
                  role="listitem"
                  aria-setsize={total}
                  aria-posinset={item.index + 1}
                  data-index={item.index}
                  ref={virtualizer.measureElement}
                  className="absolute left-0 top-0 w-full"
                  style={{ transform: `translateY(${item.start - virtualizer.options.scrollMargin}px)` }}
                >
                  <CourseRow course={course} />
                </div>
              );
            })}
          </div>
          <div className="mt-4 flex justify-center">
            {isFetchingNextPage ? (
              <p role="status" className="text-sm text-slate-700">
                <Spinner size="sm" label="Loading more courses…" />
              </p>
            ) : query.error ? (
              <ErrorNotice error={query.error} onRetry={() => void fetchNextPage()} />
            ) : hasNextPage ? (
              // For keyboards and screen readers, which do not scroll to load.
              <button type="button" onClick={() => void fetchNextPage()} className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-semibold text-slate-800 hover:bg-slate-50">
                Load more courses
              </button>
            ) : (
              <p className="text-sm text-slate-600">That is every course.</p>
            )}
          </div>
        </div>
      )}
    </Page>
  );
}
