// Full-text search over courses (title, description) and lessons (title, description; never the
// lesson's content), with PostgreSQL text search: ranked, with highlighted snippets.
// All courses are public in the catalogue, and so are their lessons' titles and descriptions.
import { type SQL, sql } from 'drizzle-orm';
import type { CourseCategory, DifficultyLevel } from '../../../contract/common.js';
import type { SearchQuery, SearchResult } from '../../../contract/search.js';
import { type Executor, queryRows } from '../../db/client.js';
import { pageInfo, pageOffset } from '../../db/pagination.js';

interface HitRow {
  type: 'course' | 'lesson';
  id: string;
  course_id: string;
  lesson_id: string | null;
  title: string;
  course_title: string;
  category: CourseCategory;
  difficulty_level: DifficultyLevel;
  rank: number;
  total: number;
  title_highlight: string;
  description_highlight: string;
}

/**
 * HTML-escapes text inside the query, before ts_headline: the only markup in its output is then the
 * <mark> tags it adds (and nothing of the text can be taken for a tag and dropped).
 */
const escaped = (column: SQL): SQL =>
  sql`replace(replace(replace(replace(replace(${column}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;')`;

const WHOLE_OPTIONS = 'HighlightAll=true, StartSel=<mark>, StopSel=</mark>';
// A description up to this length is shown whole; a longer one as fragments around the matches.
const WHOLE_DESCRIPTION_CHARS = 280;
const SNIPPET_OPTIONS = 'StartSel=<mark>, StopSel=</mark>, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "';

export async function search(db: Executor, query: SearchQuery): Promise<{ data: SearchResult[]; pagination: ReturnType<typeof pageInfo> }> {
  const parts: SQL[] = [];
  // skilled_search_document() is the expression of the GIN indexes (migration 0009): same call, index used.
  if (query.type !== 'lesson') {
    parts.push(sql`
      select 'course' as type, c.id, c.id as course_id, null::uuid as lesson_id, c.title, c.description,
        c.title as course_title, c.category, c.difficulty_level,
        ts_rank(skilled_search_document(c.title, c.description), q.query)::float8 as rank
      from courses c, q
      where skilled_search_document(c.title, c.description) @@ q.query`);
  }
  if (query.type !== 'course') {
    parts.push(sql`
      select 'lesson' as type, l.id, c.id as course_id, l.id as lesson_id, l.title, l.description,
        c.title as course_title, c.category, c.difficulty_level,
        ts_rank(skilled_search_document(l.title, l.description), q.query)::float8 as rank
      from lessons l join courses c on c.id = l.course_id, q
      where skilled_search_document(l.title, l.description) @@ q.query`);
  }
  const rows = await queryRows<HitRow>(
    db,
    sql`
    with q as (select websearch_to_tsquery('english', ${query.q}) as query),
    hits as (${sql.join(parts, sql` union all `)}),
    page as (
      select h.*, count(*) over ()::int as total from hits h
      order by h.rank desc, h.type, h.title, h.id
      limit ${query.limit} offset ${pageOffset(query.page, query.limit)}
    )
    select p.type, p.id, p.course_id, p.lesson_id, p.title, p.course_title, p.category, p.difficulty_level, p.rank, p.total,
      ts_headline('english', ${escaped(sql`p.title`)}, q.query, ${WHOLE_OPTIONS}) as title_highlight,
      ts_headline('english', ${escaped(sql`p.description`)}, q.query,
        case when length(p.description) <= ${WHOLE_DESCRIPTION_CHARS} then ${WHOLE_OPTIONS} else ${SNIPPET_OPTIONS} end
      ) as description_highlight
    from page p, q
    order by p.rank desc, p.type, p.title, p.id`,
  );
  // A page past the end has no rows to carry the total: count again only then.
  let total = rows[0]?.total;
  if (total === undefined) {
    total =
      query.page > 1
        ? ((await queryRows<{ n: number }>(db, sql`with q as (select websearch_to_tsquery('english', ${query.q}) as query),
            hits as (${sql.join(parts, sql` union all `)}) select count(*)::int as n from hits`))[0]?.n ?? 0)
        : 0;
  }
  return {
    data: rows.map((row) => ({
      type: row.type,
      id: row.id,
      courseId: row.course_id,
      lessonId: row.lesson_id,
      title: row.title,
      courseTitle: row.course_title,
      category: row.category,
      difficultyLevel: row.difficulty_level,
      rank: row.rank,
      highlights: { title: row.title_highlight, description: row.description_highlight },
    })),
    pagination: pageInfo(query.page, query.limit, total),
  };
}
