ALTER TABLE "quizzes" ALTER COLUMN "time_limit" SET DATA TYPE double precision;--> statement-breakpoint
ALTER TABLE "quiz_submissions" ADD COLUMN "deadline" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "quiz_submissions" ADD COLUMN "late" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "quiz_submissions" ADD COLUMN "expired" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "quiz_submissions" ADD COLUMN "results" jsonb;