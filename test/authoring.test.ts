// Course authoring and enrolment management as a whole: the routes in the OpenAPI document, and every
// change written to the audit log. The routes themselves are covered by test/authoring-*.test.ts.
import { describe, expect, it } from 'vitest';
import { api, createCourse, createInstructor, createLesson, createStudent, enroll, signInAdmin } from './support/api.js';
import {
  bulkEnroll,
  completeLesson,
  deleteCourse,
  deleteLesson,
  reorderLessons,
  unenroll,
  updateCourse,
  updateLesson,
} from './support/authoring.js';

const operations: [string, string, string][] = [
  ['put', '/api/courses/{courseId}', 'updateCourse'],
  ['delete', '/api/courses/{courseId}', 'deleteCourse'],
  ['get', '/api/courses/{courseId}/lessons/{lessonId}', 'getCourseLesson'],
  ['put', '/api/courses/{courseId}/lessons/{lessonId}', 'updateLesson'],
  ['delete', '/api/courses/{courseId}/lessons/{lessonId}', 'deleteLesson'],
  ['post', '/api/courses/{courseId}/lessons/reorder', 'reorderLessons'],
  ['delete', '/api/courses/{courseId}/enroll', 'unenrollFromCourse'],
  ['get', '/api/courses/{courseId}/progress', 'getCourseProgress'],
  ['post', '/api/courses/{courseId}/enrollments/bulk', 'bulkEnroll'],
];

describe('OpenAPI document', () => {
  it('documents every authoring and enrolment route, its 412 and bulk failure bodies and the If-Match header', async () => {
    const doc = (await api('GET', '/api/docs/openapi.json')).body;
    for (const [method, path, operationId] of operations) {
      const operation = doc.paths[path]?.[method];
      expect(operation?.operationId, `${method} ${path}`).toBe(operationId);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '404']));
    }
    // Named schemas appear as references: the 412 carries the current course or lesson, the bulk 400 the rows.
    const bodyOf = (response: { content: Record<string, { schema: unknown }> }) =>
      JSON.stringify(response.content['application/json']!.schema);
    const puts = {
      '/api/courses/{courseId}': 'CoursePreconditionFailed',
      '/api/courses/{courseId}/lessons/{lessonId}': 'LessonPreconditionFailed',
    };
    for (const [path, schema] of Object.entries(puts)) {
      const put = doc.paths[path].put;
      expect(bodyOf(put.responses['412'])).toContain(`#/components/schemas/${schema}`);
      expect(put.parameters.some((p: { in: string; name: string }) => p.in === 'header' && p.name === 'if-match')).toBe(true);
    }
    expect(bodyOf(doc.paths['/api/courses/{courseId}/enrollments/bulk'].post.responses['400'])).toContain(
      '#/components/schemas/BulkEnrollFailed',
    );
  });
});

// The audit-log route belongs to the admin feature; these assertions run once it is served.
const admin = await signInAdmin();
const auditProbe = await api('GET', '/api/admin/audit-log', { token: admin.token });
const auditServed = auditProbe.status !== 404;

async function auditOf(targetId: string): Promise<{ action: string; targetType: string; targetId: string }[]> {
  const res = await api('GET', '/api/admin/audit-log', { token: admin.token, query: { targetId, limit: 100 } });
  expect(res.status).toBe(200);
  return res.body.data;
}

const actionsOf = async (targetId: string) => (await auditOf(targetId)).map((entry) => entry.action).sort();

describe.skipIf(!auditServed)('audit log of authoring and enrolments', () => {
  it('records course, lesson and enrolment changes with their targets', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const lesson = await createLesson(instructor, course.courseId, { title: 'One' });
    const second = await createLesson(instructor, course.courseId, { title: 'Two' });
    expect((await updateCourse(instructor, course.courseId, { title: 'Audited' })).status).toBe(200);
    expect((await updateLesson(instructor, course.courseId, lesson.lessonId, { title: 'Uno' })).status).toBe(200);
    expect((await reorderLessons(instructor, course.courseId, [second.lessonId, lesson.lessonId])).status).toBe(200);

    const student = await createStudent();
    const enrollment = await enroll(student, course.courseId);
    expect((await completeLesson(student, lesson.lessonId)).status).toBe(201);
    const rated = await api('POST', `/api/courses/${course.courseId}/ratings`, { token: student.token, body: { rating: 4 } });
    expect(rated.status).toBe(201);
    expect((await unenroll(student, course.courseId)).status).toBe(200);
    const other = await createStudent();
    expect((await bulkEnroll(instructor, course.courseId, { mode: 'per_row', students: [{ studentId: other.id }] })).status).toBe(200);
    expect((await deleteLesson(instructor, course.courseId, second.lessonId)).status).toBe(200);

    expect(await actionsOf(course.courseId)).toEqual(
      ['course.create', 'course.rate', 'course.update', 'enrollment.bulk', 'lesson.reorder'].sort(),
    );
    expect(await actionsOf(lesson.lessonId)).toEqual(['lesson.complete', 'lesson.create', 'lesson.update']);
    expect(await actionsOf(second.lessonId)).toEqual(['lesson.create', 'lesson.delete']);
    expect(await actionsOf(enrollment.enrollmentId)).toEqual(['enrollment.create', 'enrollment.withdraw']);
    const update = (await auditOf(course.courseId)).find((entry) => entry.action === 'course.update');
    expect(update).toMatchObject({ targetType: 'course', before: { title: course.title }, after: { title: 'Audited' } });

    expect((await deleteCourse(instructor, course.courseId)).status).toBe(200);
    expect(await actionsOf(course.courseId)).toContain('course.delete');
  });
});
