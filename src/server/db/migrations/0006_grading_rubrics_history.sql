CREATE TABLE "grade_history" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"submission_id" uuid NOT NULL,
	"sequence" integer NOT NULL,
	"grade" real NOT NULL,
	"feedback" text,
	"rubric_scores" jsonb,
	"graded_by" uuid,
	"graded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "grade_history_grade_nonnegative" CHECK ("grade_history"."grade" >= 0)
);
--> statement-breakpoint
CREATE TABLE "rubric_criteria" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"assignment_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rubric_levels" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"criterion_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"points" integer NOT NULL,
	CONSTRAINT "rubric_levels_points_nonnegative" CHECK ("rubric_levels"."points" >= 0)
);
--> statement-breakpoint
ALTER TABLE "grade_history" ADD CONSTRAINT "grade_history_submission_id_assignment_submissions_id_fk" FOREIGN KEY ("submission_id") REFERENCES "public"."assignment_submissions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grade_history" ADD CONSTRAINT "grade_history_graded_by_users_id_fk" FOREIGN KEY ("graded_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rubric_criteria" ADD CONSTRAINT "rubric_criteria_assignment_id_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."assignments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rubric_levels" ADD CONSTRAINT "rubric_levels_criterion_id_rubric_criteria_id_fk" FOREIGN KEY ("criterion_id") REFERENCES "public"."rubric_criteria"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "grade_history_submission_sequence_unique" ON "grade_history" USING btree ("submission_id","sequence");--> statement-breakpoint
CREATE INDEX "grade_history_graded_by_idx" ON "grade_history" USING btree ("graded_by");--> statement-breakpoint
CREATE UNIQUE INDEX "rubric_criteria_assignment_position_unique" ON "rubric_criteria" USING btree ("assignment_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "rubric_levels_criterion_position_unique" ON "rubric_levels" USING btree ("criterion_id","position");