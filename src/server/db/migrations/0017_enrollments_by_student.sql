-- A learner's active courses, read from the index alone: recommendations count the courses of a sample
-- of "similar learners" (300 of them), and without it each peer's enrolments are fetched from the table,
-- which costs more as the table grows.
CREATE INDEX IF NOT EXISTS course_enrollments_student_active_idx ON course_enrollments (student_id, course_id) WHERE status = 'active';
