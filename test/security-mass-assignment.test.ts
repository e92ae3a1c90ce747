// No mass assignment: fields a client may not set (role, status, streaks, grades, ids, counters) are
// dropped from bodies, and ids naming someone else are refused.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  courseWithStudent,
  createCourse,
  createInstructor,
  createStudent,
  signInAdmin,
  type TestUser,
} from './support/api.js';

const FOREIGN_ID = '00000000-0000-4000-8000-00000000beef';
/** Fields no profile or course body may set, with values an attacker would like. */
const PRIVILEGED = {
  id: FOREIGN_ID,
  role: 'admin',
  status: 'active',
  currentStreak: 999,
  longestStreak: 999,
  passwordHash: 'x',
  emailVerified: true,
  createdAt: '2000-01-01T00:00:00.000Z',
};

let student: TestUser;
let admin: TestUser;

beforeAll(async () => {
  [student, admin] = await Promise.all([createStudent(), signInAdmin()]);
});

describe('profile bodies', () => {
  it('PUT /api/profile/update changes the allowed fields only', async () => {
    const res = await api('PUT', '/api/profile/update', { token: student.token, body: { firstName: 'Renamed', ...PRIVILEGED } });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: student.id, firstName: 'Renamed', role: 'student' });
    const profile = await api('GET', `/api/users/${student.id}/profile`, { token: admin.token });
    expect(profile.body).toMatchObject({ id: student.id, role: 'student', currentStreak: 0, firstName: 'Renamed' });
    expect(Date.parse(profile.body.createdAt)).toBeGreaterThan(Date.parse('2020-01-01'));
    const check = await api('GET', '/api/auth/check', { token: student.token });
    expect(check.body.user.role).toBe('student');
    // the admin-only surface still refuses the student
    expect((await api('GET', '/api/users', { token: student.token })).status).toBe(403);
  });

  it('PUT /api/profile/preferences ignores privileged fields and refuses another user\'s id', async () => {
    const res = await api('PUT', '/api/profile/preferences', {
      token: student.token,
      body: { userId: student.id, weeklyLearningGoal: 450, ...PRIVILEGED },
    });
    expect(res.status).toBe(200);
    const profile = await api('GET', `/api/users/${student.id}/profile`, { token: student.token });
    expect(profile.body).toMatchObject({ role: 'student', weeklyLearningGoal: 450, currentStreak: 0 });
    const other = await createStudent();
    const foreign = await api('PUT', '/api/profile/preferences', { token: student.token, body: { userId: other.id, weeklyLearningGoal: 100 } });
    expect(foreign.status).toBe(403);
    const updateOther = await api('PUT', '/api/profile/update', { token: student.token, body: { userId: other.id, firstName: 'Hijacked' } });
    expect(updateOther.status).toBe(403);
    expect((await api('GET', `/api/users/${other.id}/profile`, { token: admin.token })).body.firstName).not.toBe('Hijacked');
  });
});

describe('course bodies', () => {
  it('POST /api/courses ignores ids, ratings and counters, and refuses another instructor', async () => {
    const instructor = await createInstructor();
    const other = await createInstructor();
    const course = await createCourse(instructor, {
      courseId: FOREIGN_ID,
      id: FOREIGN_ID,
      rating: 5,
      averageRating: 5,
      totalStudents: 1000,
      enrolledStudents: 1000,
      createdAt: '2000-01-01T00:00:00.000Z',
    });
    expect(course.courseId).not.toBe(FOREIGN_ID);
    expect(course.instructor.id).toBe(instructor.id);
    const details = await api('GET', `/api/courses/${course.courseId}`);
    expect(details.body.data.statistics).toMatchObject({ totalEnrollments: 0, averageRating: 0 });
    expect(details.body.data.ratings).toEqual([]);
    expect((await api('GET', `/api/courses/${FOREIGN_ID}`)).status).toBe(404);
    const asOther = await api('POST', '/api/courses', {
      token: instructor.token,
      body: { title: 'Not mine', category: 'programming', difficultyLevel: 'beginner', instructorId: other.id },
    });
    expect(asOther.status).toBe(403);
  });

  it('PUT /api/courses/:courseId may not hand the course to someone else unless an admin', async () => {
    const instructor = await createInstructor();
    const other = await createInstructor();
    const course = await createCourse(instructor);
    const res = await api('PUT', `/api/courses/${course.courseId}`, { token: instructor.token, body: { instructorId: other.id } });
    expect(res.status).toBe(403);
    const kept = await api('PUT', `/api/courses/${course.courseId}`, { token: instructor.token, body: { title: 'Still mine', id: FOREIGN_ID } });
    expect(kept.status).toBe(200);
    expect(kept.body.data).toMatchObject({ courseId: course.courseId, title: 'Still mine' });
    expect(kept.body.data.instructor.id).toBe(instructor.id);
  });
});

describe('grades', () => {
  it('a student cannot grade their own submission through the submit body', async () => {
    const setup = await courseWithStudent({ lessons: 1, assignments: 1 });
    const assignmentId = setup.assignments[0]!.assignmentId;
    const submitted = await api('POST', '/api/assignments/submit', {
      token: setup.student.token,
      body: { assignmentId, submissionContent: 'my work', grade: 100, score: 100, status: 'graded', feedback: 'Perfect', gradedAt: new Date().toISOString() },
    });
    expect(submitted.status).toBe(201);
    expect(submitted.body.data).toMatchObject({ status: 'submitted' });
    const grades = await api('GET', `/api/grades/${setup.student.id}`, { token: setup.student.token });
    expect(grades.status).toBe(200);
    expect(JSON.stringify(grades.body)).not.toContain('Perfect');
    const grade = await api('POST', `/api/assignments/${assignmentId}/grade`, {
      token: setup.student.token,
      body: { submissionId: submitted.body.data.submissionId, grade: 100, feedback: 'Self-graded' },
    });
    expect(grade.status).toBe(403);
  });
});
