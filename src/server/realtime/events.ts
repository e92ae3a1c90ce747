// The event log: how a service emits an event, and how the real-time layer reads it back.
//
// emitEvent() writes the row in the caller's transaction and raises a PostgreSQL NOTIFY in it. PostgreSQL
// (and PGlite) deliver a notification only when its transaction commits, and never when it rolls back, so
// this process learns of an event exactly when it becomes visible: it cannot publish an uncommitted event.
// A lost notification (the listening connection was down at that moment) loses nothing either: clients
// are always served by reading committed rows by id (`id > last sent`), and a periodic catch-up read
// finds any row no notification announced.
//
// For "by id" to be safe, ids must become visible in id order: a reader that saw event 11 must never
// later find a newly committed 10. The transactions that emit events therefore take a transaction-scoped
// lock before taking ids, and commit one after the other, in id order. So that they wait for each other
// as little as possible, a transaction's events are collected as it goes and written together at its
// very end (db/client.ts, atCommit): the lock is held for one insert, one notification and the commit.
import { randomBytes } from 'node:crypto';
import { and, arrayContains, asc, eq, gt, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import { type EventPayload, eventPayloads, type EventType } from '../../contract/events.js';
import { arrayLiteral, atCommit, type EndOfTransactionWork, type Executor, queryRows, type Transaction } from '../db/client.js';
import { courseEnrollments, courses, events } from '../db/schema.js';
import { THEN_COMMIT } from '../db/pipelined-queries.js';
import { requestLogger } from '../http/request-context.js';

/** Who may see an event. Give at least one of `userIds`, `courseId`, `admins` or `everyone`. */
export interface EventAudience {
  /** Direct recipients (a student's own grade, a message's recipient). */
  userIds?: readonly string[];
  /** The course the event belongs to: its members see it (active students, its instructor)... */
  courseId?: string | null;
  /** ...or, when true, only its staff (the instructor, and admins watching the course). */
  staffOnly?: boolean;
  /** Every admin. */
  admins?: boolean;
  /** Every signed-in user (a platform-wide announcement). */
  everyone?: boolean;
}

export type EmitInput = { [T in EventType]: { type: T; data: EventPayload<T>; audience: EventAudience } }[EventType];

/** A transaction-scoped advisory lock key, distinct from the migration lock's. */
const EVENT_LOG_LOCK = 4242001;

/**
 * The channel on which this process hears of its own commits. Per process, so that each event is
 * announced to the bus once, by the instance that wrote it; other instances hear of it from the bus.
 */
export const COMMIT_CHANNEL = `skilled_events_${randomBytes(6).toString('hex')}`;

/**
 * Adds an event to the caller's transaction: it is written at the end of the transaction (whatever the
 * transaction does after this call) and published once it commits, never if it rolls back. An invalid
 * payload or audience throws here, at the call.
 */
export async function emitEvent(tx: Transaction, input: EmitInput): Promise<void> {
  await emitEvents(tx, [input]);
}

type EventInsert = typeof events.$inferInsert;

/** Up to this many events of a transaction are logged one by one. */
const LOGGED_ONE_BY_ONE = 20;

/** A transaction's events, written together at its end (savepoints' included). */
const eventWrite: EndOfTransactionWork<EventInsert> = { run: writeEvents, last: true };

/** emitEvent for many events at once (one notification per member of a course, say). */
export async function emitEvents(tx: Transaction, inputs: readonly EmitInput[]): Promise<void> {
  if (inputs.length === 0) return;
  atCommit(tx, eventWrite, toRows(inputs));
}

function toRows(inputs: readonly EmitInput[]): EventInsert[] {
  return inputs.map((input) => {
    const data = eventPayloads[input.type].parse(input.data) as Record<string, unknown>;
    const { userIds = [], courseId = null, staffOnly = false, admins = false, everyone = false } = input.audience;
    if (staffOnly && !courseId) throw new Error(`event ${input.type}: staffOnly needs a courseId`);
    if (userIds.length === 0 && !courseId && !admins && !everyone) throw new Error(`event ${input.type} has no audience`);
    return { type: input.type, payload: data, userIds: [...new Set(userIds)], courseId, staffOnly, admins, everyone };
  });
}

/**
 * The lock, the rows and the notification of the newest id (which makes readers fetch them all) in one
 * statement, the transaction's last: the lock is then held for that statement and the COMMIT only, not
 * across round trips to a busy application. The lock is taken before the rows' ids are (the insert reads
 * from it).
 */
async function writeEvents(tx: Transaction, rows: EventInsert[]): Promise<void> {
  const records = rows.map((row) => ({
    type: row.type,
    payload: row.payload,
    user_ids: row.userIds,
    course_id: row.courseId,
    staff_only: row.staffOnly,
    admins: row.admins,
    everyone: row.everyone,
  }));
  // The transaction's last statement, written with its COMMIT (THEN_COMMIT): the lock is held for this
  // statement and the commit, inside the database.
  const [written] = await queryRows<{ ids: number[]; first: number; newest: number }>(
    tx,
    sql`${sql.raw(THEN_COMMIT)}
    with event_log_lock as materialized (select pg_advisory_xact_lock(${EVENT_LOG_LOCK})),
    inserted as (
      insert into events (type, payload, user_ids, course_id, staff_only, admins, everyone)
      select r.type, r.payload, r.user_ids, r.course_id, r.staff_only, r.admins, r.everyone
        from event_log_lock,
          rows from (
            jsonb_to_recordset(${JSON.stringify(records)}::jsonb)
              as (type text, payload jsonb, user_ids uuid[], course_id uuid, staff_only boolean, admins boolean, everyone boolean)
          ) with ordinality as r(type, payload, user_ids, course_id, staff_only, admins, everyone, position)
        order by r.position
      returning id
    )
    select pg_notify(${COMMIT_CHANNEL}, max(id)::text) as notified, min(id)::float8 as first, max(id)::float8 as newest,
      (array_agg(id::float8 order by id))[1:${LOGGED_ONE_BY_ONE}] as ids
      from inserted`,
  );
  const { ids, first, newest } = written!;
  // The request's log lines link its id to the events' (published if the transaction commits): one
  // line per event, or one for a whole fan-out.
  const log = requestLogger();
  if (!log) return;
  if (rows.length <= LOGGED_ONE_BY_ONE) rows.forEach((row, index) => log.info({ eventId: ids[index], eventType: row.type }, 'event recorded'));
  else log.info({ eventIds: [first, newest], count: rows.length }, 'events recorded');
}

// ---- Reading the log

export type EventRow = typeof events.$inferSelect;

const PAGE = 500;

/** Committed events after `afterId` (up to `upTo` when given), in id order. */
export async function readEvents(db: Executor, afterId: number, options: { upTo?: number; where?: SQL; limit?: number } = {}) {
  const conditions = [gt(events.id, afterId)];
  if (options.upTo !== undefined) conditions.push(lte(events.id, options.upTo));
  if (options.where) conditions.push(options.where);
  return db
    .select()
    .from(events)
    .where(and(...conditions))
    .orderBy(asc(events.id))
    .limit(options.limit ?? PAGE);
}

export const EVENT_PAGE_SIZE = PAGE;

export async function latestEventId(db: Executor): Promise<number> {
  const [row] = await queryRows<{ id: string | number | null }>(db, sql`select max(id) as id from ${events}`);
  return Number(row?.id ?? 0);
}

/**
 * Can a client that last saw `lastEventId` be given everything after it? Only when no event after it was
 * pruned and it is within the retention window. The prune removes a prefix of ids, so the row itself
 * still being there proves that nothing after it is gone. 0 ("nothing seen yet") is resumable while the
 * log still starts at its first event.
 */
export async function isResumable(db: Executor, lastEventId: number, retentionMs: number): Promise<boolean> {
  const cutoff = new Date(Date.now() - retentionMs);
  if (lastEventId === 0) {
    const [first] = await db.select({ id: events.id, createdAt: events.createdAt }).from(events).orderBy(asc(events.id)).limit(1);
    return !first || (first.id === 1 && first.createdAt >= cutoff);
  }
  const [row] = await db.select({ createdAt: events.createdAt }).from(events).where(eq(events.id, lastEventId)).limit(1);
  return Boolean(row && row.createdAt >= cutoff);
}

/**
 * Deletes events older than the retention window: always a prefix of ids (so that isResumable holds),
 * and never the newest event (so that the log keeps its position).
 */
export async function pruneEvents(db: Executor, retentionMs: number): Promise<number> {
  const cutoff = new Date(Date.now() - retentionMs);
  const rows = await queryRows<{ id: string }>(
    db,
    sql`delete from ${events}
        where id <= (select max(id) from ${events} where created_at < ${cutoff})
          and id < (select max(id) from ${events})
        returning id`,
  );
  return rows.length;
}

// ---- Who may see what

/** One connected client, as far as visibility goes. */
export interface Viewer {
  user: { id: string; role: string };
  /** Courses it subscribed to (WebSocket). */
  courses: ReadonlySet<string>;
  /** Also the course events of every course it belongs to, without subscribing (SSE streams). */
  memberCourses: boolean;
}

/** What visibility needs to know of the courses in a batch of events, for the viewers at hand. */
export interface Membership {
  instructorOf: Map<string, string>;
  /** `${courseId}:${userId}` for each active enrolment. */
  enrolled: Set<string>;
}

/**
 * May the viewer see the event?
 * - everyone when `everyone` is set; its direct recipients, and every admin when `admins` is set;
 * - staff-only course events: the course's instructor, and admins who subscribed to the course;
 * - other course events: the course's members (its instructor, its actively enrolled students) who
 *   subscribed to it (or any member on a stream that takes all their courses), and subscribed admins.
 */
export function canSee(
  viewer: Viewer,
  event: Pick<EventRow, 'userIds' | 'courseId' | 'staffOnly' | 'admins' | 'everyone'>,
  membership: Membership,
): boolean {
  const { id, role } = viewer.user;
  if (event.everyone || event.userIds.includes(id)) return true;
  if (event.admins && role === 'admin') return true;
  if (!event.courseId) return false;
  const instructor = membership.instructorOf.get(event.courseId) === id;
  const subscribed = viewer.courses.has(event.courseId);
  if (event.staffOnly) return instructor || (role === 'admin' && subscribed);
  const member = instructor || membership.enrolled.has(`${event.courseId}:${id}`);
  if (viewer.memberCourses && member) return true;
  return subscribed && (member || role === 'admin');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The course facts that canSee() needs for these events and these users: two indexed reads. */
export async function loadMembership(db: Executor, rows: readonly Pick<EventRow, 'courseId'>[], userIds: Iterable<string>): Promise<Membership> {
  const membership: Membership = { instructorOf: new Map(), enrolled: new Set() };
  const courseIds = [...new Set(rows.map((r) => r.courseId).filter((id): id is string => Boolean(id)))];
  const users = [...new Set(userIds)].filter((id) => UUID.test(id));
  if (courseIds.length === 0 || users.length === 0) return membership;
  const owners = await db.select({ id: courses.id, instructorId: courses.instructorId }).from(courses).where(inArray(courses.id, courseIds));
  for (const owner of owners) membership.instructorOf.set(owner.id, owner.instructorId);
  // One array parameter rather than one parameter per connected user.
  const userArray = arrayLiteral(users);
  const enrolled = await db
    .select({ courseId: courseEnrollments.courseId, studentId: courseEnrollments.studentId })
    .from(courseEnrollments)
    .where(
      and(
        inArray(courseEnrollments.courseId, courseIds),
        eq(courseEnrollments.status, 'active'),
        sql`${courseEnrollments.studentId} = any(${userArray}::uuid[])`,
      ),
    );
  for (const row of enrolled) membership.enrolled.add(`${row.courseId}:${row.studentId}`);
  return membership;
}

/**
 * A cheap superset of the events one viewer may see, for replays: its own, the admins', and those of
 * the courses it subscribed to, teaches or (on member streams) is enrolled in. canSee() decides.
 */
export function replayCandidates(viewer: Viewer): SQL {
  const { id, role } = viewer.user;
  const conditions: SQL[] = [
    arrayContains(events.userIds, [id]),
    eq(events.everyone, true),
    sql`${events.courseId} in (select ${courses.id} from ${courses} where ${courses.instructorId} = ${id})`,
  ];
  if (role === 'admin') conditions.push(eq(events.admins, true));
  if (viewer.courses.size > 0) conditions.push(inArray(events.courseId, [...viewer.courses]));
  if (viewer.memberCourses) {
    conditions.push(
      sql`${events.courseId} in (select ${courseEnrollments.courseId} from ${courseEnrollments}
            where ${courseEnrollments.studentId} = ${id} and ${courseEnrollments.status} = 'active')`,
    );
  }
  return or(...conditions)!;
}
