ALTER TABLE "moderation_actions" DROP CONSTRAINT "moderation_actions_action_check";--> statement-breakpoint
ALTER TABLE "moderation_actions" ALTER COLUMN "submission_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "moderation_actions" ADD COLUMN "architecture_fingerprint" text;--> statement-breakpoint
ALTER TABLE "moderation_actions" ADD COLUMN "previous_name" text;--> statement-breakpoint
ALTER TABLE "moderation_actions" ADD COLUMN "name" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "slot" text;--> statement-breakpoint
-- Slots of the runs stored before: the same key as schema/slot.ts slotKey writes.
UPDATE "runs" SET "slot" = concat_ws('/', "architecture_fingerprint", "suite_id" || '@' || "suite_version", "dataset_id",
  CASE WHEN "corruption_kind" = 'partial' THEN 'partial-' || "corruption_p"::text ELSE "corruption_kind" END,
  "regularizer", 'seed-' || "seed");--> statement-breakpoint
ALTER TABLE "runs" ALTER COLUMN "slot" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "outcome_sha256" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "slot_role" text;--> statement-breakpoint
-- Roles of the visible runs stored before, by acceptance (run id). Their outcomes were not
-- recorded, so a later run of the same backend cannot be shown identical: it contests.
WITH "ordered" AS (
  SELECT "id", "backend", first_value("backend") OVER "w" AS "standing_backend", row_number() OVER "w" AS "n"
  FROM "runs" WHERE "visible" WINDOW "w" AS (PARTITION BY "slot" ORDER BY "id")
)
UPDATE "runs" SET "slot_role" = CASE WHEN "ordered"."n" = 1 THEN 'standing'
  WHEN "ordered"."backend" = "ordered"."standing_backend" THEN 'contest' ELSE 'replicate' END
FROM "ordered" WHERE "runs"."id" = "ordered"."id";--> statement-breakpoint
ALTER TABLE "moderation_actions" ADD CONSTRAINT "moderation_actions_architecture_fingerprint_architectures_fingerprint_fk" FOREIGN KEY ("architecture_fingerprint") REFERENCES "public"."architectures"("fingerprint") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "moderation_actions_architecture_idx" ON "moderation_actions" USING btree ("architecture_fingerprint");--> statement-breakpoint
CREATE UNIQUE INDEX "runs_standing_slot_key" ON "runs" USING btree ("slot") WHERE "runs"."slot_role" = 'standing';--> statement-breakpoint
CREATE INDEX "runs_slot_idx" ON "runs" USING btree ("slot","id");--> statement-breakpoint
ALTER TABLE "moderation_actions" ADD CONSTRAINT "moderation_actions_target_check" CHECK (case when "moderation_actions"."action" = 'rename'
        then "moderation_actions"."submission_id" is null and "moderation_actions"."architecture_fingerprint" is not null
          and "moderation_actions"."previous_name" is not null and "moderation_actions"."name" is not null
        else "moderation_actions"."submission_id" is not null and "moderation_actions"."architecture_fingerprint" is null
          and "moderation_actions"."previous_name" is null and "moderation_actions"."name" is null end);--> statement-breakpoint
ALTER TABLE "moderation_actions" ADD CONSTRAINT "moderation_actions_action_check" CHECK ("moderation_actions"."action" in ('hide', 'show', 'rename'));--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_slot_role_check" CHECK ("runs"."slot_role" in ('standing', 'confirmation', 'contest', 'replicate') and ("runs"."slot_role" is null or "runs"."visible"));