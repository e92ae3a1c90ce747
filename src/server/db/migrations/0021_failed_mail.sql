-- Mail that ran out of attempts, counted by the metrics at every scrape: a small index, since sent mail
-- stays in the outbox.
CREATE INDEX IF NOT EXISTS "mail_outbox_failed_idx" ON "mail_outbox" USING btree ("created_at") WHERE "status" = 'failed';
