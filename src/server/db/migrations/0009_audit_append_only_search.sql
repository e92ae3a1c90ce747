-- The audit log is append-only: no UPDATE or DELETE is allowed, except the one the foreign key makes
-- when an actor's account is deleted (ON DELETE SET NULL on actor_id, changing nothing else).
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
     AND (NEW.id, NEW.actor_role, NEW.action, NEW.target_type, NEW.target_id, NEW.before, NEW.after,
          NEW.ip, NEW.request_id, NEW.created_at)
         IS NOT DISTINCT FROM
         (OLD.id, OLD.actor_role, OLD.action, OLD.target_type, OLD.target_id, OLD.before, OLD.after,
          OLD.ip, OLD.request_id, OLD.created_at)
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'SK002';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only
BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_log_no_truncate() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'SK002';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate
BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_no_truncate();
--> statement-breakpoint
-- Full-text search over courses and lessons: the title weighs more (A) than the description (B).
-- Queries call the same function, so that these expression indexes serve them.
CREATE OR REPLACE FUNCTION skilled_search_document(title text, body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
      || setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'B')
$$;
--> statement-breakpoint
CREATE INDEX courses_search_idx ON courses USING gin (skilled_search_document(title, description));
--> statement-breakpoint
CREATE INDEX lessons_search_idx ON lessons USING gin (skilled_search_document(title, description));
