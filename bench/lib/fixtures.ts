// What the load needs to know of the dataset: which courses and users to use, and the unique
// (student, lesson) and (student, assignment) pairs that the write runs consume.
import pg from 'pg';
import { type DatasetCounts, studentEmail } from './dataset.js';
import { requestJson, type SignedIn } from './http.js';

export interface CourseRef {
  id: string;
  instructorEmail: string;
  activeStudents: number;
}

export async function withClient<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'skilled-bench' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Waits until every notification queued by course updates has been written (a course update queues its
 * students' notifications and the app writes them just after it commits), so that one measurement does not
 * pay for the previous one's. Answers how long it waited.
 */
export async function waitForQueuedNotifications(client: pg.Client, timeoutMs = 300_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const { rows } = await client.query<{ waiting: number }>('select count(*)::int as waiting from notification_queue where failed_at is null');
    if (rows[0]!.waiting === 0) return Math.round(performance.now() - started);
    if (performance.now() - started > timeoutMs) throw new Error(`${rows[0]!.waiting} queued notifications still unwritten after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The course with the most active students (the broadcast target) and a spread of others. */
export async function pickCourses(client: pg.Client, count: number): Promise<CourseRef[]> {
  const popular = await client.query<{ id: string; email: string; students: number }>(
    `select c.id, u.email, count(e.id)::int as students
       from courses c join users u on u.id = c.instructor_id
       left join course_enrollments e on e.course_id = c.id and e.status = 'active'
      group by c.id, u.email order by students desc, c.id limit $1`,
    [Math.ceil(count / 2)],
  );
  const others = await client.query<{ id: string; email: string; students: number }>(
    `select c.id, u.email, (select count(*)::int from course_enrollments e where e.course_id = c.id and e.status = 'active') as students
       from courses c join users u on u.id = c.instructor_id order by md5(c.id::text) limit $1`,
    [Math.floor(count / 2)],
  );
  const seen = new Set<string>();
  return [...popular.rows, ...others.rows]
    .filter((row) => !seen.has(row.id) && seen.add(row.id))
    .map((row) => ({ id: row.id, instructorEmail: row.email, activeStudents: row.students }));
}

/** The course whose number of active students is closest to `students`. */
export async function courseWithAudience(client: pg.Client, students: number): Promise<CourseRef> {
  const { rows } = await client.query<{ id: string; email: string; students: number }>(
    `select c.id, u.email, s.active_enrollments as students
       from courses c join users u on u.id = c.instructor_id join course_stats s on s.course_id = c.id
      order by abs(s.active_enrollments - $1), c.id limit 1`,
    [students],
  );
  const row = rows[0]!;
  return { id: row.id, instructorEmail: row.email, activeStudents: row.students };
}

/** `count` students spread evenly over the dataset. */
/**
 * `count` students spread evenly over the dataset. `offset` picks another set of the same spread: the
 * writers are not the per-user readers, whose data must stay as generated from one run to the next.
 */
export function spreadStudents(counts: DatasetCounts, count: number, offset = 7): string[] {
  const stride = Math.max(1, Math.floor(counts.students / count));
  return Array.from({ length: count }, (_, k) => studentEmail((k * stride + offset) % counts.students));
}

export async function activeCourseOf(client: pg.Client, studentIds: string[]): Promise<Map<string, string>> {
  const rows = await client.query<{ student_id: string; course_id: string }>(
    `select distinct on (student_id) student_id, course_id from course_enrollments
      where student_id = any($1::uuid[]) and status = 'active' order by student_id, enrolled_at`,
    [studentIds],
  );
  return new Map(rows.rows.map((row) => [row.student_id, row.course_id]));
}

/** Active students of a course, for subscriptions. */
export async function studentsOfCourse(client: pg.Client, courseId: string, limit: number): Promise<string[]> {
  const rows = await client.query<{ email: string }>(
    `select u.email from course_enrollments e join users u on u.id = e.student_id
      where e.course_id = $1 and e.status = 'active' order by u.email limit $2`,
    [courseId, limit],
  );
  return rows.rows.map((row) => row.email);
}

/**
 * Enrols each writer (through the API, as a student would) in more courses without prerequisites,
 * until the writers together have `lessonsWanted` lessons left to complete.
 */
export async function enrolWriters(baseUrl: string, client: pg.Client, writers: SignedIn[], lessonsWanted: number): Promise<number> {
  const free = await client.query<{ id: string }>(
    `select c.id from courses c
      where not exists (select 1 from course_prerequisites p where p.course_id = c.id)
      order by md5(c.id::text)`,
  );
  const lessonsPerCourse = Number((await client.query<{ n: number }>('select (count(*) / greatest(1, count(distinct course_id)))::int as n from lessons')).rows[0]?.n ?? 10);
  const perWriter = Math.ceil(lessonsWanted / writers.length / lessonsPerCourse);
  // Courses a writer was ever enrolled in are skipped: their lessons may be done (an earlier run's
  // enrolments are withdrawn at its end, not forgotten).
  const before = await client.query<{ key: string }>(
    `select student_id || ':' || course_id as key from course_enrollments where student_id = any($1::uuid[])`,
    [writers.map((writer) => writer.userId)],
  );
  const known = new Set(before.rows.map((row) => row.key));
  let enrolled = 0;
  await Promise.all(
    writers.map(async (writer, w) => {
      let added = 0;
      for (let k = 0; k < free.rows.length && added < perWriter; k++) {
        const course = free.rows[(w * 7 + k) % free.rows.length]!;
        if (known.has(`${writer.userId}:${course.id}`)) continue;
        const response = await requestJson(`${baseUrl}/api/courses/${course.id}/enroll`, { method: 'POST', token: writer.token, body: {} });
        if (response.status === 201 || response.status === 200) {
          added++;
          enrolled++;
        }
      }
    }),
  );
  return enrolled;
}

/**
 * Withdraws the enrolments the writers were given since `since` (the database's clock), so that the write
 * runs leave the active enrolments as they found them: otherwise each run adds thousands, and the writers,
 * enrolled in hundreds of courses after a few runs, change what the per-user pages read (recommendations
 * samples them as similar learners) and the courses' popularity.
 */
export async function withdrawEnrolmentsSince(client: pg.Client, studentIds: string[], since: Date): Promise<number> {
  const result = await client.query(
    `update course_enrollments set status = 'withdrawn', withdrawn_at = now()
      where student_id = any($1::uuid[]) and status = 'active' and enrolled_at >= $2`,
    [studentIds, since],
  );
  return result.rowCount ?? 0;
}

export interface WritePair {
  studentId: string;
  targetId: string;
}

/** Lessons of the writers' active courses that they have not completed, interleaved by student. */
export async function openLessons(client: pg.Client, studentIds: string[]): Promise<WritePair[]> {
  const rows = await client.query<{ student_id: string; lesson_id: string }>(
    `select e.student_id, l.id as lesson_id from course_enrollments e join lessons l on l.course_id = e.course_id
      where e.student_id = any($1::uuid[]) and e.status = 'active'
        and not exists (select 1 from lesson_completions c where c.student_id = e.student_id and c.lesson_id = l.id)
      order by e.student_id, e.course_id, l."order"`,
    [studentIds],
  );
  return interleave(rows.rows.map((row) => ({ studentId: row.student_id, targetId: row.lesson_id })));
}

/** Assignments of the writers' active courses not submitted yet (no row, or the not_started one), interleaved by student. */
export async function openAssignments(client: pg.Client, studentIds: string[]): Promise<WritePair[]> {
  const rows = await client.query<{ student_id: string; assignment_id: string }>(
    `select e.student_id, a.id as assignment_id from course_enrollments e join assignments a on a.course_id = e.course_id
      where e.student_id = any($1::uuid[]) and e.status = 'active'
        and not exists (select 1 from assignment_submissions s where s.student_id = e.student_id and s.assignment_id = a.id
                          and s.status in ('submitted', 'graded'))
      order by e.student_id, a.id`,
    [studentIds],
  );
  return interleave(rows.rows.map((row) => ({ studentId: row.student_id, targetId: row.assignment_id })));
}

/** Round-robin over students, so that concurrent requests mostly belong to different students. */
function interleave(pairs: WritePair[]): WritePair[] {
  const byStudent = new Map<string, WritePair[]>();
  for (const pair of pairs) byStudent.set(pair.studentId, [...(byStudent.get(pair.studentId) ?? []), pair]);
  const queues = [...byStudent.values()];
  const result: WritePair[] = [];
  for (let round = 0; result.length < pairs.length; round++) {
    for (const queue of queues) if (queue[round]) result.push(queue[round]!);
  }
  return result;
}
