CREATE TABLE "reproduction_runs" (
	"reproduction_id" text NOT NULL,
	"position" integer NOT NULL,
	"run_id" bigint NOT NULL,
	"reproducer_keyid" text NOT NULL,
	"verdict" text NOT NULL,
	"first_divergence" jsonb,
	"counted" boolean NOT NULL,
	CONSTRAINT "reproduction_runs_reproduction_id_position_pk" PRIMARY KEY("reproduction_id","position"),
	CONSTRAINT "reproduction_runs_verdict_check" CHECK ("reproduction_runs"."verdict" in ('exact', 'not-reproduced', 'consistent', 'inconsistent'))
);
--> statement-breakpoint
CREATE TABLE "reproductions" (
	"id" text PRIMARY KEY NOT NULL,
	"payload_sha256" text NOT NULL,
	"submission_id" text NOT NULL,
	"reproducer_keyid" text NOT NULL,
	"operator" boolean NOT NULL,
	"mode" text NOT NULL,
	"backend" text NOT NULL,
	"backend_detail" text NOT NULL,
	"runner_version" text NOT NULL,
	"tfjs_version" text NOT NULL,
	"hardware" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"envelope" jsonb NOT NULL,
	CONSTRAINT "reproductions_mode_check" CHECK ("reproductions"."mode" in ('exact', 'tolerance'))
);
--> statement-breakpoint
ALTER TABLE "moderation_actions" ADD COLUMN "reproduction_id" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "reproduced_exact" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "not_reproduced" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "reproduced_consistent" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "reproduced_inconsistent" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "verified" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "operator_judged" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "contest_reproduction_id" text;--> statement-breakpoint
ALTER TABLE "reproduction_runs" ADD CONSTRAINT "reproduction_runs_reproduction_id_reproductions_id_fk" FOREIGN KEY ("reproduction_id") REFERENCES "public"."reproductions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reproduction_runs" ADD CONSTRAINT "reproduction_runs_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reproductions" ADD CONSTRAINT "reproductions_submission_id_submissions_id_fk" FOREIGN KEY ("submission_id") REFERENCES "public"."submissions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reproductions" ADD CONSTRAINT "reproductions_reproducer_keyid_submitters_keyid_fk" FOREIGN KEY ("reproducer_keyid") REFERENCES "public"."submitters"("keyid") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "reproduction_runs_counted_key" ON "reproduction_runs" USING btree ("run_id","reproducer_keyid") WHERE "reproduction_runs"."counted";--> statement-breakpoint
CREATE INDEX "reproduction_runs_run_idx" ON "reproduction_runs" USING btree ("run_id");--> statement-breakpoint
CREATE UNIQUE INDEX "reproductions_payload_sha256_key" ON "reproductions" USING btree ("payload_sha256");--> statement-breakpoint
CREATE INDEX "reproductions_submission_idx" ON "reproductions" USING btree ("submission_id","received_at","id");--> statement-breakpoint
ALTER TABLE "moderation_actions" ADD CONSTRAINT "moderation_actions_reproduction_id_reproductions_id_fk" FOREIGN KEY ("reproduction_id") REFERENCES "public"."reproductions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_contest_reproduction_id_reproductions_id_fk" FOREIGN KEY ("contest_reproduction_id") REFERENCES "public"."reproductions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "runs_unjudged_idx" ON "runs" USING btree ("submission_id") WHERE "runs"."slot_role" = 'standing' and not "runs"."operator_judged";--> statement-breakpoint
ALTER TABLE "moderation_actions" ADD CONSTRAINT "moderation_actions_reproduction_check" CHECK ("moderation_actions"."reproduction_id" is null or "moderation_actions"."action" = 'hide');