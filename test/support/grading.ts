// Factories for grading tests: a course whose students have handed in work, rubrics, and the calls of
// the grading routes.
import {
  api,
  createAssignment,
  createCourse,
  createInstructor,
  createStudent,
  enroll,
  type TestUser,
} from './api.js';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export const submitWork = async (student: TestUser, assignmentId: string, content = 'my work') => {
  const res = await api('POST', '/api/assignments/submit', { token: student.token, body: { assignmentId, submissionContent: content } });
  if (res.status !== 201) throw new Error(`submit failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as { submissionId: string; submittedAt: string };
};

export const gradeSubmission = (user: TestUser, assignmentId: string, body: Record<string, unknown>) =>
  api('POST', `/api/assignments/${assignmentId}/grade`, { token: user.token, body });

export const bulkGrade = (user: TestUser, assignmentId: string, grades: Record<string, unknown>[]) =>
  api('POST', `/api/assignments/${assignmentId}/grades/bulk`, { token: user.token, body: { grades } });

export const setRubric = (user: TestUser, assignmentId: string, criteria: unknown[]) =>
  api('POST', `/api/assignments/${assignmentId}/rubric`, { token: user.token, body: { criteria } });

export const getRubric = (user: TestUser, assignmentId: string) =>
  api('GET', `/api/assignments/${assignmentId}/rubric`, { token: user.token });

export const getFeedback = (user: TestUser, assignmentId: string, studentId?: string) =>
  api('GET', `/api/assignments/${assignmentId}/feedback`, { token: user.token, query: { studentId } });

export const listSubmissions = (user: TestUser, assignmentId: string, query: Record<string, string | number> = {}) =>
  api('GET', `/api/assignments/${assignmentId}/submissions`, { token: user.token, query });

/** A 100-point rubric: Correctness (0/30/60) and Style (0/20/40). */
export const sampleRubric = () => [
  {
    title: 'Correctness',
    description: 'Does it work?',
    levels: [
      { title: 'Broken', points: 0 },
      { title: 'Partly', points: 30 },
      { title: 'Complete', description: 'Every case passes', points: 60 },
    ],
  },
  {
    title: 'Style',
    levels: [
      { title: 'Messy', points: 0 },
      { title: 'Readable', points: 20 },
      { title: 'Exemplary', points: 40 },
    ],
  },
];

/** An instructor's course with one 100-point assignment and `students` enrolled students. */
export async function gradingSetup(options: { students?: number; submitted?: number; points?: number } = {}) {
  const instructor = await createInstructor();
  const course = await createCourse(instructor);
  const assignment = await createAssignment(instructor, course.courseId, { points: options.points ?? 100 });
  const students: TestUser[] = [];
  for (let i = 0; i < (options.students ?? 1); i++) {
    const student = await createStudent();
    await enroll(student, course.courseId);
    students.push(student);
  }
  const submissions: { submissionId: string; submittedAt: string }[] = [];
  for (const student of students.slice(0, options.submitted ?? students.length)) {
    submissions.push(await submitWork(student, assignment.assignmentId));
  }
  return { instructor, course, assignment, students, student: students[0]!, submissions, submission: submissions[0] };
}

/** The id of a student's submission row (any status), read through the staff list. */
export async function submissionIdOf(staff: TestUser, assignmentId: string, studentId: string): Promise<string> {
  const res = await listSubmissions(staff, assignmentId, { limit: 100 });
  const row = (res.body.data as { studentId: string; submissionId: string }[]).find((s) => s.studentId === studentId);
  if (!row) throw new Error('no submission row for the student');
  return row.submissionId;
}
