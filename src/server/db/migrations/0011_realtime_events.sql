CREATE TABLE "events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"user_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"course_id" uuid,
	"staff_only" boolean DEFAULT false NOT NULL,
	"admins" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "events_created_idx" ON "events" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "events_course_idx" ON "events" USING btree ("course_id");--> statement-breakpoint
CREATE INDEX "events_user_ids_idx" ON "events" USING gin ("user_ids");