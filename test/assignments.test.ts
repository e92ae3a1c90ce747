import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
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
import { uploadedFileUrl } from './support/files.js';

const DAY = 86_400_000;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

/** An instructor's course with one assignment and an enrolled student. */
async function setup(assignmentOverrides: Record<string, unknown> = {}) {
  const instructor = await createInstructor();
  const course = await createCourse(instructor);
  const assignment = await createAssignment(instructor, course.courseId, assignmentOverrides);
  const student = await createStudent();
  await enroll(student, course.courseId);
  return { instructor, course, assignment, student };
}

const submit = (student: TestUser, body: Record<string, unknown>) =>
  api('POST', '/api/assignments/submit', { token: student.token, body });

const details = (user: TestUser, assignmentId: string) => api('GET', `/api/assignments/${assignmentId}`, { token: user.token });

const myAssignments = (user: TestUser, query: Record<string, string | number> = {}) =>
  api('GET', '/api/assignments', { token: user.token, query });

describe('POST /api/assignments', () => {
  it('creates an assignment with the spec response and gives enrolled students a not_started row', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const lesson = await createLesson(instructor, course.courseId);
    const student = await createStudent();
    await enroll(student, course.courseId);
    const dueDate = inDays(5);
    const body = {
      courseId: course.courseId,
      lessonId: lesson.lessonId,
      title: '  Build a parser  ',
      description: 'Write a recursive descent parser',
      points: 50,
      dueDate,
      rubricUrl: 'https://example.com/rubric.pdf',
    };
    const res = await api('POST', '/api/assignments', { token: instructor.token, body });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      message: 'Assignment created successfully',
      data: {
        assignmentId: expect.stringMatching(UUID),
        courseId: course.courseId,
        lessonId: lesson.lessonId,
        title: 'Build a parser',
        description: 'Write a recursive descent parser',
        points: 50,
        dueDate,
        rubricUrl: 'https://example.com/rubric.pdf',
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
      },
    });
    const { assignmentId } = res.body.data;

    // the already-enrolled student now has it, not started, with the due date copied
    const mine = await myAssignments(student);
    expect(mine.status).toBe(200);
    expect(mine.body.data).toHaveLength(1);
    expect(mine.body.data[0]).toMatchObject({ view: 'student', assignmentId, status: 'not_started', dueDate, isLate: false });
    const seen = await details(student, assignmentId);
    expect(seen.body.data.submission).toMatchObject({ status: 'not_started', dueDate });
    expect(seen.body.data.submission.submittedAt).toBeUndefined();
  });

  it('omits the optional fields that were not given', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const res = await api('POST', '/api/assignments', {
      token: instructor.token,
      body: { courseId: course.courseId, title: 'Essay', points: 10 },
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body.data).sort()).toEqual(
      ['assignmentId', 'courseId', 'createdAt', 'description', 'points', 'title', 'updatedAt'].sort(),
    );
    expect(res.body.data.description).toBe('');
  });

  it('lets an admin create an assignment in any course', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const admin = await signInAdmin();
    const res = await api('POST', '/api/assignments', {
      token: admin.token,
      body: { courseId: course.courseId, title: 'Set by admin', points: 5 },
    });
    expect(res.status).toBe(201);
    expect(res.body.data.courseId).toBe(course.courseId);
  });

  it('validates the body field by field', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const res = await api('POST', '/api/assignments', {
      token: instructor.token,
      body: { courseId: course.courseId, title: '', points: 0, dueDate: 'next friday', rubricUrl: 'javascript:alert(1)' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
    expect(Object.keys(res.body.details).sort()).toEqual(['body.dueDate', 'body.points', 'body.rubricUrl', 'body.title']);
    for (const points of [1.5, 10001, '10', -3]) {
      const bad = await api('POST', '/api/assignments', {
        token: instructor.token,
        body: { courseId: course.courseId, title: 'T', points },
      });
      expect(bad.status, `points ${points}`).toBe(400);
      expect(Object.keys(bad.body.details)).toEqual(['body.points']);
    }
    const missing = await api('POST', '/api/assignments', { token: instructor.token, body: { title: 'T', points: 1 } });
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body.details)).toEqual(['body.courseId']);
    const long = await api('POST', '/api/assignments', {
      token: instructor.token,
      body: { courseId: course.courseId, title: 'x'.repeat(201), description: 'y'.repeat(10001), points: 1 },
    });
    expect(Object.keys(long.body.details).sort()).toEqual(['body.description', 'body.title']);
    // nothing was created
    const list = await api('GET', `/api/courses/${course.courseId}/assignments`, { token: instructor.token });
    expect(list.body.data.totalAssignments).toBe(0);
  });

  it('refuses a lesson of another course, or an unknown lesson, with 400', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const other = await createCourse(instructor);
    const foreignLesson = await createLesson(instructor, other.courseId);
    for (const lessonId of [foreignLesson.lessonId, randomUUID()]) {
      const res = await api('POST', '/api/assignments', {
        token: instructor.token,
        body: { courseId: course.courseId, lessonId, title: 'T', points: 1 },
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
      expect(res.body.details).toEqual({ 'body.lessonId': 'must be a lesson of this course' });
    }
    const list = await api('GET', `/api/courses/${course.courseId}/assignments`, { token: instructor.token });
    expect(list.body.data.totalAssignments).toBe(0);
  });

  it('is refused without a token (401), to students and other instructors (403), and for an unknown course (404)', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const body = { courseId: course.courseId, title: 'T', points: 1 };
    const anonymous = await api('POST', '/api/assignments', { body });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHENTICATED');
    const student = await createStudent();
    const byStudent = await api('POST', '/api/assignments', { token: student.token, body });
    expect(byStudent.status).toBe(403);
    const stranger = await createInstructor();
    const byStranger = await api('POST', '/api/assignments', { token: stranger.token, body });
    expect(byStranger.status).toBe(403);
    expect(byStranger.body.code).toBe('FORBIDDEN');
    const unknown = await api('POST', '/api/assignments', { token: instructor.token, body: { ...body, courseId: randomUUID() } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('COURSE_NOT_FOUND');
    const list = await api('GET', `/api/courses/${course.courseId}/assignments`, { token: instructor.token });
    expect(list.body.data.totalAssignments).toBe(0);
  });
});

describe('GET /api/courses/:courseId/assignments', () => {
  it("lists the course's assignments to anyone signed in, by due date with undated ones last", async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor, { category: 'design' });
    const later = await createAssignment(instructor, course.courseId, { dueDate: inDays(9), rubricUrl: 'https://example.com/r' });
    const undated = await createAssignment(instructor, course.courseId, { dueDate: undefined });
    const sooner = await createAssignment(instructor, course.courseId, { dueDate: inDays(2) });
    const visitor = await createStudent();
    const res = await api('GET', `/api/courses/${course.courseId}/assignments`, { token: visitor.token });
    expect(res.status).toBe(200);
    expect(res.body.data.course).toEqual({ courseId: course.courseId, title: course.title, category: 'design' });
    expect(res.body.data.totalAssignments).toBe(3);
    expect(res.body.data.assignments.map((a: any) => a.assignmentId)).toEqual([
      sooner.assignmentId,
      later.assignmentId,
      undated.assignmentId,
    ]);
    expect(res.body.data.assignments[1]).toEqual({
      assignmentId: later.assignmentId,
      title: later.title,
      description: 'Do the thing',
      dueDate: later.dueDate,
      points: 100,
      rubricUrl: 'https://example.com/r',
      createdAt: later.createdAt,
    });
    expect(res.body.data.assignments[2].dueDate).toBeUndefined();
  });

  it("includes a student's submissions for the student, the course instructor and an admin", async () => {
    const { instructor, course, assignment, student } = await setup();
    await submit(student, { assignmentId: assignment.assignmentId, submissionContent: 'my answer' });
    const admin = await signInAdmin();
    for (const viewer of [student, instructor, admin]) {
      const res = await api('GET', `/api/courses/${course.courseId}/assignments`, {
        token: viewer.token,
        query: { studentId: student.id },
      });
      expect(res.status, viewer.role).toBe(200);
      const [item] = res.body.data.assignments;
      expect(item.submission).toEqual({
        submissionId: expect.stringMatching(UUID),
        startedAt: expect.stringMatching(ISO),
        endedAt: expect.stringMatching(ISO),
        submissionContent: 'my answer',
        assignedAt: expect.stringMatching(ISO),
        dueDate: assignment.dueDate,
        status: 'submitted',
        submittedAt: expect.stringMatching(ISO),
        isLate: false,
      });
    }
    // without studentId there are no submissions
    const plain = await api('GET', `/api/courses/${course.courseId}/assignments`, { token: instructor.token });
    expect(plain.body.data.assignments[0].submission).toBeUndefined();
  });

  it("refuses another student's submissions to other students and to instructors of other courses (403)", async () => {
    const { course, student } = await setup();
    const otherStudent = await createStudent();
    await enroll(otherStudent, course.courseId);
    const otherInstructor = await createInstructor();
    for (const viewer of [otherStudent, otherInstructor]) {
      const res = await api('GET', `/api/courses/${course.courseId}/assignments`, {
        token: viewer.token,
        query: { studentId: student.id },
      });
      expect(res.status, viewer.role).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
  });

  it('answers 401 without a token, 404 for an unknown course and 400 for malformed ids', async () => {
    const { course, student } = await setup();
    expect((await api('GET', `/api/courses/${course.courseId}/assignments`)).status).toBe(401);
    const unknown = await api('GET', `/api/courses/${randomUUID()}/assignments`, { token: student.token });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('COURSE_NOT_FOUND');
    const badCourse = await api('GET', '/api/courses/not-a-uuid/assignments', { token: student.token });
    expect(badCourse.status).toBe(400);
    expect(Object.keys(badCourse.body.details)).toEqual(['params.courseId']);
    const badStudent = await api('GET', `/api/courses/${course.courseId}/assignments`, {
      token: student.token,
      query: { studentId: 'nope' },
    });
    expect(badStudent.status).toBe(400);
    expect(Object.keys(badStudent.body.details)).toEqual(['querystring.studentId']);
  });
});

describe('GET /api/assignments', () => {
  it("gives a student their own assignments with the spec's fields", async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor, { category: 'science' });
    const lesson = await createLesson(instructor, course.courseId);
    const assignment = await createAssignment(instructor, course.courseId, { lessonId: lesson.lessonId, points: 40 });
    const student = await createStudent();
    await enroll(student, course.courseId);
    await submit(student, { assignmentId: assignment.assignmentId, fileUrl: await uploadedFileUrl(student, 'a.zip') });
    const res = await myAssignments(student);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      {
        view: 'student',
        submissionId: expect.stringMatching(UUID),
        assignmentId: assignment.assignmentId,
        title: assignment.title,
        description: 'Do the thing',
        points: 40,
        dueDate: assignment.dueDate,
        status: 'submitted',
        submittedAt: expect.stringMatching(ISO),
        isLate: false,
        course: { courseId: course.courseId, title: course.title, category: 'science' },
        lesson: { lessonId: lesson.lessonId, title: lesson.title, order: lesson.order },
      },
    ]);
    expect(res.body.pagination).toEqual({ page: 1, limit: 10, totalCount: 1, totalPages: 1, hasNext: false, hasPrev: false });
  });

  it('filters by status and course, sorts, and paginates', async () => {
    const instructor = await createInstructor();
    const first = await createCourse(instructor);
    const second = await createCourse(instructor);
    const a1 = await createAssignment(instructor, first.courseId, { title: 'Charlie', dueDate: inDays(3) });
    const a2 = await createAssignment(instructor, first.courseId, { title: 'alpha', dueDate: inDays(1) });
    const a3 = await createAssignment(instructor, second.courseId, { title: 'Bravo', dueDate: undefined });
    const student = await createStudent();
    await enroll(student, first.courseId);
    await enroll(student, second.courseId);
    await submit(student, { assignmentId: a1.assignmentId, submissionContent: 'done' });

    const ids = (res: any) => res.body.data.map((item: any) => item.assignmentId);
    expect(ids(await myAssignments(student))).toEqual([a2.assignmentId, a1.assignmentId, a3.assignmentId]);
    expect(ids(await myAssignments(student, { sort: '-dueDate' }))).toEqual([a1.assignmentId, a2.assignmentId, a3.assignmentId]);
    expect(ids(await myAssignments(student, { sort: 'title' }))).toEqual([a2.assignmentId, a3.assignmentId, a1.assignmentId]);
    expect(ids(await myAssignments(student, { sort: 'createdAt' }))).toEqual([a1.assignmentId, a2.assignmentId, a3.assignmentId]);
    expect(ids(await myAssignments(student, { status: 'submitted' }))).toEqual([a1.assignmentId]);
    expect(ids(await myAssignments(student, { status: 'not_started' }))).toEqual([a2.assignmentId, a3.assignmentId]);
    expect(ids(await myAssignments(student, { courseId: second.courseId }))).toEqual([a3.assignmentId]);
    expect(ids(await myAssignments(student, { status: 'graded' }))).toEqual([]);

    const page2 = await myAssignments(student, { limit: 2, page: 2 });
    expect(ids(page2)).toEqual([a3.assignmentId]);
    expect(page2.body.pagination).toEqual({ page: 2, limit: 2, totalCount: 3, totalPages: 2, hasNext: false, hasPrev: true });
    const page1 = await myAssignments(student, { limit: 2 });
    expect(page1.body.pagination).toMatchObject({ page: 1, totalCount: 3, hasNext: true, hasPrev: false });

    // another student sees none of these
    const other = await createStudent();
    expect((await myAssignments(other)).body.data).toEqual([]);
  });

  it('gives an instructor the assignments they manage with submission counts by status', async () => {
    const { instructor, course, assignment, student } = await setup({ title: 'Counted' });
    const second = await createStudent();
    await enroll(second, course.courseId);
    await submit(student, { assignmentId: assignment.assignmentId, submissionContent: 'x' });
    const extra = await createAssignment(instructor, course.courseId, { dueDate: undefined, title: 'Untouched' });
    const res = await myAssignments(instructor);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      {
        view: 'instructor',
        assignmentId: assignment.assignmentId,
        title: 'Counted',
        description: 'Do the thing',
        points: 100,
        dueDate: assignment.dueDate,
        createdAt: assignment.createdAt,
        course: { courseId: course.courseId, title: course.title, category: 'programming' },
        submissionCounts: { not_started: 1, in_progress: 0, submitted: 1, graded: 0 },
        totalSubmissions: 2,
      },
      expect.objectContaining({
        assignmentId: extra.assignmentId,
        submissionCounts: { not_started: 2, in_progress: 0, submitted: 0, graded: 0 },
      }),
    ]);
    expect(res.body.pagination.totalCount).toBe(2);
    const needsGrading = await myAssignments(instructor, { status: 'submitted' });
    expect(needsGrading.body.data.map((a: any) => a.assignmentId)).toEqual([assignment.assignmentId]);
    // another instructor manages none of them
    const stranger = await createInstructor();
    expect((await myAssignments(stranger)).body.data).toEqual([]);
  });

  it('validates the query (400) and needs a token (401)', async () => {
    const student = await createStudent();
    const res = await myAssignments(student, { status: 'done', sort: 'points', limit: 101, courseId: 'x' });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.details).sort()).toEqual([
      'querystring.courseId',
      'querystring.limit',
      'querystring.sort',
      'querystring.status',
    ]);
    expect((await api('GET', '/api/assignments')).status).toBe(401);
  });
});

describe('GET /api/assignments/:assignmentId', () => {
  it("shows an enrolled student the assignment with their own submission, and the instructor every submission", async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor, { category: 'art' });
    const lesson = await createLesson(instructor, course.courseId);
    const assignment = await createAssignment(instructor, course.courseId, {
      lessonId: lesson.lessonId,
      rubricUrl: 'https://example.com/rubric',
    });
    const student = await createStudent({ firstName: 'Ada', lastName: 'Zed' });
    const second = await createStudent({ firstName: 'Bob', lastName: 'Abe' });
    await enroll(student, course.courseId);
    await enroll(second, course.courseId);
    const workUrl = await uploadedFileUrl(student, 'work.pdf');
    const sent = await submit(student, {
      assignmentId: assignment.assignmentId,
      submissionContent: 'notes',
      fileUrl: workUrl,
      fileName: 'work.pdf',
    });
    expect(sent.status).toBe(201);

    const context = {
      assignmentId: assignment.assignmentId,
      courseId: course.courseId,
      lessonId: lesson.lessonId,
      title: assignment.title,
      description: 'Do the thing',
      points: 100,
      rubricUrl: 'https://example.com/rubric',
      createdAt: assignment.createdAt,
      dueDate: assignment.dueDate,
      course: { courseId: course.courseId, title: course.title, category: 'art' },
      lesson: { lessonId: lesson.lessonId, title: lesson.title, order: lesson.order },
    };
    const ownSubmission = {
      submissionId: sent.body.data.submissionId,
      startedAt: sent.body.data.submittedAt,
      endedAt: sent.body.data.submittedAt,
      submissionContent: 'notes',
      fileUrl: workUrl,
      fileName: 'work.pdf',
      assignedAt: expect.stringMatching(ISO),
      dueDate: assignment.dueDate,
      status: 'submitted',
      submittedAt: sent.body.data.submittedAt,
      isLate: false,
    };
    const asStudent = await details(student, assignment.assignmentId);
    expect(asStudent.status).toBe(200);
    expect(asStudent.body).toEqual({ data: { ...context, submission: ownSubmission } });

    const asInstructor = await details(instructor, assignment.assignmentId);
    expect(asInstructor.status).toBe(200);
    expect(asInstructor.body.data).toEqual({
      ...context,
      submissions: [
        {
          submissionId: expect.stringMatching(UUID),
          studentId: second.id,
          student: { firstName: 'Bob', lastName: 'Abe', username: second.username },
          assignedAt: expect.stringMatching(ISO),
          dueDate: assignment.dueDate,
          status: 'not_started',
          isLate: false,
        },
        { ...ownSubmission, studentId: student.id, student: { firstName: 'Ada', lastName: 'Zed', username: student.username } },
      ],
    });
    const asAdmin = await details(await signInAdmin(), assignment.assignmentId);
    expect(asAdmin.body.data.submissions).toHaveLength(2);
  });

  it('refuses students not enrolled and instructors of other courses (403)', async () => {
    const { assignment } = await setup();
    const outsider = await createStudent();
    const notEnrolled = await details(outsider, assignment.assignmentId);
    expect(notEnrolled.status).toBe(403);
    expect(notEnrolled.body.code).toBe('NOT_ENROLLED');
    const stranger = await details(await createInstructor(), assignment.assignmentId);
    expect(stranger.status).toBe(403);
    expect(stranger.body.code).toBe('FORBIDDEN');
  });

  it('answers 404 for an unknown assignment, 400 for a malformed id and 401 without a token', async () => {
    const { assignment, student } = await setup();
    const unknown = await details(student, randomUUID());
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('ASSIGNMENT_NOT_FOUND');
    const malformed = await details(student, 'abc');
    expect(malformed.status).toBe(400);
    expect(Object.keys(malformed.body.details)).toEqual(['params.assignmentId']);
    expect((await api('GET', `/api/assignments/${assignment.assignmentId}`)).status).toBe(401);
  });
});

describe('POST /api/assignments/submit', () => {
  it("submits with the spec's response and the state shows it everywhere", async () => {
    const { instructor, assignment, student } = await setup();
    const answerUrl = await uploadedFileUrl(student, 'answer.pdf');
    const before = Date.now();
    const res = await submit(student, {
      assignmentId: assignment.assignmentId,
      studentId: student.id,
      fileUrl: answerUrl,
      rubricUrl: 'https://example.com/rubric.pdf',
      fileName: 'answer.pdf',
      submissionContent: 'See the attached file',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      message: 'Assignment submitted successfully',
      data: {
        submissionId: expect.stringMatching(UUID),
        assignmentId: assignment.assignmentId,
        studentId: student.id,
        status: 'submitted',
        submittedAt: expect.stringMatching(ISO),
        fileUrl: answerUrl,
        rubricUrl: 'https://example.com/rubric.pdf',
        fileName: 'answer.pdf',
        submissionContent: 'See the attached file',
        isLate: false,
        dueDate: assignment.dueDate,
      },
    });
    expect(new Date(res.body.data.submittedAt).getTime()).toBeGreaterThanOrEqual(before - 1000);

    const own = await details(student, assignment.assignmentId);
    expect(own.body.data.submission).toMatchObject({ submissionId: res.body.data.submissionId, status: 'submitted' });
    const staff = await details(instructor, assignment.assignmentId);
    expect(staff.body.data.submissions).toEqual([
      expect.objectContaining({ studentId: student.id, status: 'submitted', fileName: 'answer.pdf' }),
    ]);
    expect((await myAssignments(student)).body.data[0].status).toBe('submitted');
  });

  it('keeps the keys of the spec present, null where the student gave none', async () => {
    const { assignment, student } = await setup({ dueDate: undefined });
    const res = await submit(student, { assignmentId: assignment.assignmentId, submissionContent: 'just text' });
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({
      submissionId: expect.stringMatching(UUID),
      assignmentId: assignment.assignmentId,
      studentId: student.id,
      status: 'submitted',
      submittedAt: expect.stringMatching(ISO),
      fileUrl: null,
      rubricUrl: null,
      submissionContent: 'just text',
      isLate: false,
    });
  });

  it('updates the same row on resubmission before grading', async () => {
    const { instructor, assignment, student } = await setup();
    const first = await submit(student, { assignmentId: assignment.assignmentId, submissionContent: 'draft' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const finalUrl = await uploadedFileUrl(student, 'final.zip');
    const second = await submit(student, { assignmentId: assignment.assignmentId, fileUrl: finalUrl });
    expect(second.status).toBe(201);
    expect(second.body.data.submissionId).toBe(first.body.data.submissionId);
    expect(second.body.data.fileUrl).toBe(finalUrl);
    expect(second.body.data.submissionContent).toBeUndefined();
    expect(new Date(second.body.data.submittedAt).getTime()).toBeGreaterThan(new Date(first.body.data.submittedAt).getTime());
    const staff = await details(instructor, assignment.assignmentId);
    expect(staff.body.data.submissions).toHaveLength(1);
    const [row] = staff.body.data.submissions;
    // started at the first submission, ended at the last
    expect(row.startedAt).toBe(first.body.data.submittedAt);
    expect(row.endedAt).toBe(second.body.data.submittedAt);
    expect(row.submissionContent).toBeUndefined();
  });

  it('accepts late work and flags it', async () => {
    const { instructor, assignment, student } = await setup({ dueDate: inDays(-1) });
    const res = await submit(student, { assignmentId: assignment.assignmentId, submissionContent: 'sorry' });
    expect(res.status).toBe(201);
    expect(res.body.data.isLate).toBe(true);
    expect(res.body.data.dueDate).toBe(assignment.dueDate);
    const staff = await details(instructor, assignment.assignmentId);
    expect(staff.body.data.submissions[0].isLate).toBe(true);
    expect((await myAssignments(student)).body.data[0].isLate).toBe(true);
  });

  it('validates the body: content or file required, URLs, sizes', async () => {
    const { assignment, student } = await setup();
    const neither = await submit(student, { assignmentId: assignment.assignmentId });
    expect(neither.status).toBe(400);
    expect(neither.body.code).toBe('VALIDATION_ERROR');
    expect(neither.body.details).toEqual({ 'body.submissionContent': 'submissionContent or fileUrl is required' });
    const blank = await submit(student, { assignmentId: assignment.assignmentId, submissionContent: '   ' });
    expect(blank.status).toBe(400);
    const bad = await submit(student, {
      assignmentId: 'x',
      fileUrl: 'ftp://files.example.com/a',
      rubricUrl: 'not a url',
      submissionContent: 'y'.repeat(20001),
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.details).sort()).toEqual([
      'body.assignmentId',
      'body.fileUrl',
      'body.rubricUrl',
      'body.submissionContent',
    ]);
    // nothing was submitted
    expect((await details(student, assignment.assignmentId)).body.data.submission.status).toBe('not_started');
  });

  it('refuses students not enrolled (403 NOT_ENROLLED), another student id (403), instructors (403) and no token (401)', async () => {
    const { instructor, assignment, student } = await setup();
    const outsider = await createStudent();
    const notEnrolled = await submit(outsider, { assignmentId: assignment.assignmentId, submissionContent: 'x' });
    expect(notEnrolled.status).toBe(403);
    expect(notEnrolled.body.code).toBe('NOT_ENROLLED');

    const classmate = await createStudent();
    const forOther = await submit(classmate, {
      assignmentId: assignment.assignmentId,
      studentId: student.id,
      submissionContent: 'impersonation',
    });
    expect(forOther.status).toBe(403);
    expect(forOther.body.code).toBe('FORBIDDEN');

    const byInstructor = await submit(instructor, { assignmentId: assignment.assignmentId, submissionContent: 'x' });
    expect(byInstructor.status).toBe(403);
    const anonymous = await api('POST', '/api/assignments/submit', {
      body: { assignmentId: assignment.assignmentId, submissionContent: 'x' },
    });
    expect(anonymous.status).toBe(401);
    // the real student's row is untouched
    const own = await details(student, assignment.assignmentId);
    expect(own.body.data.submission.status).toBe('not_started');
  });

  it('answers 404 for an unknown assignment', async () => {
    const student = await createStudent();
    const res = await submit(student, { assignmentId: randomUUID(), submissionContent: 'x' });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('ASSIGNMENT_NOT_FOUND');
  });

  it('awards early_bird at the third submission made a day or more before the due date', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const early = [];
    for (let i = 0; i < 3; i++) early.push(await createAssignment(instructor, course.courseId, { dueDate: inDays(5) }));
    const student = await createStudent();
    await enroll(student, course.courseId);
    const submittedAt: string[] = [];
    for (const assignment of early) {
      const res = await submit(student, { assignmentId: assignment.assignmentId, submissionContent: 'early' });
      submittedAt.push(res.body.data.submittedAt);
    }
    const badges = await api('GET', `/api/achievements/${student.id}`, { token: student.token });
    expect(badges.status).toBe(200);
    const earlyBird = badges.body.data.achievements.find((a: any) => a.badgeType === 'early_bird');
    // earned by the submission itself, not later when the badges were read
    expect(earlyBird?.earnedAt).toBe(submittedAt[2]);
  });

  it('turns concurrent submissions into one row without errors', async () => {
    const { instructor, assignment, student } = await setup();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        submit(student, { assignmentId: assignment.assignmentId, submissionContent: `attempt ${i} ${uniqueSuffix()}` }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(201));
    expect(new Set(results.map((r) => r.body.data.submissionId)).size).toBe(1);
    const staff = await details(instructor, assignment.assignmentId);
    expect(staff.body.data.submissions).toHaveLength(1);
    expect(staff.body.data.submissions[0].status).toBe('submitted');
  });
});
