// Reports as files: the admin reports (enrolments, grades, engagement) as CSV and PDF, and a learner's
// progress report. CSVs are parsed back and PDFs opened, and both checked against data the test made.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  createAssignment,
  createCourse,
  createInstructor,
  createLesson,
  createStudent,
  enroll,
  signInAdmin,
  type TestUser,
  uniqueSuffix,
} from './support/api.js';
import {
  auditRows,
  CHART_COLOUR,
  completeLesson,
  csvObjects,
  download,
  gradeSubmission,
  pdfFillsInColour,
  pdfText,
  submitAssignment,
  today,
} from './support/reports.js';

let admin: TestUser;
beforeAll(async () => {
  admin = await signInAdmin();
});

const report = (token: string | undefined, query: Record<string, string | undefined>) => download('/api/admin/reports', token, query);

/** A course with two lessons and an assignment, two enrolled students, one lesson done, one submission graded. */
async function reportData(title = `Report course ${uniqueSuffix()}`) {
  const instructor = await createInstructor();
  const course = await createCourse(instructor, { title, category: 'science' });
  const lessons = [await createLesson(instructor, course.courseId), await createLesson(instructor, course.courseId)];
  const assignment = await createAssignment(instructor, course.courseId, { points: 80 });
  const first = await createStudent({ firstName: 'Ada', lastName: `Report${uniqueSuffix().slice(0, 5)}` });
  const second = await createStudent({ firstName: 'Bo', lastName: `Report${uniqueSuffix().slice(0, 5)}` });
  await enroll(first, course.courseId);
  await enroll(second, course.courseId);
  await completeLesson(first, lessons[0]!.lessonId, 25);
  const submission = await submitAssignment(second, assignment.assignmentId);
  await gradeSubmission(instructor, assignment.assignmentId, submission.submissionId, 60);
  return { instructor, course, lessons, assignment, first, second, submission };
}

describe('GET /api/admin/reports: CSV', () => {
  let data: Awaited<ReturnType<typeof reportData>>;
  let from: string;
  let to: string;
  beforeAll(async () => {
    from = new Date(Date.now() - 1000).toISOString();
    data = await reportData();
    to = new Date(Date.now() + 1000).toISOString();
  });

  it('enrollments: one row per enrolment in the range, with completion', async () => {
    const res = await report(admin.token, { type: 'enrollments', format: 'csv', from, to });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="skilled-enrollments-${today()}-${today()}.csv"`);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const { header, rows } = csvObjects(res.text);
    expect(header).toEqual(['enrollmentId', 'course', 'category', 'student', 'studentEmail', 'enrolledAt', 'status', 'completionPercentage', 'completedAt']);
    const ours = rows.filter((row) => row.course === data.course.title);
    expect(ours.map((row) => row.studentEmail)).toEqual([data.first.email, data.second.email]);
    // 1 of 3 items (2 lessons, 1 assignment) for the first; the second's submission is the third item
    expect(ours[0]).toMatchObject({
      category: 'science',
      student: `${data.first.firstName} ${data.first.lastName}`,
      status: 'active',
      completionPercentage: '33',
      completedAt: '',
    });
    expect(ours[1]).toMatchObject({ completionPercentage: '33', status: 'active' });
    for (const row of ours) {
      expect(Date.parse(row.enrolledAt!)).toBeGreaterThanOrEqual(Date.parse(from));
      expect(Date.parse(row.enrolledAt!)).toBeLessThan(Date.parse(to));
    }
    // ordered by enrolment time
    const times = rows.map((row) => Date.parse(row.enrolledAt!));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('grades: one row per graded submission, with percent and grader', async () => {
    const res = await report(admin.token, { type: 'grades', format: 'csv', from, to });
    expect(res.status).toBe(200);
    const { header, rows } = csvObjects(res.text);
    expect(header).toEqual(['submissionId', 'course', 'assignment', 'student', 'studentEmail', 'grade', 'points', 'percent', 'gradedAt', 'grader']);
    const ours = rows.filter((row) => row.course === data.course.title);
    expect(ours).toEqual([
      {
        submissionId: data.submission.submissionId,
        course: data.course.title,
        assignment: data.assignment.title,
        student: `${data.second.firstName} ${data.second.lastName}`,
        studentEmail: data.second.email,
        grade: '60',
        points: '80',
        percent: '75',
        gradedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        grader: `${data.instructor.firstName} ${data.instructor.lastName}`,
      },
    ]);
  });

  it('a range that ends before the data leaves it out', async () => {
    const res = await report(admin.token, { type: 'enrollments', format: 'csv', from: '2001-01-01', to: '2001-01-31' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="skilled-enrollments-2001-01-01-2001-01-31.csv"');
    expect(csvObjects(res.text).rows).toEqual([]);
    expect(res.text).toBe('enrollmentId,course,category,student,studentEmail,enrolledAt,status,completionPercentage,completedAt\r\n');
  });

  it('engagement: one row per day, days without activity included', async () => {
    const empty = await report(admin.token, { type: 'engagement', format: 'csv', from: '2001-02-26', to: '2001-03-04' });
    expect(empty.status).toBe(200);
    const { header, rows } = csvObjects(empty.text);
    expect(header).toEqual(['date', 'activeUsers', 'lessonsCompleted', 'submissions', 'enrollments', 'studyMinutes']);
    expect(rows.map((row) => row.date)).toEqual(['2001-02-26', '2001-02-27', '2001-02-28', '2001-03-01', '2001-03-02', '2001-03-03', '2001-03-04']);
    for (const row of rows) expect(row).toMatchObject({ activeUsers: '0', lessonsCompleted: '0', submissions: '0', enrollments: '0', studyMinutes: '0' });

    const now = await report(admin.token, { type: 'engagement', format: 'csv', from: today(), to: today() });
    const [day] = csvObjects(now.text).rows;
    expect(day!.date).toBe(today());
    // at least what this file did today (others add to it)
    expect(Number(day!.activeUsers)).toBeGreaterThanOrEqual(2);
    expect(Number(day!.lessonsCompleted)).toBeGreaterThanOrEqual(1);
    expect(Number(day!.submissions)).toBeGreaterThanOrEqual(1);
    expect(Number(day!.enrollments)).toBeGreaterThanOrEqual(2);
    expect(Number(day!.studyMinutes)).toBeGreaterThanOrEqual(25);
  });

  it('defaults to the last 30 days, today included, as CSV', async () => {
    const res = await report(admin.token, { type: 'engagement' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const { rows } = csvObjects(res.text);
    expect(rows).toHaveLength(30);
    expect(rows.at(-1)!.date).toBe(today());
    const first = new Date(Date.parse(today()) - 29 * 86_400_000).toISOString().slice(0, 10);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="skilled-engagement-${first}-${today()}.csv"`);
  });

  it('neutralises spreadsheet formulas and quotes commas and quotes (RFC 4180)', async () => {
    const suffix = uniqueSuffix();
    const titles = [`=HYPERLINK("http://evil.example","x") ${suffix}`, `+1+2 ${suffix}`, `-3-4 ${suffix}`, `@SUM(A1) ${suffix}`, `Plain, "quoted" ${suffix}`];
    const instructor = await createInstructor();
    const student = await createStudent();
    const start = new Date(Date.now() - 1000).toISOString();
    for (const title of titles) {
      const course = await createCourse(instructor, { title });
      await enroll(student, course.courseId);
    }
    const res = await report(admin.token, { type: 'enrollments', format: 'csv', from: start, to: new Date(Date.now() + 1000).toISOString() });
    expect(res.status).toBe(200);
    const courses = csvObjects(res.text).rows.filter((row) => row.studentEmail === student.email).map((row) => row.course);
    expect(courses).toEqual([
      `'=HYPERLINK("http://evil.example","x") ${suffix}`,
      `'+1+2 ${suffix}`,
      `'-3-4 ${suffix}`,
      `'@SUM(A1) ${suffix}`,
      `Plain, "quoted" ${suffix}`,
    ]);
    // the raw bytes: quoted fields, doubled quotes, and no cell that starts with a formula character
    expect(res.text).toContain(`"'=HYPERLINK(""http://evil.example"",""x"") ${suffix}"`);
    expect(res.text).toContain(`"Plain, ""quoted"" ${suffix}"`);
    expect(res.text).not.toMatch(/(^|,)"?[=+\-@]/m);
  });
});

describe('GET /api/admin/reports: PDF', () => {
  it('has a title, the range, a summary, a table of the rows and a chart', async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const data = await reportData(`PDF course ${uniqueSuffix()}`);
    const to = new Date(Date.now() + 1000).toISOString();
    const csv = await report(admin.token, { type: 'enrollments', format: 'csv', from, to });
    const rowCount = csvObjects(csv.text).rows.length;

    const res = await report(admin.token, { type: 'enrollments', format: 'pdf', from, to });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="skilled-enrollments-${today()}-${today()}.pdf"`);
    expect(res.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const { text } = await pdfText(res.bytes);
    expect(text).toContain('skillEd Enrollments report');
    expect(text).toContain(`Range: ${today()} to ${today()}`);
    expect(text).toContain('Summary');
    expect(text).toContain(`Rows (${rowCount})`);
    expect(text).toContain('Enrolments per day');
    expect(text).toContain(data.course.title);
    expect(text).toContain(`${data.first.firstName} ${data.first.lastName}`);
    expect(text).not.toContain('Showing the first');
    // the chart's bars are drawn in its colour
    expect(await pdfFillsInColour(res.bytes, CHART_COLOUR)).toBeGreaterThan(0);
  });

  it('grades: the graded submission and the grade distribution', async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const data = await reportData(`Graded PDF ${uniqueSuffix()}`);
    const res = await report(admin.token, { type: 'grades', format: 'pdf', from, to: new Date(Date.now() + 1000).toISOString() });
    expect(res.status).toBe(200);
    const { text } = await pdfText(res.bytes);
    expect(text).toContain('skillEd Grades report');
    expect(text).toContain('Grade distribution');
    expect(text).toContain(data.assignment.title);
    expect(text).toContain('60/80');
    expect(text).toContain('75%');
    expect(await pdfFillsInColour(res.bytes, CHART_COLOUR)).toBeGreaterThan(0);
  });

  it('lists at most 500 rows across pages and says so; an empty range draws no bars', async () => {
    const res = await report(admin.token, { type: 'engagement', format: 'pdf', from: '2000-01-01', to: '2001-12-31' });
    expect(res.status).toBe(200);
    const { text, pages } = await pdfText(res.bytes);
    expect(text).toContain('Rows (731)');
    expect(text).toContain('Showing the first 500 of 731 rows');
    expect(text).toContain('2000-01-01');
    expect(text).toContain('2001-05-14'); // the 500th day
    expect(text).not.toContain('2001-05-15');
    expect(pages).toBeGreaterThan(5);
    expect(text).toContain(`Page ${pages} of ${pages}`);
    expect(text).toContain('No data in this range');
    expect(await pdfFillsInColour(res.bytes, CHART_COLOUR)).toBe(0);
  });
});

describe('GET /api/admin/reports: validation and permissions', () => {
  it('refuses a bad type, format or range with 400 and details', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ format: 'csv' }, 'querystring.type'],
      [{ type: 'revenue' }, 'querystring.type'],
      [{ type: 'grades', format: 'xlsx' }, 'querystring.format'],
      [{ type: 'grades', from: 'yesterday' }, 'querystring.from'],
      [{ type: 'grades', to: '2026-02-30T25:00:00Z' }, 'querystring.to'],
      [{ type: 'grades', from: '2026-03-02', to: '2026-03-01' }, 'querystring.to'],
      [{ type: 'engagement', from: '1990-01-01', to: '2026-01-01' }, 'querystring.to'],
    ];
    for (const [query, field] of cases) {
      const res = await report(admin.token, query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.json).toMatchObject({ status: 400, code: 'VALIDATION_ERROR', requestId: expect.any(String) });
      expect(Object.keys(res.json.details)).toContain(field);
    }
    // with one bound, the default for the other must still make a range
    const future = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    for (const query of [{ type: 'grades', from: future }, { type: 'engagement', from: '1990-01-01' }]) {
      const res = await report(admin.token, query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(Object.keys(res.json.details)).toEqual(['querystring.from']);
    }
    // a one-day range given as the same date is fine
    expect((await report(admin.token, { type: 'grades', from: '2026-03-01', to: '2026-03-01' })).status).toBe(200);
  });

  it('is for admins only: 401 without a token, 403 for students and instructors', async () => {
    const student = await createStudent();
    const instructor = await createInstructor();
    const none = await report(undefined, { type: 'enrollments' });
    expect(none.status).toBe(401);
    expect(none.json.code).toBe('UNAUTHENTICATED');
    for (const user of [student, instructor]) {
      for (const format of ['csv', 'pdf']) {
        const res = await report(user.token, { type: 'enrollments', format });
        expect(res.status).toBe(403);
        expect(res.json.code).toBe('FORBIDDEN');
      }
    }
  });
});

describe('GET /api/analytics/report', () => {
  let instructor: TestUser;
  let student: TestUser;
  let courseTitle: string;
  let otherTitle: string;
  beforeAll(async () => {
    instructor = await createInstructor();
    const course = await createCourse(instructor, { title: `My progress ${uniqueSuffix()}` });
    courseTitle = course.title;
    const lesson = await createLesson(instructor, course.courseId);
    await createLesson(instructor, course.courseId);
    const assignment = await createAssignment(instructor, course.courseId, { points: 50 });
    // a second course by another instructor
    const otherInstructor = await createInstructor();
    const other = await createCourse(otherInstructor, { title: `Elsewhere ${uniqueSuffix()}` });
    otherTitle = other.title;
    student = await createStudent({ firstName: 'Petra', lastName: 'Progress' });
    await enroll(student, course.courseId);
    await enroll(student, other.courseId);
    await completeLesson(student, lesson.lessonId, 40);
    const submission = await submitAssignment(student, assignment.assignmentId);
    await gradeSubmission(instructor, assignment.assignmentId, submission.submissionId, 45);
  });

  it("CSV: one row per course, then the learner's totals and streaks", async () => {
    const res = await download('/api/analytics/report', student.token, { format: 'csv' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="skilled-progress-${student.username}-${today()}.csv"`);
    const { header, rows } = csvObjects(res.text);
    expect(header).toEqual([
      'course',
      'enrolledAt',
      'completionPercentage',
      'lessonsCompleted',
      'lessonsTotal',
      'assignmentsCompleted',
      'assignmentsTotal',
      'quizzesCompleted',
      'quizzesTotal',
      'gradePercent',
      'studyMinutes',
      'lastActivity',
      'currentStreak',
      'longestStreak',
    ]);
    expect(rows.map((row) => row.course).sort()).toEqual([courseTitle, otherTitle, 'All courses'].sort());
    expect(rows.find((row) => row.course === courseTitle)).toMatchObject({
      completionPercentage: '66',
      lessonsCompleted: '1',
      lessonsTotal: '2',
      assignmentsCompleted: '1',
      assignmentsTotal: '1',
      gradePercent: '90',
      studyMinutes: '40',
      currentStreak: '',
    });
    expect(rows.find((row) => row.course === otherTitle)).toMatchObject({ completionPercentage: '0', gradePercent: '', studyMinutes: '0' });
    expect(rows.at(-1)).toMatchObject({
      course: 'All courses',
      lessonsCompleted: '1',
      lessonsTotal: '2',
      gradePercent: '90',
      studyMinutes: '40',
      currentStreak: '1',
      longestStreak: '1',
    });
  });

  it('PDF (the default): summary, courses, grades and a chart of study minutes per week', async () => {
    const res = await download('/api/analytics/report', student.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="skilled-progress-${student.username}-${today()}.pdf"`);
    const { text } = await pdfText(res.bytes);
    expect(text).toContain('Progress report: Petra Progress');
    expect(text).toContain('Study minutes per week');
    expect(text).toContain('Courses (2)');
    expect(text).toContain(courseTitle);
    expect(text).toContain(otherTitle);
    expect(text).toContain('Grades (1)');
    expect(text).toContain('45/50');
    expect(text).toContain('Current streak');
    expect(text).toContain('40 min');
    expect(await pdfFillsInColour(res.bytes, CHART_COLOUR)).toBeGreaterThan(0);
  });

  it("admins may read anyone's; an instructor only their students', limited to their courses", async () => {
    const asAdmin = await download('/api/analytics/report', admin.token, { format: 'csv', userId: student.id });
    expect(asAdmin.status).toBe(200);
    expect(csvObjects(asAdmin.text).rows).toHaveLength(3);

    const asInstructor = await download('/api/analytics/report', instructor.token, { format: 'csv', userId: student.id });
    expect(asInstructor.status).toBe(200);
    expect(csvObjects(asInstructor.text).rows.map((row) => row.course)).toEqual([courseTitle, 'All courses']);

    const stranger = await createInstructor();
    const refused = await download('/api/analytics/report', stranger.token, { format: 'csv', userId: student.id });
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe('FORBIDDEN');
  });

  it("a student cannot read another learner's report; 401 without a token; 404 for an unknown user", async () => {
    const other = await createStudent();
    const res = await download('/api/analytics/report', other.token, { userId: student.id });
    expect(res.status).toBe(403);
    expect((await download('/api/analytics/report', undefined)).status).toBe(401);
    const unknown = await download('/api/analytics/report', admin.token, { userId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.code).toBe('USER_NOT_FOUND');
    // the student's own id is fine
    expect((await download('/api/analytics/report', student.token, { userId: student.id, format: 'csv' })).status).toBe(200);
  });

  it('refuses a bad format, period or userId with 400', async () => {
    for (const [query, field] of [
      [{ format: 'docx' }, 'querystring.format'],
      [{ period: 'decade' }, 'querystring.period'],
      [{ userId: 'me' }, 'querystring.userId'],
    ] as const) {
      const res = await download('/api/analytics/report', student.token, query);
      expect(res.status).toBe(400);
      expect(res.json.details).toHaveProperty([field]);
    }
  });
});

describe('reports: audit log and OpenAPI', () => {
  it('writes report.generate to the audit log, with the request id', async () => {
    const requestId = `report-${randomUUID()}`;
    const res = await download('/api/admin/reports', admin.token, { type: 'grades', format: 'pdf', from: '2001-01-01', to: '2001-01-31' }, { 'x-request-id': requestId });
    expect(res.status).toBe(200);
    const rows = await auditRows(admin, { action: 'report.generate', targetType: 'report', targetId: 'grades', actorId: admin.id });
    expect(rows.find((row) => row.requestId === requestId)).toMatchObject({
      actor: { id: admin.id, role: 'admin' },
      action: 'report.generate',
      targetType: 'report',
      targetId: 'grades',
      before: null,
      after: { type: 'grades', format: 'pdf', from: '2001-01-01T00:00:00.000Z', to: '2001-02-01T00:00:00.000Z' },
      ip: expect.any(String),
    });

    const student = await createStudent();
    await download('/api/analytics/report', student.token, { format: 'csv', period: 'week' });
    expect(await auditRows(admin, { action: 'report.generate', targetType: 'user', targetId: student.id })).toEqual([
      expect.objectContaining({ actor: expect.objectContaining({ id: student.id }), after: { type: 'progress', format: 'csv', period: 'week' } }),
    ]);
    // a refused request writes nothing
    await download('/api/admin/reports', student.token, { type: 'grades' });
    expect(await auditRows(admin, { action: 'report.generate', actorId: student.id })).toHaveLength(1);
  });

  it('documents the routes with their operation ids and file types', async () => {
    const doc = (await api('GET', '/api/docs/openapi.json')).body;
    const report = doc.paths['/api/admin/reports'].get;
    expect(report.operationId).toBe('getAdminReport');
    expect(Object.keys(report.responses['200'].content).sort()).toEqual(['application/pdf', 'text/csv']);
    expect(report.parameters.map((p: any) => p.name).sort()).toEqual(['format', 'from', 'to', 'type']);
    const progress = doc.paths['/api/analytics/report'].get;
    expect(progress.operationId).toBe('exportProgressReport');
    expect(Object.keys(progress.responses['200'].content).sort()).toEqual(['application/pdf', 'text/csv']);
    expect(doc.paths['/api/admin/export'].post.operationId).toBe('createExport');
    expect(doc.paths['/api/admin/export'].post.responses['202']).toBeDefined();
    expect(doc.paths['/api/admin/exports'].get.operationId).toBe('listExports');
    expect(doc.paths['/api/admin/exports/{exportId}'].get.operationId).toBe('getExport');
    const file = doc.paths['/api/admin/exports/{exportId}/download'].get;
    expect(file.operationId).toBe('downloadExport');
    expect(Object.keys(file.responses['200'].content).sort()).toEqual(['application/json', 'application/zip', 'text/csv']);
    expect(file.responses['409']).toBeDefined();
  });
});
