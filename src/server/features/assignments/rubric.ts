// Grading rubrics: criteria with levels worth points, whose highest levels add up to the assignment's
// points. Setting one replaces the previous criteria; grades keep a copy of what they were given with.
import { asc, eq, inArray } from 'drizzle-orm';
import type { Rubric, SetRubricBody } from '../../../contract/assignments.js';
import type { Database, Executor } from '../../db/client.js';
import { type RubricScoreRecord, rubricCriteria, rubricLevels } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { recordAudit } from '../audit/log.js';
import { iso } from '../users/presenter.js';
import { assertCanViewAssignment, findAssignmentInContext, findManagedAssignment } from './access.js';
import { optional } from './presenter.js';

export interface RubricLevelRow {
  id: string;
  title: string;
  description: string | null;
  points: number;
}

export interface RubricCriterionRow {
  id: string;
  title: string;
  description: string | null;
  createdAt: Date;
  maxPoints: number;
  levels: RubricLevelRow[];
}

/** The assignment's rubric criteria in order, each with its levels; [] when it has none. */
export async function loadRubric(db: Executor, assignmentId: string): Promise<RubricCriterionRow[]> {
  const criteria = await db
    .select()
    .from(rubricCriteria)
    .where(eq(rubricCriteria.assignmentId, assignmentId))
    .orderBy(asc(rubricCriteria.position));
  if (criteria.length === 0) return [];
  const levels = await db
    .select()
    .from(rubricLevels)
    .where(
      inArray(
        rubricLevels.criterionId,
        criteria.map((c) => c.id),
      ),
    )
    .orderBy(asc(rubricLevels.criterionId), asc(rubricLevels.position));
  return criteria.map((criterion) => {
    const own = levels.filter((level) => level.criterionId === criterion.id);
    return {
      id: criterion.id,
      title: criterion.title,
      description: criterion.description,
      createdAt: criterion.createdAt,
      maxPoints: Math.max(...own.map((level) => level.points)),
      levels: own.map(({ id, title, description, points }) => ({ id, title, description, points })),
    };
  });
}

export const rubricTotal = (criteria: Pick<RubricCriterionRow, 'maxPoints'>[]): number =>
  criteria.reduce((sum, criterion) => sum + criterion.maxPoints, 0);

export function presentRubric(assignmentId: string, criteria: RubricCriterionRow[]): Rubric {
  return {
    assignmentId,
    totalPoints: rubricTotal(criteria),
    criteria: criteria.map((criterion) => ({
      criterionId: criterion.id,
      title: criterion.title,
      ...optional('description', criterion.description),
      maxPoints: criterion.maxPoints,
      levels: criterion.levels.map((level) => ({
        levelId: level.id,
        title: level.title,
        ...optional('description', level.description),
        points: level.points,
      })),
    })),
    ...(criteria[0] ? { updatedAt: iso(criteria[0].createdAt) } : {}),
  };
}

/** What the audit log keeps of a rubric: titles and points, in order. */
const rubricSnapshot = (criteria: { title: string; levels: { title: string; points: number }[] }[]) => ({
  criteria: criteria.map((c) => ({ title: c.title, levels: c.levels.map((l) => ({ title: l.title, points: l.points })) })),
});

export interface RubricScoreInput {
  criterionId: string;
  levelId?: string;
  points?: number;
}

/** Rounds to hundredths: grades are kept to two decimals, so sums do not drift. */
export const roundPoints = (value: number): number => Math.round(value * 100) / 100;

/**
 * The grade a set of rubric scores gives: one score per criterion, each a level of that criterion or
 * points up to its maximum. Every problem is reported at once, by field.
 */
export function scoreWithRubric(
  criteria: RubricCriterionRow[],
  scores: RubricScoreInput[],
): { grade: number; records: RubricScoreRecord[] } {
  const details: Record<string, string> = {};
  if (criteria.length === 0) {
    details['body.rubricScores'] = 'this assignment has no rubric';
  }
  const byId = new Map(criteria.map((criterion) => [criterion.id, criterion]));
  const seen = new Set<string>();
  const records: RubricScoreRecord[] = [];
  scores.forEach((score, index) => {
    const at = `body.rubricScores.${index}`;
    const criterion = byId.get(score.criterionId);
    if (!criterion) {
      if (criteria.length > 0) details[`${at}.criterionId`] = 'is not a criterion of this rubric';
      return;
    }
    if (seen.has(criterion.id)) {
      details[`${at}.criterionId`] = 'is scored more than once';
      return;
    }
    seen.add(criterion.id);
    if (score.levelId !== undefined) {
      const level = criterion.levels.find((l) => l.id === score.levelId);
      if (!level) {
        details[`${at}.levelId`] = 'is not a level of this criterion';
        return;
      }
      records.push({
        criterionId: criterion.id,
        criterionTitle: criterion.title,
        levelId: level.id,
        levelTitle: level.title,
        points: level.points,
        maxPoints: criterion.maxPoints,
      });
      return;
    }
    const points = roundPoints(score.points ?? 0);
    if (points > criterion.maxPoints) {
      details[`${at}.points`] = `must be at most ${criterion.maxPoints}`;
      return;
    }
    records.push({ criterionId: criterion.id, criterionTitle: criterion.title, points, maxPoints: criterion.maxPoints });
  });
  const missing = criteria.filter((criterion) => !seen.has(criterion.id));
  if (criteria.length > 0 && missing.length > 0 && Object.keys(details).length === 0) {
    details['body.rubricScores'] = `must score every criterion; missing: ${missing.map((c) => c.title).join(', ')}`;
  }
  const first = Object.entries(details)[0];
  if (first) throw new AppError('VALIDATION_ERROR', `Invalid request: ${first[0]} ${first[1]}`, details);
  // Kept in the rubric's order, whatever order the scores came in.
  const order = new Map(criteria.map((criterion, index) => [criterion.id, index]));
  records.sort((a, b) => (order.get(a.criterionId) ?? 0) - (order.get(b.criterionId) ?? 0));
  return { grade: roundPoints(records.reduce((sum, record) => sum + record.points, 0)), records };
}

export function createRubricService({ db }: { db: Database }) {
  return {
    async get(user: AuthUser, assignmentId: string): Promise<Rubric> {
      const found = await findAssignmentInContext(db, assignmentId);
      await assertCanViewAssignment(db, user, found);
      const criteria = await loadRubric(db, assignmentId);
      if (criteria.length === 0) throw new AppError('RUBRIC_NOT_FOUND', 'This assignment has no rubric');
      return presentRubric(assignmentId, criteria);
    },

    /** Replaces the rubric ([] removes it). Returns the rubric as stored and whether one was removed. */
    async set(user: AuthUser, assignmentId: string, body: SetRubricBody): Promise<{ rubric: Rubric; removed: boolean }> {
      return db.transaction(async (tx) => {
        const { assignment } = await findManagedAssignment(tx, user, assignmentId, 'no key update');
        const total = body.criteria.reduce((sum, c) => sum + Math.max(...c.levels.map((l) => l.points)), 0);
        if (body.criteria.length > 0 && total !== assignment.points) {
          throw new AppError(
            'VALIDATION_ERROR',
            `Invalid request: the rubric totals ${total} points but the assignment is worth ${assignment.points}`,
            { 'body.criteria': `the highest levels must add up to the assignment's ${assignment.points} points (they add up to ${total})` },
          );
        }
        const previous = await loadRubric(tx, assignmentId);
        await tx.delete(rubricCriteria).where(eq(rubricCriteria.assignmentId, assignmentId));
        const now = new Date();
        for (const [position, criterion] of body.criteria.entries()) {
          const [row] = await tx
            .insert(rubricCriteria)
            .values({
              assignmentId,
              position: position + 1,
              title: criterion.title,
              description: criterion.description || null,
              createdAt: now,
            })
            .returning({ id: rubricCriteria.id });
          await tx.insert(rubricLevels).values(
            criterion.levels.map((level, index) => ({
              criterionId: row!.id,
              position: index + 1,
              title: level.title,
              description: level.description || null,
              points: level.points,
            })),
          );
        }
        await recordAudit(tx, user, {
          action: 'assignment.rubric',
          targetType: 'assignment',
          targetId: assignmentId,
          before: previous.length ? rubricSnapshot(previous) : null,
          after: body.criteria.length ? rubricSnapshot(body.criteria) : null,
        });
        return { rubric: presentRubric(assignmentId, await loadRubric(tx, assignmentId)), removed: body.criteria.length === 0 };
      });
    },
  };
}
