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
} from './support/api.js';
import {
  bulkGrade,
  getFeedback,
  getRubric,
  gradeSubmission,
  gradingSetup,
  ISO,
  listSubmissions,
  sampleRubric,
  setRubric,
  submissionIdOf,
  submitWork,
  UUID,
} from './support/grading.js';

const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

const getAssignment = (user: TestUser, id: string, headers: Record<string, string> = {}) =>
  api('GET', `/api/assignments/${id}`, { token: user.token, headers });
const putAssignment = (user: TestUser | undefined, id: string, body: unknown, headers: Record<string, string> = {}) =>
  api('PUT', `/api/assignments/${id}`, { token: user?.token, body, headers });
const deleteAssignment = (user: TestUser | undefined, id: string, headers: Record<string, string> = {}) =>
  api('DELETE', `/api/assignments/${id}`, { token: user?.token, headers });

describe('PUT /api/assignments/:assignmentId', () => {
  it('updates the fields sent, answers the full assignment with a new ETag, and the state shows it', async () => {
    const { instructor, course, assignment } = await gradingSetup({ students: 0 });
    const lesson = await createLesson(instructor, course.courseId);
    const dueDate = inDays(10);
    const res = await putAssignment(instructor, assignment.assignmentId, {
      title: '  Parser, second edition ',
      description: 'Now with error recovery',
      points: 80,
      dueDate,
      rubricUrl: 'https://example.com/rubric-v2.pdf',
      lessonId: lesson.lessonId,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Assignment updated successfully',
      data: {
        assignmentId: assignment.assignmentId,
        courseId: course.courseId,
        lessonId: lesson.lessonId,
        title: 'Parser, second edition',
        description: 'Now with error recovery',
        points: 80,
        dueDate,
        rubricUrl: 'https://example.com/rubric-v2.pdf',
        createdAt: assignment.createdAt,
        updatedAt: expect.stringMatching(ISO),
      },
    });
    expect(res.body.data.updatedAt > assignment.updatedAt).toBe(true);
    expect(res.headers.get('etag')).toMatch(/^"v\d+\./);

    const read = await getAssignment(instructor, assignment.assignmentId);
    expect(read.body.data).toMatchObject({
      title: 'Parser, second edition',
      points: 80,
      dueDate,
      lessonId: lesson.lessonId,
      lesson: { lessonId: lesson.lessonId, title: lesson.title, order: lesson.order },
    });
    // GET and PUT carry the same version
    expect(read.headers.get('etag')!.split('.')[0]).toBe(res.headers.get('etag')!.split('.')[0]);

    // null clears the optional fields
    const cleared = await putAssignment(instructor, assignment.assignmentId, { lessonId: null, dueDate: null, rubricUrl: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.data.lessonId).toBeUndefined();
    expect(cleared.body.data.dueDate).toBeUndefined();
    expect(cleared.body.data.rubricUrl).toBeUndefined();
    const again = await getAssignment(instructor, assignment.assignmentId);
    expect(again.body.data.lesson).toBeUndefined();
    expect(again.body.data.dueDate).toBeUndefined();
  });

  it('moves the due date of submissions not yet handed in, and only those', async () => {
    const { instructor, assignment, students } = await gradingSetup({ students: 2, submitted: 1 });
    const [handedIn, waiting] = students as [TestUser, TestUser];
    const before = await getAssignment(instructor, assignment.assignmentId);
    const oldDue = before.body.data.dueDate;
    const newDue = inDays(21);
    expect((await putAssignment(instructor, assignment.assignmentId, { dueDate: newDue })).status).toBe(200);

    const after = await getAssignment(instructor, assignment.assignmentId);
    const byStudent = new Map(after.body.data.submissions.map((s: { studentId: string }) => [s.studentId, s]));
    expect(byStudent.get(waiting.id)).toMatchObject({ status: 'not_started', dueDate: newDue });
    expect(byStudent.get(handedIn.id)).toMatchObject({ status: 'submitted', dueDate: oldDue });
    const mine = await api('GET', '/api/assignments', { token: waiting.token });
    expect(mine.body.data[0]).toMatchObject({ assignmentId: assignment.assignmentId, dueDate: newDue });
  });

  it('validates the body field by field, and a lesson of another course', async () => {
    const { instructor, assignment } = await gradingSetup({ students: 0 });
    const other = await createCourse(instructor);
    const foreignLesson = await createLesson(instructor, other.courseId);
    const cases: [unknown, string][] = [
      [{}, 'body'],
      [{ title: '   ' }, 'body.title'],
      [{ points: 0 }, 'body.points'],
      [{ points: 2.5 }, 'body.points'],
      [{ dueDate: 'next friday' }, 'body.dueDate'],
      [{ rubricUrl: 'ftp://example.com/r' }, 'body.rubricUrl'],
      [{ lessonId: 'nope' }, 'body.lessonId'],
      [{ lessonId: foreignLesson.lessonId }, 'body.lessonId'],
    ];
    for (const [body, field] of cases) {
      const res = await putAssignment(instructor, assignment.assignmentId, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_ERROR', requestId: expect.any(String) });
      expect(Object.keys(res.body.details)).toContain(field);
    }
    const unchanged = await getAssignment(instructor, assignment.assignmentId);
    expect(unchanged.body.data).toMatchObject({ title: assignment.title, points: 100 });
    expect(unchanged.body.data.lessonId).toBeUndefined();
  });

  it('refuses points below a grade already given (400) and accepts them down to that grade', async () => {
    const { instructor, assignment, submission } = await gradingSetup();
    expect((await gradeSubmission(instructor, assignment.assignmentId, { submissionId: submission!.submissionId, grade: 75, feedback: 'ok' })).status).toBe(200);
    const low = await putAssignment(instructor, assignment.assignmentId, { points: 74 });
    expect(low.status).toBe(400);
    expect(low.body.code).toBe('VALIDATION_ERROR');
    expect(low.body.details['body.points']).toMatch(/at least 75/);
    expect((await getAssignment(instructor, assignment.assignmentId)).body.data.points).toBe(100);
    const fit = await putAssignment(instructor, assignment.assignmentId, { points: 75 });
    expect(fit.status).toBe(200);
    expect(fit.body.data.points).toBe(75);
  });

  it('refuses points that no longer match the rubric total until the rubric is removed', async () => {
    const { instructor, assignment } = await gradingSetup({ students: 0 });
    expect((await setRubric(instructor, assignment.assignmentId, sampleRubric())).status).toBe(200);
    const res = await putAssignment(instructor, assignment.assignmentId, { points: 120 });
    expect(res.status).toBe(400);
    expect(res.body.details['body.points']).toMatch(/rubric total of 100/);
    expect((await setRubric(instructor, assignment.assignmentId, [])).status).toBe(200);
    expect((await putAssignment(instructor, assignment.assignmentId, { points: 120 })).status).toBe(200);
  });

  it('honours If-Match: the current ETag passes, a stale one gets 412 with the current assignment', async () => {
    const { instructor, assignment } = await gradingSetup({ students: 0 });
    const read = await getAssignment(instructor, assignment.assignmentId);
    const etag = read.headers.get('etag')!;
    expect(etag).toMatch(/^"v\d+\.[\w-]+"$/);
    expect((await getAssignment(instructor, assignment.assignmentId, { 'if-none-match': etag })).status).toBe(304);

    const first = await putAssignment(instructor, assignment.assignmentId, { title: 'First edit' }, { 'if-match': etag });
    expect(first.status).toBe(200);

    const stale = await putAssignment(instructor, assignment.assignmentId, { title: 'Lost update' }, { 'if-match': etag });
    expect(stale.status).toBe(412);
    expect(stale.body).toEqual({
      error: expect.stringMatching(/changed by someone else/),
      status: 412,
      code: 'PRECONDITION_FAILED',
      requestId: expect.any(String),
      current: first.body.data,
    });
    expect((await getAssignment(instructor, assignment.assignmentId)).body.data.title).toBe('First edit');

    // the 412 carries the current ETag: retrying with it succeeds, as does `*`
    const retry = await putAssignment(instructor, assignment.assignmentId, { title: 'Merged edit' }, { 'if-match': stale.headers.get('etag')! });
    expect(retry.status).toBe(200);
    expect((await putAssignment(instructor, assignment.assignmentId, { points: 90 }, { 'if-match': '*' })).status).toBe(200);
    // a weak tag never matches
    const weak = await putAssignment(instructor, assignment.assignmentId, { points: 95 }, { 'if-match': `W/${retry.headers.get('etag')}` });
    expect(weak.status).toBe(412);
  });

  it('is for the course instructor and admins only: 401, 403 for students and other instructors, 404', async () => {
    const { instructor, assignment, student } = await gradingSetup();
    const stranger = await createInstructor();
    const admin = await signInAdmin();
    expect((await putAssignment(undefined, assignment.assignmentId, { title: 'x' })).status).toBe(401);
    const byStudent = await putAssignment(student, assignment.assignmentId, { title: 'x' });
    expect(byStudent.status).toBe(403);
    expect(byStudent.body.code).toBe('FORBIDDEN');
    expect((await putAssignment(stranger, assignment.assignmentId, { title: 'x' })).status).toBe(403);
    expect((await putAssignment(instructor, randomUUID(), { title: 'x' })).body.code).toBe('ASSIGNMENT_NOT_FOUND');
    expect((await putAssignment(instructor, 'not-an-id', { title: 'x' })).status).toBe(400);
    expect((await getAssignment(instructor, assignment.assignmentId)).body.data.title).toBe(assignment.title);
    const byAdmin = await putAssignment(admin, assignment.assignmentId, { title: 'Set by admin' });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.data.title).toBe('Set by admin');
  });
});

describe('DELETE /api/assignments/:assignmentId', () => {
  it('deletes the assignment with its submissions and grades', async () => {
    const { instructor, assignment, student, submission } = await gradingSetup();
    await gradeSubmission(instructor, assignment.assignmentId, { submissionId: submission!.submissionId, grade: 50, feedback: 'half' });
    const res = await deleteAssignment(instructor, assignment.assignmentId);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Assignment deleted successfully' });
    expect((await getAssignment(instructor, assignment.assignmentId)).status).toBe(404);
    expect((await getFeedback(student, assignment.assignmentId)).status).toBe(404);
    const mine = await api('GET', '/api/assignments', { token: student.token });
    expect(mine.body.data).toEqual([]);
    expect((await deleteAssignment(instructor, assignment.assignmentId)).status).toBe(404);
  });

  it('completes the course for students whose only work left it was', async () => {
    const { instructor, course, assignment, student } = await gradingSetup({ submitted: 0 });
    const second = await createAssignment(instructor, course.courseId, { points: 10 });
    await submitWork(student, second.assignmentId);
    const progress = async () => (await api('GET', `/api/courses/${course.courseId}/progress`, { token: student.token })).body.data.progress;
    expect(await progress()).toMatchObject({ totalAssignments: 2, completionPercentage: 50 });

    expect((await deleteAssignment(instructor, assignment.assignmentId)).status).toBe(200);
    expect(await progress()).toMatchObject({ totalAssignments: 1, completionPercentage: 100 });
    const badges = await api('GET', `/api/achievements/${student.id}`, { token: student.token });
    expect(badges.body.data.achievements.map((a: { badgeType: string }) => a.badgeType)).toContain('course_completer');
  });

  it('refuses a stale If-Match (412) and deletes nothing', async () => {
    const { instructor, assignment } = await gradingSetup({ students: 0 });
    const etag = (await getAssignment(instructor, assignment.assignmentId)).headers.get('etag')!;
    await putAssignment(instructor, assignment.assignmentId, { title: 'Edited meanwhile' });
    const res = await deleteAssignment(instructor, assignment.assignmentId, { 'if-match': etag });
    expect(res.status).toBe(412);
    expect(res.body.current).toMatchObject({ assignmentId: assignment.assignmentId, title: 'Edited meanwhile' });
    expect((await getAssignment(instructor, assignment.assignmentId)).status).toBe(200);
  });

  it('answers 401 without a token, 403 to students and other instructors, and lets an admin delete', async () => {
    const { assignment, student } = await gradingSetup();
    const stranger = await createInstructor();
    const admin = await signInAdmin();
    expect((await deleteAssignment(undefined, assignment.assignmentId)).status).toBe(401);
    expect((await deleteAssignment(student, assignment.assignmentId)).status).toBe(403);
    expect((await deleteAssignment(stranger, assignment.assignmentId)).status).toBe(403);
    expect((await getAssignment(admin, assignment.assignmentId)).status).toBe(200);
    expect((await deleteAssignment(admin, assignment.assignmentId)).status).toBe(200);
    expect((await getAssignment(admin, assignment.assignmentId)).status).toBe(404);
  });
});

describe('POST /api/assignments with concurrent enrolments', () => {
  it('gives every student enrolled at the same time a row for every assignment created at the same time', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const students = await Promise.all([createStudent(), createStudent(), createStudent(), createStudent()]);
    const [, ...created] = await Promise.all([
      Promise.all(students.map((s) => enroll(s, course.courseId))),
      createAssignment(instructor, course.courseId),
      createAssignment(instructor, course.courseId),
      createAssignment(instructor, course.courseId),
    ]);
    for (const assignment of created) {
      const read = await getAssignment(instructor, assignment.assignmentId);
      const ids = read.body.data.submissions.map((s: { studentId: string }) => s.studentId).sort();
      expect(ids).toEqual(students.map((s) => s.id).sort());
    }
  });
});

describe('POST/GET /api/assignments/:assignmentId/rubric', () => {
  it('stores the rubric, shows it to course staff and enrolled students, and replaces it', async () => {
    const { instructor, assignment, student } = await gradingSetup();
    const res = await setRubric(instructor, assignment.assignmentId, sampleRubric());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Rubric saved successfully',
      data: {
        assignmentId: assignment.assignmentId,
        totalPoints: 100,
        updatedAt: expect.stringMatching(ISO),
        criteria: [
          {
            criterionId: expect.stringMatching(UUID),
            title: 'Correctness',
            description: 'Does it work?',
            maxPoints: 60,
            levels: [
              { levelId: expect.stringMatching(UUID), title: 'Broken', points: 0 },
              { levelId: expect.stringMatching(UUID), title: 'Partly', points: 30 },
              { levelId: expect.stringMatching(UUID), title: 'Complete', description: 'Every case passes', points: 60 },
            ],
          },
          {
            criterionId: expect.stringMatching(UUID),
            title: 'Style',
            maxPoints: 40,
            levels: [
              { levelId: expect.stringMatching(UUID), title: 'Messy', points: 0 },
              { levelId: expect.stringMatching(UUID), title: 'Readable', points: 20 },
              { levelId: expect.stringMatching(UUID), title: 'Exemplary', points: 40 },
            ],
          },
        ],
      },
    });
    const byStudent = await getRubric(student, assignment.assignmentId);
    expect(byStudent.status).toBe(200);
    expect(byStudent.body.data).toEqual(res.body.data);
    expect((await getRubric(await signInAdmin(), assignment.assignmentId)).body.data).toEqual(res.body.data);

    const replaced = await setRubric(instructor, assignment.assignmentId, [
      { title: 'Everything', levels: [{ title: 'No', points: 0 }, { title: 'Yes', points: 100 }] },
    ]);
    expect(replaced.status).toBe(200);
    const read = await getRubric(instructor, assignment.assignmentId);
    expect(read.body.data.criteria).toHaveLength(1);
    expect(read.body.data.criteria[0]).toMatchObject({ title: 'Everything', maxPoints: 100 });
    expect(read.body.data.criteria[0].criterionId).not.toBe(res.body.data.criteria[0].criterionId);
  });

  it("refuses a rubric whose highest levels do not add up to the assignment's points (400), keeping the old one", async () => {
    const { instructor, assignment } = await gradingSetup({ students: 0 });
    await setRubric(instructor, assignment.assignmentId, sampleRubric());
    const short = sampleRubric();
    short[1]!.levels[2]!.points = 35;
    const res = await setRubric(instructor, assignment.assignmentId, short);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_ERROR', details: { 'body.criteria': expect.stringMatching(/add up to 95/) } });
    const read = await getRubric(instructor, assignment.assignmentId);
    expect(read.body.data.totalPoints).toBe(100);
    expect(read.body.data.criteria.map((c: { title: string }) => c.title)).toEqual(['Correctness', 'Style']);
  });

  it('validates criteria and levels', async () => {
    const { instructor, assignment } = await gradingSetup({ students: 0 });
    const cases: [unknown, string][] = [
      [{ title: 'No levels', levels: [] }, 'body.criteria.0.levels'],
      [{ title: '', levels: [{ title: 'A', points: 100 }] }, 'body.criteria.0.title'],
      [{ title: 'Neg', levels: [{ title: 'A', points: -1 }] }, 'body.criteria.0.levels.0.points'],
      [{ title: 'Frac', levels: [{ title: 'A', points: 99.5 }] }, 'body.criteria.0.levels.0.points'],
      [{ title: 'Untitled level', levels: [{ points: 100 }] }, 'body.criteria.0.levels.0.title'],
    ];
    for (const [criterion, field] of cases) {
      const res = await setRubric(instructor, assignment.assignmentId, [criterion]);
      expect(res.status, field).toBe(400);
      expect(Object.keys(res.body.details)).toContain(field);
    }
    expect((await api('POST', `/api/assignments/${assignment.assignmentId}/rubric`, { token: instructor.token, body: {} })).status).toBe(400);
    expect((await getRubric(instructor, assignment.assignmentId)).status).toBe(404);
  });

  it('removes the rubric with criteria: [], after which GET answers 404 RUBRIC_NOT_FOUND', async () => {
    const { instructor, assignment } = await gradingSetup({ students: 0 });
    expect((await getRubric(instructor, assignment.assignmentId)).body.code).toBe('RUBRIC_NOT_FOUND');
    await setRubric(instructor, assignment.assignmentId, sampleRubric());
    const removed = await setRubric(instructor, assignment.assignmentId, []);
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({
      message: 'Rubric removed successfully',
      data: { assignmentId: assignment.assignmentId, totalPoints: 0, criteria: [] },
    });
    const read = await getRubric(instructor, assignment.assignmentId);
    expect(read.status).toBe(404);
    expect(read.body.code).toBe('RUBRIC_NOT_FOUND');
  });

  it('lets only course staff set it, and only staff and enrolled students read it', async () => {
    const { assignment, student } = await gradingSetup();
    const stranger = await createInstructor();
    const outsider = await createStudent();
    expect((await api('POST', `/api/assignments/${assignment.assignmentId}/rubric`, { body: { criteria: sampleRubric() } })).status).toBe(401);
    expect((await setRubric(student, assignment.assignmentId, sampleRubric())).status).toBe(403);
    expect((await setRubric(stranger, assignment.assignmentId, sampleRubric())).status).toBe(403);
    expect((await setRubric(stranger, randomUUID(), sampleRubric())).status).toBe(404);
    expect((await getRubric(student, assignment.assignmentId)).status).toBe(404);

    const admin = await signInAdmin();
    expect((await setRubric(admin, assignment.assignmentId, sampleRubric())).status).toBe(200);
    expect((await api('GET', `/api/assignments/${assignment.assignmentId}/rubric`)).status).toBe(401);
    const notEnrolled = await getRubric(outsider, assignment.assignmentId);
    expect(notEnrolled.status).toBe(403);
    expect(notEnrolled.body.code).toBe('NOT_ENROLLED');
    expect((await getRubric(stranger, assignment.assignmentId)).status).toBe(403);
    expect((await getRubric(student, randomUUID())).status).toBe(404);
  });
});

describe('POST /api/assignments/:assignmentId/grade', () => {
  it('grades a submitted submission: full response, status graded, and the state everywhere shows it', async () => {
    const { instructor, assignment, student, submission } = await gradingSetup();
    const res = await gradeSubmission(instructor, assignment.assignmentId, {
      submissionId: submission!.submissionId,
      grade: 87.5,
      feedback: 'Solid work; watch the edge cases.',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Submission graded successfully',
      data: {
        submissionId: submission!.submissionId,
        assignmentId: assignment.assignmentId,
        studentId: student.id,
        student: { firstName: student.firstName, lastName: student.lastName, username: student.username },
        status: 'graded',
        grade: 87.5,
        feedback: 'Solid work; watch the edge cases.',
        submissionContent: 'my work',
        startedAt: expect.stringMatching(ISO),
        endedAt: expect.stringMatching(ISO),
        assignedAt: expect.stringMatching(ISO),
        dueDate: assignment.dueDate,
        submittedAt: submission!.submittedAt,
        isLate: false,
        gradedAt: expect.stringMatching(ISO),
        gradedBy: instructor.id,
      },
    });

    const own = await getAssignment(student, assignment.assignmentId);
    expect(own.body.data.submission).toMatchObject({ status: 'graded', grade: 87.5, feedback: 'Solid work; watch the edge cases.' });
    const mine = await api('GET', '/api/assignments', { token: student.token });
    expect(mine.body.data[0]).toMatchObject({ status: 'graded', grade: 87.5 });
    // graded work can no longer be resubmitted by the student
    const resubmit = await api('POST', '/api/assignments/submit', {
      token: student.token,
      body: { assignmentId: assignment.assignmentId, submissionContent: 'late fix' },
    });
    expect(resubmit.status).toBe(409);
  });

  it('computes the grade from rubric scores (levels or points), keeping the criterion and level titles', async () => {
    const { instructor, assignment, student, submission } = await gradingSetup();
    const rubric = (await setRubric(instructor, assignment.assignmentId, sampleRubric())).body.data;
    const [correctness, style] = rubric.criteria;
    const res = await gradeSubmission(instructor, assignment.assignmentId, {
      submissionId: submission!.submissionId,
      feedback: 'See the rubric',
      rubricScores: [
        { criterionId: style.criterionId, points: 25.5 },
        { criterionId: correctness.criterionId, levelId: correctness.levels[2].levelId },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.data.grade).toBe(85.5);
    expect(res.body.data.rubricScores).toEqual([
      {
        criterionId: correctness.criterionId,
        criterionTitle: 'Correctness',
        levelId: correctness.levels[2].levelId,
        levelTitle: 'Complete',
        points: 60,
        maxPoints: 60,
      },
      { criterionId: style.criterionId, criterionTitle: 'Style', points: 25.5, maxPoints: 40 },
    ]);
    const feedback = await getFeedback(student, assignment.assignmentId);
    expect(feedback.body.data).toMatchObject({ grade: 85.5, rubricScores: res.body.data.rubricScores });

    // a grade sent alongside must equal the rubric total
    const matching = await gradeSubmission(instructor, assignment.assignmentId, {
      submissionId: submission!.submissionId,
      grade: 50,
      feedback: 'ok',
      rubricScores: [
        { criterionId: correctness.criterionId, levelId: correctness.levels[1].levelId },
        { criterionId: style.criterionId, levelId: style.levels[1].levelId },
      ],
    });
    expect(matching.status).toBe(200);
    expect(matching.body.data.grade).toBe(50);
    const mismatch = await gradeSubmission(instructor, assignment.assignmentId, {
      submissionId: submission!.submissionId,
      grade: 90,
      feedback: 'no',
      rubricScores: [
        { criterionId: correctness.criterionId, levelId: correctness.levels[1].levelId },
        { criterionId: style.criterionId, levelId: style.levels[1].levelId },
      ],
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.details['body.grade']).toMatch(/sum of the rubric scores \(50\)/);
    expect((await getFeedback(student, assignment.assignmentId)).body.data.grade).toBe(50);
  });

  it('refuses rubric scores that do not fit the rubric (400) and writes nothing', async () => {
    const { instructor, assignment, student, submission } = await gradingSetup();
    const noRubric = await gradeSubmission(instructor, assignment.assignmentId, {
      submissionId: submission!.submissionId,
      feedback: '',
      rubricScores: [{ criterionId: randomUUID(), points: 1 }],
    });
    expect(noRubric.status).toBe(400);
    expect(noRubric.body.details['body.rubricScores']).toMatch(/no rubric/);

    const rubric = (await setRubric(instructor, assignment.assignmentId, sampleRubric())).body.data;
    const [correctness, style] = rubric.criteria;
    const cases: [unknown[], string][] = [
      [[{ criterionId: correctness.criterionId, points: 60 }], 'body.rubricScores'],
      [[{ criterionId: correctness.criterionId, points: 61 }, { criterionId: style.criterionId, points: 0 }], 'body.rubricScores.0.points'],
      [[{ criterionId: correctness.criterionId, levelId: style.levels[0].levelId }, { criterionId: style.criterionId, points: 0 }], 'body.rubricScores.0.levelId'],
      [[{ criterionId: randomUUID(), points: 1 }, { criterionId: style.criterionId, points: 0 }], 'body.rubricScores.0.criterionId'],
      [[{ criterionId: style.criterionId, points: 1 }, { criterionId: style.criterionId, points: 2 }], 'body.rubricScores.1.criterionId'],
      [[{ criterionId: style.criterionId, points: 1, levelId: style.levels[0].levelId }], 'body.rubricScores.0.levelId'],
      [[{ criterionId: style.criterionId }], 'body.rubricScores.0.levelId'],
    ];
    for (const [rubricScores, field] of cases) {
      const res = await gradeSubmission(instructor, assignment.assignmentId, { submissionId: submission!.submissionId, feedback: '', rubricScores });
      expect(res.status, field).toBe(400);
      expect(Object.keys(res.body.details), JSON.stringify(res.body)).toContain(field);
    }
    const feedback = await getFeedback(student, assignment.assignmentId);
    expect(feedback.body.data).toMatchObject({ status: 'submitted', history: [] });
    expect(feedback.body.data.grade).toBeUndefined();
  });

  it('accepts grades from 0 to the points and refuses anything outside (400)', async () => {
    const { instructor, assignment, student, submission } = await gradingSetup({ points: 40 });
    const submissionId = submission!.submissionId;
    for (const grade of [-1, 40.01, 41, '30', null]) {
      const res = await gradeSubmission(instructor, assignment.assignmentId, { submissionId, grade, feedback: 'x' });
      expect(res.status, String(grade)).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
      expect(Object.keys(res.body.details)).toContain('body.grade');
    }
    const missing = await gradeSubmission(instructor, assignment.assignmentId, { submissionId, feedback: 'x' });
    expect(missing.status).toBe(400);
    expect(missing.body.details['body.grade']).toMatch(/grade or rubricScores/);
    const noFeedback = await gradeSubmission(instructor, assignment.assignmentId, { submissionId, grade: 10 });
    expect(noFeedback.body.details).toHaveProperty('body.feedback');
    expect((await gradeSubmission(instructor, assignment.assignmentId, { grade: 10, feedback: '' })).body.details).toHaveProperty(
      'body.submissionId',
    );
    expect((await getFeedback(student, assignment.assignmentId)).body.data.history).toEqual([]);

    expect((await gradeSubmission(instructor, assignment.assignmentId, { submissionId, grade: 0, feedback: '' })).body.data.grade).toBe(0);
    const full = await gradeSubmission(instructor, assignment.assignmentId, { submissionId, grade: 40, feedback: 'Perfect' });
    expect(full.status).toBe(200);
    expect(full.body.data.grade).toBe(40);
    // full marks earn perfect_score
    const badges = await api('GET', `/api/achievements/${student.id}`, { token: student.token });
    expect(badges.body.data.achievements.map((a: { badgeType: string }) => a.badgeType)).toContain('perfect_score');
  });

  it('awards high_scorer once three graded assignments average 90% or more', async () => {
    const { instructor, course, assignment, student, submission } = await gradingSetup();
    const more = [await createAssignment(instructor, course.courseId), await createAssignment(instructor, course.courseId)];
    const handedIn = [submission!, ...(await Promise.all(more.map((a) => submitWork(student, a.assignmentId))))];
    const ids = [assignment.assignmentId, ...more.map((a) => a.assignmentId)];
    const badgesOf = async () =>
      (await api('GET', `/api/achievements/${student.id}`, { token: student.token })).body.data.achievements.map(
        (a: { badgeType: string }) => a.badgeType,
      );
    for (const i of [0, 1]) {
      await gradeSubmission(instructor, ids[i]!, { submissionId: handedIn[i]!.submissionId, grade: 92, feedback: '' });
    }
    expect(await badgesOf()).not.toContain('high_scorer');
    await gradeSubmission(instructor, ids[2]!, { submissionId: handedIn[2]!.submissionId, grade: 90, feedback: '' });
    expect(await badgesOf()).toContain('high_scorer');
    expect(await badgesOf()).not.toContain('perfect_score');
  });

  it('refuses work not yet submitted (409 NOT_SUBMITTED) and submissions of other assignments (404)', async () => {
    const { instructor, course, assignment, students } = await gradingSetup({ students: 2, submitted: 1 });
    const notStartedId = await submissionIdOf(instructor, assignment.assignmentId, students[1]!.id);
    const res = await gradeSubmission(instructor, assignment.assignmentId, { submissionId: notStartedId, grade: 10, feedback: 'x' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'NOT_SUBMITTED', error: expect.stringMatching(/not_started/) });
    const listed = await listSubmissions(instructor, assignment.assignmentId, { status: 'not_started' });
    expect(listed.body.data[0]).toMatchObject({ submissionId: notStartedId, status: 'not_started' });
    expect(listed.body.data[0].grade).toBeUndefined();

    const other = await createAssignment(instructor, course.courseId);
    const otherId = await submissionIdOf(instructor, other.assignmentId, students[0]!.id);
    const wrong = await gradeSubmission(instructor, assignment.assignmentId, { submissionId: otherId, grade: 10, feedback: 'x' });
    expect(wrong.status).toBe(404);
    expect(wrong.body.code).toBe('SUBMISSION_NOT_FOUND');
    expect((await gradeSubmission(instructor, assignment.assignmentId, { submissionId: randomUUID(), grade: 1, feedback: '' })).status).toBe(404);
    expect((await gradeSubmission(instructor, randomUUID(), { submissionId: otherId, grade: 1, feedback: '' })).body.code).toBe(
      'ASSIGNMENT_NOT_FOUND',
    );
  });

  it('keeps every grade in the history when regrading', async () => {
    const { instructor, assignment, student, submission } = await gradingSetup();
    const admin = await signInAdmin();
    const submissionId = submission!.submissionId;
    const first = await gradeSubmission(instructor, assignment.assignmentId, { submissionId, grade: 70, feedback: 'First pass' });
    expect(first.body.message).toBe('Submission graded successfully');
    const rubric = (await setRubric(instructor, assignment.assignmentId, sampleRubric())).body.data;
    const second = await gradeSubmission(admin, assignment.assignmentId, {
      submissionId,
      feedback: 'Regraded with the rubric',
      rubricScores: rubric.criteria.map((c: { criterionId: string; levels: { levelId: string }[] }) => ({
        criterionId: c.criterionId,
        levelId: c.levels[1]!.levelId,
      })),
    });
    expect(second.status).toBe(200);
    expect(second.body.message).toBe('Submission regraded successfully');
    expect(second.body.data).toMatchObject({ grade: 50, gradedBy: admin.id, status: 'graded' });

    const feedback = await getFeedback(student, assignment.assignmentId);
    expect(feedback.status).toBe(200);
    expect(feedback.body.data).toEqual({
      assignmentId: assignment.assignmentId,
      submissionId,
      studentId: student.id,
      title: assignment.title,
      points: 100,
      status: 'graded',
      submittedAt: submission!.submittedAt,
      grade: 50,
      feedback: 'Regraded with the rubric',
      rubricScores: second.body.data.rubricScores,
      gradedAt: second.body.data.gradedAt,
      gradedBy: { id: admin.id, firstName: 'Platform', lastName: 'Admin' },
      history: [
        {
          grade: 50,
          feedback: 'Regraded with the rubric',
          rubricScores: second.body.data.rubricScores,
          gradedAt: second.body.data.gradedAt,
          gradedBy: { id: admin.id, firstName: 'Platform', lastName: 'Admin' },
        },
        {
          grade: 70,
          feedback: 'First pass',
          gradedAt: first.body.data.gradedAt,
          gradedBy: { id: instructor.id, firstName: instructor.firstName, lastName: instructor.lastName },
        },
      ],
    });
    expect(second.body.data.rubricScores.map((s: { levelTitle: string }) => s.levelTitle)).toEqual(['Partly', 'Readable']);

    // replacing the rubric later does not rewrite the titles the grade was given with
    await setRubric(instructor, assignment.assignmentId, [{ title: 'New', levels: [{ title: 'All', points: 100 }] }]);
    const later = await getFeedback(student, assignment.assignmentId);
    expect(later.body.data.rubricScores.map((s: { criterionTitle: string }) => s.criterionTitle)).toEqual(['Correctness', 'Style']);
  });

  it('serialises two graders grading at once: no 500, one coherent final row', async () => {
    for (let round = 0; round < 3; round++) {
      const { instructor, assignment, student, submission } = await gradingSetup();
      const admin = await signInAdmin();
      const submissionId = submission!.submissionId;
      const results = await Promise.all([
        gradeSubmission(instructor, assignment.assignmentId, { submissionId, grade: 60, feedback: 'from the instructor' }),
        gradeSubmission(admin, assignment.assignmentId, { submissionId, grade: 90, feedback: 'from the admin' }),
      ]);
      for (const res of results) {
        expect([200, 409], JSON.stringify(res.body)).toContain(res.status);
      }
      const succeeded = results.filter((r) => r.status === 200);
      expect(succeeded.length).toBeGreaterThan(0);
      const feedback = (await getFeedback(student, assignment.assignmentId)).body.data;
      expect(feedback.history).toHaveLength(succeeded.length);
      // the row holds the last grade of the history, with its own feedback and grader
      const last = feedback.history[0];
      expect(feedback).toMatchObject({ status: 'graded', grade: last.grade, feedback: last.feedback, gradedAt: last.gradedAt });
      expect(feedback.gradedBy.id).toBe(last.gradedBy.id);
      expect(
        (last.grade === 60 && last.gradedBy.id === instructor.id) || (last.grade === 90 && last.gradedBy.id === admin.id),
      ).toBe(true);
    }
  });

  it('is for the course instructor and admins only: 401, 403 for students and other instructors', async () => {
    const { assignment, student, submission } = await gradingSetup();
    const stranger = await createInstructor();
    const body = { submissionId: submission!.submissionId, grade: 100, feedback: 'self-graded' };
    expect((await api('POST', `/api/assignments/${assignment.assignmentId}/grade`, { body })).status).toBe(401);
    const byStudent = await gradeSubmission(student, assignment.assignmentId, body);
    expect(byStudent.status).toBe(403);
    expect(byStudent.body.code).toBe('FORBIDDEN');
    expect((await gradeSubmission(stranger, assignment.assignmentId, body)).status).toBe(403);
    const state = await getFeedback(student, assignment.assignmentId);
    expect(state.body.data.status).toBe('submitted');
    expect(state.body.data.history).toEqual([]);
    const byAdmin = await gradeSubmission(await signInAdmin(), assignment.assignmentId, body);
    expect(byAdmin.status).toBe(200);
  });
});

describe('POST /api/assignments/:assignmentId/grades/bulk', () => {
  it('grades many submissions in one request', async () => {
    const { instructor, assignment, students, submissions } = await gradingSetup({ students: 3 });
    const res = await bulkGrade(
      instructor,
      assignment.assignmentId,
      submissions.map((s, i) => ({ submissionId: s.submissionId, grade: 60 + i * 10, feedback: `row ${i}` })),
    );
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('3 submissions graded successfully');
    expect(res.body.data.graded).toBe(3);
    expect(res.body.data.submissions).toHaveLength(3);
    expect(res.body.data.submissions[0]).toMatchObject({
      submissionId: submissions[0]!.submissionId,
      assignmentId: assignment.assignmentId,
      studentId: students[0]!.id,
      student: { firstName: students[0]!.firstName, lastName: students[0]!.lastName, username: students[0]!.username },
      status: 'graded',
      grade: 60,
      feedback: 'row 0',
      gradedBy: instructor.id,
      gradedAt: expect.stringMatching(ISO),
    });
    for (const [i, student] of students.entries()) {
      const feedback = await getFeedback(student, assignment.assignmentId);
      expect(feedback.body.data).toMatchObject({ status: 'graded', grade: 60 + i * 10, feedback: `row ${i}` });
      expect(feedback.body.data.history).toHaveLength(1);
    }
  });

  it('saves nothing when any row is invalid, and names every bad row (400)', async () => {
    const { instructor, course, assignment, students, submissions } = await gradingSetup({ students: 3, submitted: 2 });
    await gradeSubmission(instructor, assignment.assignmentId, { submissionId: submissions[1]!.submissionId, grade: 10, feedback: 'before' });
    const notStarted = await submissionIdOf(instructor, assignment.assignmentId, students[2]!.id);
    const other = await createAssignment(instructor, course.courseId);
    const foreign = await submissionIdOf(instructor, other.assignmentId, students[0]!.id);
    const res = await bulkGrade(instructor, assignment.assignmentId, [
      { submissionId: submissions[0]!.submissionId, grade: 90, feedback: 'valid' },
      { submissionId: submissions[1]!.submissionId, grade: 95, feedback: 'valid regrade' },
      { submissionId: notStarted, grade: 50, feedback: 'not handed in' },
      { submissionId: submissions[0]!.submissionId, grade: 80, feedback: 'duplicate' },
      { submissionId: foreign, grade: 50, feedback: 'other assignment' },
      { submissionId: randomUUID(), grade: 101, feedback: 'too high' },
    ]);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      status: 400,
      code: 'BULK_GRADING_FAILED',
      error: 'No grades were saved: 4 of 6 rows are invalid',
      details: {
        'body.grades.2.submissionId': expect.stringMatching(/not been submitted/),
        'body.grades.3.submissionId': 'appears more than once',
        'body.grades.4.submissionId': 'is not a submission of this assignment',
        'body.grades.5.submissionId': 'is not a submission of this assignment',
        'body.grades.5.grade': 'must be at most 100',
      },
    });
    expect(Object.keys(res.body.details).filter((k) => k.startsWith('body.grades.0') || k.startsWith('body.grades.1'))).toEqual([]);

    // nothing changed: the first row is still only submitted, the second keeps its earlier grade
    const first = await getFeedback(students[0]!, assignment.assignmentId);
    expect(first.body.data).toMatchObject({ status: 'submitted', history: [] });
    expect(first.body.data.grade).toBeUndefined();
    const second = await getFeedback(students[1]!, assignment.assignmentId);
    expect(second.body.data).toMatchObject({ status: 'graded', grade: 10, feedback: 'before' });
    expect(second.body.data.history).toHaveLength(1);
    const list = await listSubmissions(instructor, assignment.assignmentId, { status: 'graded' });
    expect(list.body.data.map((s: { submissionId: string }) => s.submissionId)).toEqual([submissions[1]!.submissionId]);
  });

  it('validates the body and is for course staff only', async () => {
    const { instructor, assignment, student, submission } = await gradingSetup();
    const stranger = await createInstructor();
    const rows = [{ submissionId: submission!.submissionId, grade: 50, feedback: '' }];
    expect((await bulkGrade(instructor, assignment.assignmentId, [])).body.details).toHaveProperty('body.grades');
    expect((await bulkGrade(instructor, assignment.assignmentId, [{ submissionId: submission!.submissionId, grade: -5, feedback: '' }])).body.details).toHaveProperty(
      'body.grades.0.grade',
    );
    expect((await api('POST', `/api/assignments/${assignment.assignmentId}/grades/bulk`, { body: { grades: rows } })).status).toBe(401);
    expect((await bulkGrade(student, assignment.assignmentId, rows)).status).toBe(403);
    expect((await bulkGrade(stranger, assignment.assignmentId, rows)).status).toBe(403);
    expect((await bulkGrade(instructor, randomUUID(), rows)).status).toBe(404);
    expect((await getFeedback(student, assignment.assignmentId)).body.data.status).toBe('submitted');
    expect((await bulkGrade(await signInAdmin(), assignment.assignmentId, rows)).status).toBe(200);
  });
});

describe('GET /api/assignments/:assignmentId/submissions', () => {
  it('lists submissions with student names, newest submitted first, paginated and filterable by status', async () => {
    const { instructor, assignment, students } = await gradingSetup({ students: 4, submitted: 0 });
    // hand in one after the other, so the order is known; the last student never does
    const sent = [];
    for (const student of students.slice(0, 3)) sent.push(await submitWork(student, assignment.assignmentId));
    await gradeSubmission(instructor, assignment.assignmentId, { submissionId: sent[0]!.submissionId, grade: 40, feedback: 'ok' });

    const page1 = await listSubmissions(instructor, assignment.assignmentId, { limit: 2 });
    expect(page1.status).toBe(200);
    expect(page1.body.pagination).toEqual({ page: 1, limit: 2, totalCount: 4, totalPages: 2, hasNext: true, hasPrev: false });
    expect(page1.body.data.map((s: { submissionId: string }) => s.submissionId)).toEqual([sent[2]!.submissionId, sent[1]!.submissionId]);
    expect(page1.body.data[0]).toEqual({
      submissionId: sent[2]!.submissionId,
      studentId: students[2]!.id,
      student: { firstName: students[2]!.firstName, lastName: students[2]!.lastName, username: students[2]!.username },
      status: 'submitted',
      submissionContent: 'my work',
      startedAt: expect.stringMatching(ISO),
      endedAt: expect.stringMatching(ISO),
      assignedAt: expect.stringMatching(ISO),
      dueDate: assignment.dueDate,
      submittedAt: sent[2]!.submittedAt,
      isLate: false,
    });
    const page2 = await listSubmissions(instructor, assignment.assignmentId, { limit: 2, page: 2 });
    expect(page2.body.data.map((s: { studentId: string }) => s.studentId)).toEqual([students[0]!.id, students[3]!.id]);
    expect(page2.body.data[0]).toMatchObject({ status: 'graded', grade: 40, feedback: 'ok' });
    expect(page2.body.data[1]).toMatchObject({ status: 'not_started' });
    expect(page2.body.pagination).toMatchObject({ page: 2, hasNext: false, hasPrev: true });

    const graded = await listSubmissions(await signInAdmin(), assignment.assignmentId, { status: 'graded' });
    expect(graded.body.data.map((s: { studentId: string }) => s.studentId)).toEqual([students[0]!.id]);
    expect(graded.body.pagination.totalCount).toBe(1);
    expect((await listSubmissions(instructor, assignment.assignmentId, { status: 'in_progress' })).body).toMatchObject({
      data: [],
      pagination: { totalCount: 0, totalPages: 0 },
    });
  });

  it('validates the query and is for course staff only', async () => {
    const { instructor, assignment, student } = await gradingSetup();
    expect((await listSubmissions(instructor, assignment.assignmentId, { status: 'done' })).body.details).toHaveProperty('querystring.status');
    expect((await listSubmissions(instructor, assignment.assignmentId, { limit: 101 })).status).toBe(400);
    expect((await api('GET', `/api/assignments/${assignment.assignmentId}/submissions`)).status).toBe(401);
    expect((await listSubmissions(student, assignment.assignmentId)).status).toBe(403);
    expect((await listSubmissions(await createInstructor(), assignment.assignmentId)).status).toBe(403);
    expect((await listSubmissions(instructor, randomUUID())).status).toBe(404);
  });
});

describe('GET /api/assignments/:assignmentId/feedback', () => {
  it("shows a student their own submission before grading, and staff any student's with studentId", async () => {
    const { instructor, assignment, student, submission } = await gradingSetup();
    const before = await getFeedback(student, assignment.assignmentId);
    expect(before.status).toBe(200);
    expect(before.body.data).toEqual({
      assignmentId: assignment.assignmentId,
      submissionId: submission!.submissionId,
      studentId: student.id,
      title: assignment.title,
      points: 100,
      status: 'submitted',
      submittedAt: submission!.submittedAt,
      rubricScores: [],
      history: [],
    });
    await gradeSubmission(instructor, assignment.assignmentId, { submissionId: submission!.submissionId, grade: 64, feedback: 'Fine' });
    const byStaff = await getFeedback(instructor, assignment.assignmentId, student.id);
    expect(byStaff.status).toBe(200);
    expect(byStaff.body.data).toMatchObject({ studentId: student.id, grade: 64, feedback: 'Fine', gradedBy: { id: instructor.id } });
    expect((await getFeedback(await signInAdmin(), assignment.assignmentId, student.id)).body.data.grade).toBe(64);
    expect((await getFeedback(student, assignment.assignmentId, student.id)).body.data.grade).toBe(64);
  });

  it("refuses other students, other instructors and outsiders (403), and answers 404 without a submission", async () => {
    const { instructor, assignment, students } = await gradingSetup({ students: 2 });
    const [student, classmate] = students as [TestUser, TestUser];
    const stranger = await createInstructor();
    const outsider = await createStudent();
    expect((await api('GET', `/api/assignments/${assignment.assignmentId}/feedback`)).status).toBe(401);
    const peeking = await getFeedback(classmate, assignment.assignmentId, student.id);
    expect(peeking.status).toBe(403);
    expect(peeking.body.code).toBe('FORBIDDEN');
    expect((await getFeedback(stranger, assignment.assignmentId, student.id)).status).toBe(403);
    expect((await getFeedback(stranger, assignment.assignmentId)).status).toBe(403);
    expect((await getFeedback(outsider, assignment.assignmentId)).body.code).toBe('NOT_ENROLLED');
    expect((await getFeedback(instructor, assignment.assignmentId, outsider.id)).body.code).toBe('SUBMISSION_NOT_FOUND');
    expect((await getFeedback(instructor, assignment.assignmentId)).status).toBe(404);
    expect((await getFeedback(student, randomUUID())).body.code).toBe('ASSIGNMENT_NOT_FOUND');
    expect((await getFeedback(instructor, assignment.assignmentId, 'bad')).status).toBe(400);
  });
});
