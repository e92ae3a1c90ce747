-- A course may not require itself through any chain of prerequisites. Checked in the database so
-- that two concurrent edits cannot build a cycle between them.
CREATE OR REPLACE FUNCTION course_prerequisites_no_cycle() RETURNS trigger AS $$
BEGIN
  -- Serialise prerequisite writes: a cycle needs two edges, and two concurrent inserts
  -- could each pass the check below without seeing the other.
  PERFORM pg_advisory_xact_lock(4242001);
  IF EXISTS (
    WITH RECURSIVE reachable(course_id) AS (
      SELECT NEW.prerequisite_id
      UNION
      SELECT cp.prerequisite_id FROM course_prerequisites cp
      JOIN reachable r ON cp.course_id = r.course_id
    )
    SELECT 1 FROM reachable WHERE course_id = NEW.course_id
  ) THEN
    RAISE EXCEPTION 'prerequisite cycle' USING ERRCODE = 'SK001';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER course_prerequisites_no_cycle
BEFORE INSERT OR UPDATE ON course_prerequisites
FOR EACH ROW EXECUTE FUNCTION course_prerequisites_no_cycle();
