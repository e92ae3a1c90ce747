-- A whole audience (everyone, on a platform of 200,000 users) is written a page of recipients per
-- transaction: the queued row keeps the last person written, from whom the next page goes on.
ALTER TABLE "notification_queue" ADD COLUMN IF NOT EXISTS "after_user_id" uuid;
