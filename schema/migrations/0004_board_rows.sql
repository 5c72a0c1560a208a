CREATE TABLE "aggregate_builds" (
	"name" text PRIMARY KEY NOT NULL,
	"version" integer NOT NULL,
	"built_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "board_rows" (
	"suite_id" text NOT NULL,
	"suite_version" integer NOT NULL,
	"dataset_id" text NOT NULL,
	"backend" text NOT NULL,
	"verified_only" boolean NOT NULL,
	"architecture_fingerprint" text NOT NULL,
	"baseline" boolean NOT NULL,
	"memorization_key" double precision NOT NULL,
	"fits_true_labels" boolean NOT NULL,
	"gap_key" double precision NOT NULL,
	"figures" jsonb NOT NULL,
	CONSTRAINT "board_rows_pkey" PRIMARY KEY("suite_id","suite_version","dataset_id","architecture_fingerprint","backend","verified_only")
);
--> statement-breakpoint
CREATE TABLE "board_totals" (
	"suite_id" text NOT NULL,
	"suite_version" integer NOT NULL,
	"dataset_id" text NOT NULL,
	"backend" text NOT NULL,
	"verified_only" boolean NOT NULL,
	"architectures" integer NOT NULL,
	"ranked" integer NOT NULL,
	"fitted" integer NOT NULL,
	CONSTRAINT "board_totals_pkey" PRIMARY KEY("suite_id","suite_version","dataset_id","backend","verified_only")
);
--> statement-breakpoint
CREATE TABLE "boards" (
	"suite_id" text NOT NULL,
	"suite_version" integer NOT NULL,
	"dataset_id" text NOT NULL,
	"submissions" integer NOT NULL,
	CONSTRAINT "boards_pkey" PRIMARY KEY("suite_id","suite_version","dataset_id")
);
--> statement-breakpoint
ALTER TABLE "board_rows" ADD CONSTRAINT "board_rows_architecture_fk" FOREIGN KEY ("architecture_fingerprint") REFERENCES "public"."architectures"("fingerprint") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "board_rows_memorization_idx" ON "board_rows" USING btree ("suite_id","suite_version","dataset_id","backend","verified_only","baseline","memorization_key","architecture_fingerprint");--> statement-breakpoint
CREATE INDEX "board_rows_gap_idx" ON "board_rows" USING btree ("suite_id","suite_version","dataset_id","backend","verified_only","baseline","fits_true_labels","gap_key","architecture_fingerprint");