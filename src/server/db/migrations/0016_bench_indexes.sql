-- Public response cache: every change to what the catalogue and the course pages are built from
-- notifies `skilled_public_cache` at commit; each instance listens and empties its cache
-- (src/server/http/public-cache.ts). Statement-level, so a bulk change notifies once, and PostgreSQL
-- folds identical notifications of one transaction into one.
CREATE OR REPLACE FUNCTION skilled_public_cache_changed() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('skilled_public_cache', '');
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER courses_public_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON courses
FOR EACH STATEMENT EXECUTE FUNCTION skilled_public_cache_changed();
--> statement-breakpoint
CREATE TRIGGER lessons_public_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON lessons
FOR EACH STATEMENT EXECUTE FUNCTION skilled_public_cache_changed();
--> statement-breakpoint
CREATE TRIGGER course_prerequisites_public_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON course_prerequisites
FOR EACH STATEMENT EXECUTE FUNCTION skilled_public_cache_changed();
--> statement-breakpoint
CREATE TRIGGER course_ratings_public_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON course_ratings
FOR EACH STATEMENT EXECUTE FUNCTION skilled_public_cache_changed();
--> statement-breakpoint
-- Only what the counts see: an enrolment's status, not its completion mark.
CREATE TRIGGER course_enrollments_public_cache AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF status, course_id ON course_enrollments
FOR EACH STATEMENT EXECUTE FUNCTION skilled_public_cache_changed();
--> statement-breakpoint
CREATE TRIGGER assignments_public_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON assignments
FOR EACH STATEMENT EXECUTE FUNCTION skilled_public_cache_changed();
--> statement-breakpoint
CREATE TRIGGER quizzes_public_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON quizzes
FOR EACH STATEMENT EXECUTE FUNCTION skilled_public_cache_changed();
--> statement-breakpoint
CREATE TRIGGER quiz_questions_public_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON quiz_questions
FOR EACH STATEMENT EXECUTE FUNCTION skilled_public_cache_changed();
--> statement-breakpoint
-- Instructors and reviewers are shown by name and avatar.
CREATE TRIGGER users_public_cache AFTER UPDATE OF first_name, last_name, username, avatar_url ON users
FOR EACH STATEMENT EXECUTE FUNCTION skilled_public_cache_changed();
--> statement-breakpoint
-- Per-course counts kept up to date by triggers, so that ranking every course (recommendations) does
-- not count every enrolment and rating of the platform on each request.
CREATE TABLE IF NOT EXISTS course_stats (
  course_id uuid PRIMARY KEY REFERENCES courses(id) ON DELETE CASCADE,
  active_enrollments integer NOT NULL DEFAULT 0,
  rating_count integer NOT NULL DEFAULT 0,
  rating_sum integer NOT NULL DEFAULT 0
);
--> statement-breakpoint
INSERT INTO course_stats (course_id, active_enrollments, rating_count, rating_sum)
SELECT c.id,
  (SELECT count(*) FROM course_enrollments e WHERE e.course_id = c.id AND e.status = 'active'),
  (SELECT count(*) FROM course_ratings r WHERE r.course_id = c.id),
  (SELECT coalesce(sum(r.rating), 0) FROM course_ratings r WHERE r.course_id = c.id)
FROM courses c
ON CONFLICT (course_id) DO NOTHING;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION course_stats_new_course() RETURNS trigger AS $$
BEGIN
  INSERT INTO course_stats (course_id) VALUES (NEW.id) ON CONFLICT (course_id) DO NOTHING;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER courses_stats AFTER INSERT ON courses
FOR EACH ROW EXECUTE FUNCTION course_stats_new_course();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION course_stats_enrollment() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'active' THEN
    UPDATE course_stats SET active_enrollments = active_enrollments - 1 WHERE course_id = OLD.course_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'active' THEN
    UPDATE course_stats SET active_enrollments = active_enrollments + 1 WHERE course_id = NEW.course_id;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER course_enrollments_stats AFTER INSERT OR DELETE OR UPDATE OF status, course_id ON course_enrollments
FOR EACH ROW EXECUTE FUNCTION course_stats_enrollment();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION course_stats_rating() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE course_stats SET rating_count = rating_count - 1, rating_sum = rating_sum - OLD.rating WHERE course_id = OLD.course_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE course_stats SET rating_count = rating_count + 1, rating_sum = rating_sum + NEW.rating WHERE course_id = NEW.course_id;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER course_ratings_stats AFTER INSERT OR DELETE OR UPDATE OF rating, course_id ON course_ratings
FOR EACH ROW EXECUTE FUNCTION course_stats_rating();
--> statement-breakpoint
-- A course page lists its newest ratings first.
CREATE INDEX IF NOT EXISTS course_ratings_course_created_idx ON course_ratings (course_id, created_at DESC, id DESC);
--> statement-breakpoint
-- A course's active students, read from the index alone (recommendations sample "similar learners").
CREATE INDEX IF NOT EXISTS course_enrollments_course_active_idx ON course_enrollments (course_id, student_id) WHERE status = 'active';
