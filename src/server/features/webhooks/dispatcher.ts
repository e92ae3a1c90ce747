// From the event log to delivery rows. One instance at a time moves the shared cursor: it locks the cursor
// row (SKIP LOCKED: the others skip this round instead of waiting), reads the committed events after it,
// writes one delivery per receiving endpoint and moves the cursor, all in one transaction, so an event is
// turned into deliveries exactly once. The cursor never goes past an id that may still commit (see
// CommittedEventReader), so nothing committed later can appear behind it.
import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { arrayLiteral, type Database, type Transaction } from '../../db/client.js';
import { courses, users, webhookDeliveries, webhookDispatchCursor, webhookEndpoints } from '../../db/schema.js';
import { type CommittedEventReader, EVENT_PAGE_SIZE, type EventRow } from '../../realtime/events.js';
import { endpointReceives, type EndpointRouting } from './policy.js';

const CURSOR_ID = 1;

/** The body of an event's delivery: the envelope WebSocket and SSE clients receive, `{ id, type, data, at }`. */
export const eventBody = (event: Pick<EventRow, 'id' | 'type' | 'payload' | 'createdAt'>): string =>
  JSON.stringify({ id: String(event.id), type: event.type, data: event.payload, at: event.createdAt.toISOString() });

/** Endpoints that may receive something of these events: active, not paused, owner active. */
async function candidateEndpoints(tx: Transaction, events: readonly EventRow[]): Promise<(EndpointRouting & { id: string })[]> {
  const types = [...new Set(events.map((event) => event.type))];
  const courseIds = [...new Set(events.flatMap((event) => (event.courseId ? [event.courseId] : [])))];
  const rows = await tx
    .select({
      id: webhookEndpoints.id,
      ownerId: webhookEndpoints.ownerId,
      ownerRole: users.role,
      ownerStatus: users.status,
      courseId: webhookEndpoints.courseId,
      courseInstructorId: courses.instructorId,
      eventTypes: webhookEndpoints.eventTypes,
      afterEventId: webhookEndpoints.afterEventId,
    })
    .from(webhookEndpoints)
    .innerJoin(users, eq(users.id, webhookEndpoints.ownerId))
    .leftJoin(courses, eq(courses.id, webhookEndpoints.courseId))
    .where(
      and(
        eq(webhookEndpoints.active, true),
        isNull(webhookEndpoints.pausedAt),
        eq(users.status, 'active'),
        sql`${webhookEndpoints.eventTypes} && ${arrayLiteral(types)}::text[]`,
        courseIds.length > 0 ? or(isNull(webhookEndpoints.courseId), inArray(webhookEndpoints.courseId, courseIds)) : isNull(webhookEndpoints.courseId),
      ),
    );
  return rows.map((row) => ({ ...row, ownerActive: row.ownerStatus === 'active', courseInstructorId: row.courseInstructorId ?? null }));
}

/**
 * Turns the next page of events into deliveries. Answers how many deliveries were written and whether more
 * events may be waiting; `busy` when another instance holds the cursor.
 */
export async function dispatchEvents(db: Database, reader: CommittedEventReader): Promise<{ deliveries: number; more: boolean; busy: boolean }> {
  return db.transaction(async (tx) => {
    const [cursor] = await tx
      .select()
      .from(webhookDispatchCursor)
      .where(eq(webhookDispatchCursor.id, CURSOR_ID))
      .for('update', { skipLocked: true });
    if (!cursor) return { deliveries: 0, more: false, busy: true };
    const { rows: events, held } = await reader.read(tx, cursor.lastEventId);
    if (events.length === 0) return { deliveries: 0, more: false, busy: false };

    const endpoints = await candidateEndpoints(tx, events);
    const now = new Date();
    const rows: (typeof webhookDeliveries.$inferInsert)[] = [];
    for (const event of events) {
      let body: string | undefined;
      for (const endpoint of endpoints) {
        if (!endpointReceives(endpoint, event)) continue;
        body ??= eventBody(event);
        rows.push({ endpointId: endpoint.id, kind: 'event', eventId: event.id, eventType: event.type, body, nextAttemptAt: now });
      }
    }
    for (let start = 0; start < rows.length; start += 500) {
      await tx
        .insert(webhookDeliveries)
        .values(rows.slice(start, start + 500))
        .onConflictDoNothing();
    }
    await tx
      .update(webhookDispatchCursor)
      .set({ lastEventId: events.at(-1)!.id })
      .where(eq(webhookDispatchCursor.id, CURSOR_ID));
    return { deliveries: rows.length, more: !held && events.length === EVENT_PAGE_SIZE, busy: false };
  });
}
