CREATE TABLE "architectures" (
	"fingerprint" text PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"input_shape" jsonb NOT NULL,
	"parameter_count" bigint NOT NULL,
	"topology" jsonb NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "moderation_actions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "moderation_actions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"submission_id" text NOT NULL,
	"action" text NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "moderation_actions_action_check" CHECK ("moderation_actions"."action" in ('hide', 'show'))
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"submission_id" text NOT NULL,
	"visible" boolean DEFAULT true NOT NULL,
	"submitter_keyid" text NOT NULL,
	"backend" text NOT NULL,
	"position" integer NOT NULL,
	"architecture_fingerprint" text NOT NULL,
	"suite_id" text NOT NULL,
	"suite_version" integer NOT NULL,
	"dataset_id" text NOT NULL,
	"corruption_kind" text NOT NULL,
	"corruption_p" double precision,
	"regularizer" text NOT NULL,
	"seed" integer NOT NULL,
	"status" text NOT NULL,
	"failure" text,
	"epochs_to_fit" integer,
	"steps_to_fit" integer,
	"final_train_acc" double precision,
	"final_test_acc" double precision,
	"gen_gap" double precision,
	"slowdown" double precision,
	"wall_seconds" double precision NOT NULL,
	"wall_seconds_to_fit" double precision,
	"task" jsonb NOT NULL,
	"curve" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "submissions" (
	"id" text PRIMARY KEY NOT NULL,
	"payload_sha256" text NOT NULL,
	"submitter_keyid" text NOT NULL,
	"suite_id" text NOT NULL,
	"suite_version" integer NOT NULL,
	"suite_digest" text NOT NULL,
	"runner_version" text NOT NULL,
	"tfjs_version" text NOT NULL,
	"backend" text NOT NULL,
	"backend_detail" text NOT NULL,
	"hardware" jsonb NOT NULL,
	"architectures" jsonb NOT NULL,
	"run_count" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"envelope" jsonb NOT NULL,
	"status" text DEFAULT 'visible' NOT NULL,
	CONSTRAINT "submissions_status_check" CHECK ("submissions"."status" in ('visible', 'hidden'))
);
--> statement-breakpoint
CREATE TABLE "submitters" (
	"keyid" text PRIMARY KEY NOT NULL,
	"public_key" text NOT NULL,
	"display_name" text,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "moderation_actions" ADD CONSTRAINT "moderation_actions_submission_id_submissions_id_fk" FOREIGN KEY ("submission_id") REFERENCES "public"."submissions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_submission_id_submissions_id_fk" FOREIGN KEY ("submission_id") REFERENCES "public"."submissions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_architecture_fingerprint_architectures_fingerprint_fk" FOREIGN KEY ("architecture_fingerprint") REFERENCES "public"."architectures"("fingerprint") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_submitter_keyid_submitters_keyid_fk" FOREIGN KEY ("submitter_keyid") REFERENCES "public"."submitters"("keyid") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "moderation_actions_submission_idx" ON "moderation_actions" USING btree ("submission_id");--> statement-breakpoint
CREATE UNIQUE INDEX "runs_submission_position_key" ON "runs" USING btree ("submission_id","position");--> statement-breakpoint
CREATE INDEX "runs_board_idx" ON "runs" USING btree ("suite_id","suite_version","dataset_id","architecture_fingerprint");--> statement-breakpoint
CREATE INDEX "runs_architecture_idx" ON "runs" USING btree ("architecture_fingerprint");--> statement-breakpoint
CREATE UNIQUE INDEX "submissions_payload_sha256_key" ON "submissions" USING btree ("payload_sha256");--> statement-breakpoint
CREATE INDEX "submissions_suite_idx" ON "submissions" USING btree ("suite_id","suite_version","received_at");--> statement-breakpoint
CREATE INDEX "submissions_submitter_idx" ON "submissions" USING btree ("submitter_keyid","received_at");--> statement-breakpoint
CREATE INDEX "submissions_received_idx" ON "submissions" USING btree ("received_at","id");