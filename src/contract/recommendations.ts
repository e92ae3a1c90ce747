// Course recommendations: catalogue entries the caller is not enrolled in, each with why.
import { z } from 'zod';
import { dataEnvelope } from './common.js';
import { CourseListItem } from './courses.js';

export const RecommendationsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(20).default(5),
});
export type RecommendationsQuery = z.infer<typeof RecommendationsQuery>;

export const RecommendationReason = z.enum([
  'next_in_path',
  'similar_learners',
  'category_interest',
  'level_progression',
  'highly_rated',
  'popular',
]);
export type RecommendationReason = z.infer<typeof RecommendationReason>;

export const Recommendation = CourseListItem.extend({
  reason: z.string().describe('Why this course, in words for the learner'),
  reasonType: RecommendationReason.describe('The strongest signal behind the recommendation'),
  score: z.number().describe('Relative strength, 0 to 1; higher first'),
}).meta({ id: 'Recommendation' });
export type Recommendation = z.infer<typeof Recommendation>;
export const RecommendationsResponse = dataEnvelope(z.array(Recommendation));
