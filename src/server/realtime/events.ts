// The event log: how a service emits an event, and how the real-time layer reads it back.
//
// emitEvent() adds the row to the caller's transaction, written by its last statement; once the COMMIT
// has returned, the listeners of onEventsCommitted() hear of the newest id (the real-time plugin wakes
// this instance's reader and tells the other instances through the bus). A rolled-back transaction
// announces nothing, so nothing uncommitted is ever published. A wake-up that never comes (the process
// died between its COMMIT and the call) loses nothing either: clients are always served by reading
// committed rows by id (`id > last sent`), and a periodic catch-up read finds any row no one announced.
//
// Ids are taken when the row is written but become visible at commit, so concurrent writers may commit
// out of id order: a reader that sees event 11 may not see 10 yet. Readers therefore go through
// CommittedEventReader, which hands out events in id order and stops at a missing id until the
// transactions that could still commit it have ended. No lock is taken to write events, so concurrent
// event-writing transactions commit together (and share their WAL flushes).
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import { and, arrayContains, asc, eq, getTableColumns, gt, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import { type EventPayload, eventPayloads, type EventType } from '../../contract/events.js';
import {
  afterCommit,
  arrayLiteral,
  atCommit,
  type Database,
  databaseOf,
  type EndOfTransactionWork,
  type Executor,
  queryRows,
  type Transaction,
} from '../db/client.js';
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

type CommitListener = (newestEventId: number) => void;
/** A listener and the logger that reports its failures (a commit may come from a request or not). */
interface RegisteredListener {
  listener: CommitListener;
  log: Pick<FastifyBaseLogger, 'error'>;
}
const commitListeners = new WeakMap<object, Set<RegisteredListener>>();

/**
 * Calls `listener` with the newest event id of each transaction of `db` that wrote events, once its
 * COMMIT has returned; its failures go to `log`. Answers a function that stops it.
 */
export function onEventsCommitted(db: Database, listener: CommitListener, log: Pick<FastifyBaseLogger, 'error'>): () => void {
  let listeners = commitListeners.get(db);
  if (!listeners) commitListeners.set(db, (listeners = new Set()));
  const registered = { listener, log };
  listeners.add(registered);
  return () => listeners.delete(registered);
}

/** A listener that fails must not turn a committed write into an error: the catch-up poll covers it. */
function announce({ listener, log }: RegisteredListener, newestEventId: number): void {
  try {
    listener(newestEventId);
  } catch (error) {
    log.error({ err: error, eventId: newestEventId }, 'announcing committed events failed; the next poll finds them');
  }
}

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
 * The rows in one statement, the transaction's last. Its first step gives the transaction its id
 * (pg_current_xact_id) before any row takes an event id: CommittedEventReader counts on a transaction
 * holding an event id having a transaction id from before it took it.
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
  // Written with the COMMIT (THEN_COMMIT): one round trip for both.
  const [written] = await queryRows<{ ids: number[]; first: number; newest: number }>(
    tx,
    sql`${sql.raw(THEN_COMMIT)}
    with writer as materialized (select pg_current_xact_id()),
    inserted as (
      insert into events (type, payload, user_ids, course_id, staff_only, admins, everyone)
      select r.type, r.payload, r.user_ids, r.course_id, r.staff_only, r.admins, r.everyone
        from writer,
          rows from (
            jsonb_to_recordset(${JSON.stringify(records)}::jsonb)
              as (type text, payload jsonb, user_ids uuid[], course_id uuid, staff_only boolean, admins boolean, everyone boolean)
          ) with ordinality as r(type, payload, user_ids, course_id, staff_only, admins, everyone, position)
        order by r.position
      returning id
    )
    select min(id)::float8 as first, max(id)::float8 as newest, (array_agg(id::float8 order by id))[1:${LOGGED_ONE_BY_ONE}] as ids
      from inserted`,
  );
  const { ids, first, newest } = written!;
  const listeners = commitListeners.get(databaseOf(tx));
  if (listeners) afterCommit(tx, () => listeners.forEach((registered) => announce(registered, newest)));
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

const snapshotBounds = {
  // The oldest transaction still running when the statement started (or the next to start, if none).
  xmin: sql<string>`pg_snapshot_xmin(pg_current_snapshot())::text`,
  // The first transaction id not yet handed out when the statement started.
  xmax: sql<string>`pg_snapshot_xmax(pg_current_snapshot())::text`,
};

/**
 * The newest event id, answered once every id below it is final (committed, or never to be): where a
 * reader that starts now begins. Waits for the transactions that were running at the first read, at most
 * `patienceMs` (a session left open for long would hold it up; its events, if any, are then left to replays).
 */
export async function settledLatestEventId(db: Executor, patienceMs = 2_000): Promise<number> {
  const [latest] = await db.select({ id: sql<number>`coalesce(max(${events.id}), 0)::float8`, ...snapshotBounds }).from(events);
  const horizon = BigInt(latest!.xmax);
  const deadline = Date.now() + patienceMs;
  for (let xmin = BigInt(latest!.xmin); xmin < horizon && Date.now() < deadline; ) {
    await sleep(5);
    const [now] = await queryRows<{ xmin: string }>(db, sql`select ${snapshotBounds.xmin} as xmin`);
    xmin = BigInt(now!.xmin);
  }
  return latest!.id;
}

/**
 * Reads the log in id order for a reader that keeps its own position (an instance's hub, the webhook
 * dispatcher), never past an id that may still commit.
 *
 * Event ids are taken when the rows are written and become visible at commit, so a read may find 12
 * and not 11. Either 11's transaction is still committing, or it rolled back (or the sequence skipped it
 * after a crash) and 11 never will be. The rows after a missing id wait until it is known which: the
 * transaction holding 11 took it before 12 was taken, and had its transaction id before that (see
 * writeEvents), so it is one of those that had begun when 12 was first seen. Once the oldest running
 * transaction is younger than all of them, 11 is there or never will be.
 */
export class CommittedEventReader {
  /** Ids missing below `below` are final once no transaction older than `horizon` is running. */
  private hole: { horizon: bigint; below: number } | undefined;

  /** Committed events after `afterId`, in id order; `held`: the read stopped at an id that may still commit. */
  async read(db: Executor, afterId: number): Promise<{ rows: EventRow[]; held: boolean }> {
    const found = await db
      .select({ ...getTableColumns(events), ...snapshotBounds })
      .from(events)
      .where(gt(events.id, afterId))
      .orderBy(asc(events.id))
      .limit(PAGE);
    const rows: EventRow[] = [];
    let expected = afterId + 1;
    for (const { xmin, xmax, ...row } of found) {
      if (row.id !== expected) {
        if (!this.hole || row.id > this.hole.below) {
          this.hole = { horizon: BigInt(xmax), below: found.at(-1)!.id };
          return { rows, held: true };
        }
        if (BigInt(xmin) < this.hole.horizon) return { rows, held: true };
      }
      rows.push(row);
      expected = row.id + 1;
    }
    if (this.hole && expected > this.hole.below) this.hole = undefined;
    return { rows, held: false };
  }
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
