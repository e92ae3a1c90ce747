// Full-text search over the course catalogue and the lessons' titles and descriptions.
import { z } from 'zod';
import { CourseCategory, DifficultyLevel, Id, PageQuery, pageEnvelope } from './common.js';

export const SearchType = z.enum(['course', 'lesson']);
export type SearchType = z.infer<typeof SearchType>;

export const SearchQuery = PageQuery.extend({
  q: z
    .string({ error: 'is required' })
    .trim()
    .min(1, 'is required')
    .max(200, 'must be at most 200 characters')
    .describe('Words to find; "quoted phrases", `or` and -excluded words are understood'),
  type: SearchType.optional().describe('Only courses or only lessons (default: both)'),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

export const SearchResult = z
  .object({
    type: SearchType,
    id: Id.describe('The course id or the lesson id'),
    courseId: Id,
    lessonId: Id.nullable(),
    title: z.string(),
    courseTitle: z.string(),
    category: CourseCategory,
    difficultyLevel: DifficultyLevel,
    rank: z.number().describe('Higher is better; a match in the title weighs more than one in the description'),
    highlights: z
      .object({ title: z.string(), description: z.string() })
      .describe('HTML: the matched words in <mark> tags, everything else escaped'),
  })
  .meta({ id: 'SearchResult' });
export type SearchResult = z.infer<typeof SearchResult>;
export const SearchResponse = pageEnvelope(SearchResult);
