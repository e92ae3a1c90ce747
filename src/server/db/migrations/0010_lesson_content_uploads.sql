CREATE TYPE "public"."upload_purpose" AS ENUM('lesson_media', 'submission');--> statement-breakpoint
CREATE TABLE "lesson_content_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"lesson_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"markdown" text NOT NULL,
	"change_note" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lesson_content_versions_version_positive" CHECK ("lesson_content_versions"."version" >= 1)
);
--> statement-breakpoint
CREATE TABLE "uploads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_id" uuid NOT NULL,
	"lesson_id" uuid,
	"purpose" "upload_purpose" NOT NULL,
	"file_name" text NOT NULL,
	"content_type" text NOT NULL,
	"size" bigint NOT NULL,
	"sha256" text NOT NULL,
	"storage_path" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "uploads_size_nonnegative" CHECK ("uploads"."size" >= 0),
	CONSTRAINT "uploads_lesson_media_has_lesson" CHECK ("uploads"."purpose" <> 'lesson_media' OR "uploads"."lesson_id" IS NOT NULL)
);
--> statement-breakpoint
ALTER TABLE "lesson_content_versions" ADD CONSTRAINT "lesson_content_versions_lesson_id_lessons_id_fk" FOREIGN KEY ("lesson_id") REFERENCES "public"."lessons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lesson_content_versions" ADD CONSTRAINT "lesson_content_versions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "uploads" ADD CONSTRAINT "uploads_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "uploads" ADD CONSTRAINT "uploads_lesson_id_lessons_id_fk" FOREIGN KEY ("lesson_id") REFERENCES "public"."lessons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "lesson_content_versions_lesson_version_unique" ON "lesson_content_versions" USING btree ("lesson_id","version");--> statement-breakpoint
CREATE INDEX "lesson_content_versions_created_by_idx" ON "lesson_content_versions" USING btree ("created_by");--> statement-breakpoint
CREATE INDEX "uploads_owner_idx" ON "uploads" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "uploads_lesson_idx" ON "uploads" USING btree ("lesson_id");--> statement-breakpoint
CREATE INDEX "uploads_purpose_idx" ON "uploads" USING btree ("purpose");