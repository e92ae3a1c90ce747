-- For every two courses that share learners, how many learners are actively enrolled in both, kept by
-- triggers. Recommendations' "similar learners" signal reads the strongest neighbours of a learner's
-- courses here instead of sampling other learners' enrolments on every request.
-- No foreign keys: deleting a course deletes its enrolments, whose triggers bring its pairs to zero,
-- and a pair row is deleted when it reaches zero.
CREATE TABLE IF NOT EXISTS course_co_enrollments (
  course_id uuid NOT NULL,
  other_course_id uuid NOT NULL,
  learners integer NOT NULL,
  PRIMARY KEY (course_id, other_course_id)
);
--> statement-breakpoint
-- A course's strongest neighbours first. One shared learner is chance, not a signal (most pairs on a
-- large platform), so those pairs are left out of the index; the query's `learners >= 2` matches it.
CREATE INDEX IF NOT EXISTS course_co_enrollments_strongest_idx
  ON course_co_enrollments (course_id, learners DESC) INCLUDE (other_course_id) WHERE learners >= 2;
--> statement-breakpoint
-- Counts every pair again from the enrolments: here, and after a bulk load made without triggers.
CREATE OR REPLACE FUNCTION course_co_enrollments_rebuild() RETURNS void AS $$
BEGIN
  DELETE FROM course_co_enrollments;
  INSERT INTO course_co_enrollments (course_id, other_course_id, learners)
  SELECT a.course_id, b.course_id, count(*)
    FROM course_enrollments a
    JOIN course_enrollments b ON b.student_id = a.student_id AND b.course_id <> a.course_id
   WHERE a.status = 'active' AND b.status = 'active'
   GROUP BY a.course_id, b.course_id;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
SELECT course_co_enrollments_rebuild();
--> statement-breakpoint
-- Applies a statement's enrolments made active (added) and no longer active (removed), given as
-- parallel arrays of student and course ids. A learner's pairs after the change are their active
-- enrolments now; before it, those without the added ones and with the removed ones. The pairs that
-- involve an added course are new, those that involved a removed one are gone.
CREATE OR REPLACE FUNCTION course_co_enrollments_apply(
  added_students uuid[], added_courses uuid[], removed_students uuid[], removed_courses uuid[]
) RETURNS void AS $$
DECLARE
  emptied_courses uuid[];
  emptied_others uuid[];
BEGIN
  -- One change per learner at a time: two concurrent enrolments of one learner would each miss the
  -- other's course when reading the learner's active courses. Taken in a fixed order.
  PERFORM pg_advisory_xact_lock(4242018, key)
     FROM (SELECT DISTINCT hashtext(s::text) AS key FROM unnest(added_students || removed_students) AS s ORDER BY 1) keys;

  WITH added AS (
    SELECT * FROM unnest(added_students, added_courses) AS a(student_id, course_id)
  ), removed AS (
    SELECT * FROM unnest(removed_students, removed_courses) AS r(student_id, course_id)
  ), learners AS (
    SELECT student_id FROM added UNION SELECT student_id FROM removed
  ), now_active AS (
    SELECT e.student_id, e.course_id FROM course_enrollments e JOIN learners USING (student_id) WHERE e.status = 'active'
  ), before_active AS (
    (SELECT student_id, course_id FROM now_active EXCEPT SELECT student_id, course_id FROM added)
    UNION
    SELECT student_id, course_id FROM removed
  ), deltas AS (
    SELECT x.course_id, y.course_id AS other_course_id, 1 AS delta
      FROM now_active x JOIN now_active y ON y.student_id = x.student_id AND y.course_id <> x.course_id
     WHERE EXISTS (SELECT 1 FROM added a WHERE a.student_id = x.student_id AND a.course_id IN (x.course_id, y.course_id))
    UNION ALL
    SELECT x.course_id, y.course_id, -1
      FROM before_active x JOIN before_active y ON y.student_id = x.student_id AND y.course_id <> x.course_id
     WHERE EXISTS (SELECT 1 FROM removed r WHERE r.student_id = x.student_id AND r.course_id IN (x.course_id, y.course_id))
  ), applied AS (
    -- In key order, so that concurrent changes lock shared pairs in the same order.
    INSERT INTO course_co_enrollments AS pair (course_id, other_course_id, learners)
    SELECT course_id, other_course_id, sum(delta) FROM deltas
     GROUP BY course_id, other_course_id HAVING sum(delta) <> 0
     ORDER BY course_id, other_course_id
    ON CONFLICT (course_id, other_course_id) DO UPDATE SET learners = pair.learners + excluded.learners
    RETURNING pair.course_id, pair.other_course_id, pair.learners
  )
  SELECT array_agg(course_id), array_agg(other_course_id) INTO emptied_courses, emptied_others
    FROM applied WHERE learners <= 0;

  IF emptied_courses IS NOT NULL THEN
    DELETE FROM course_co_enrollments pair
     USING unnest(emptied_courses, emptied_others) AS emptied(course_id, other_course_id)
     WHERE pair.course_id = emptied.course_id AND pair.other_course_id = emptied.other_course_id AND pair.learners <= 0;
  END IF;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
-- One function for the three triggers below (each names its transition tables new_rows and old_rows).
-- An update matters when it makes a row active or no longer active (a changed student or course counts
-- as both); marking an enrolment complete changes nothing here.
CREATE OR REPLACE FUNCTION course_co_enrollments_changed() RETURNS trigger AS $$
DECLARE
  added_students uuid[];
  added_courses uuid[];
  removed_students uuid[];
  removed_courses uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(student_id), array_agg(course_id) INTO added_students, added_courses
      FROM new_rows WHERE status = 'active';
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(student_id), array_agg(course_id) INTO removed_students, removed_courses
      FROM old_rows WHERE status = 'active';
  ELSE
    SELECT array_agg(n.student_id), array_agg(n.course_id) INTO added_students, added_courses
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE n.status = 'active' AND (o.status <> 'active' OR o.student_id <> n.student_id OR o.course_id <> n.course_id);
    SELECT array_agg(o.student_id), array_agg(o.course_id) INTO removed_students, removed_courses
      FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE o.status = 'active' AND (n.status <> 'active' OR o.student_id <> n.student_id OR o.course_id <> n.course_id);
  END IF;
  IF added_students IS NOT NULL OR removed_students IS NOT NULL THEN
    PERFORM course_co_enrollments_apply(
      coalesce(added_students, '{}'), coalesce(added_courses, '{}'),
      coalesce(removed_students, '{}'), coalesce(removed_courses, '{}'));
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION course_co_enrollments_truncated() RETURNS trigger AS $$
BEGIN
  DELETE FROM course_co_enrollments;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER course_enrollments_co_inserted AFTER INSERT ON course_enrollments
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION course_co_enrollments_changed();
--> statement-breakpoint
CREATE TRIGGER course_enrollments_co_deleted AFTER DELETE ON course_enrollments
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION course_co_enrollments_changed();
--> statement-breakpoint
CREATE TRIGGER course_enrollments_co_updated AFTER UPDATE ON course_enrollments
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION course_co_enrollments_changed();
--> statement-breakpoint
CREATE TRIGGER course_enrollments_co_truncated AFTER TRUNCATE ON course_enrollments
FOR EACH STATEMENT EXECUTE FUNCTION course_co_enrollments_truncated();
