// Over 350 lines on purpose: every table in one file, as drizzle-kit reads them to write migrations.
// The leaderboard's Postgres tables as drizzle definitions; drizzle-kit turns them into the
// SQL migrations in schema/migrations. Nothing a submitter sent is ever deleted: moderation
// hides. The board tables (board_rows and its companions) are derived from the runs.
import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type {
  Architecture,
  ComparisonMode,
  Divergence,
  Envelope,
  Environment,
  EpochPoint,
  JsonObject,
  ModerationAction,
  RunMeasures,
  SlotRole,
  Task,
  TorchEngine,
  Verdict,
} from "../contract/index.js";

/** Signing keys, registered on first use. `keyid` is the hex SHA-256 of the raw public key. */
export const submitters = /* @__PURE__ */ pgTable("submitters", {
  keyid: text("keyid").primaryKey(),
  publicKey: text("public_key").notNull(),
  /** The name the latest bundle gave, if any. */
  displayName: text("display_name"),
  firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Architectures by fingerprint (SHA-256 of the canonical topology), as first submitted. */
export const architectures = /* @__PURE__ */ pgTable("architectures", {
  fingerprint: text("fingerprint").primaryKey(),
  slug: text("slug").notNull(),
  name: text("name").notNull(),
  kind: text("kind").$type<Architecture["kind"]>().notNull(),
  inputShape: jsonb("input_shape").$type<Architecture["inputShape"]>().notNull(),
  parameterCount: bigint("parameter_count", { mode: "number" }).notNull(),
  topology: jsonb("topology").$type<JsonObject>().notNull(),
  firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * One verified bundle. `id` is `sub_` and a prefix of `payload_sha256`, the content
 * address, so an identical bundle always maps to the same row.
 */
export const submissions = /* @__PURE__ */ pgTable(
  "submissions",
  {
    id: text("id").primaryKey(),
    payloadSha256: text("payload_sha256").notNull(),
    submitterKeyid: text("submitter_keyid")
      .notNull()
      .references(() => submitters.keyid),
    suiteId: text("suite_id").notNull(),
    suiteVersion: integer("suite_version").notNull(),
    suiteDigest: text("suite_digest").notNull(),
    runnerVersion: text("runner_version").notNull(),
    tfjsVersion: text("tfjs_version").notNull(),
    backend: text("backend").$type<Environment["backend"]>().notNull(),
    backendDetail: text("backend_detail").notNull(),
    hardware: jsonb("hardware").$type<Environment["hardware"]>().notNull(),
    /** The PyTorch engine record (torch, CUDA, cuDNN versions, device); null for TF.js runs. */
    engine: jsonb("engine").$type<TorchEngine>(),
    /** Fingerprints of the bundle's architectures. */
    architectures: jsonb("architectures").$type<string[]>().notNull(),
    runCount: integer("run_count").notNull(),
    /** When the submitter's runner wrote the bundle (claimed, signed). */
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    /** The DSSE envelope exactly as verified, so anyone can verify it again. */
    envelope: jsonb("envelope").$type<Envelope>().notNull(),
    status: text("status").$type<"visible" | "hidden">().notNull().default("visible"),
  },
  (t) => [
    uniqueIndex("submissions_payload_sha256_key").on(t.payloadSha256),
    index("submissions_suite_idx").on(t.suiteId, t.suiteVersion, t.receivedAt),
    index("submissions_submitter_idx").on(t.submitterKeyid, t.receivedAt),
    index("submissions_received_idx").on(t.receivedAt, t.id),
    check("submissions_status_check", sql`${t.status} in ('visible', 'hidden')`),
  ],
);

/** The values `runs.slot_role` may hold, as the check constraint lists them. */
const slotRoleList = /* @__PURE__ */ sql`('standing', 'confirmation', 'contest', 'replicate')`;

/**
 * One run of a submission: its task as columns for the ranking queries, the metrics the
 * server derived from its curve, and the curve itself.
 */
export const runs = /* @__PURE__ */ pgTable(
  "runs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    submissionId: text("submission_id")
      .notNull()
      .references(() => submissions.id),
    // Copied from the submission (and kept in step by moderation) so the ranking query reads
    // this one table: embedded PGlite runs no autovacuum, so a join would be planned without
    // statistics, and badly.
    visible: boolean("visible").notNull().default(true),
    submitterKeyid: text("submitter_keyid").notNull(),
    backend: text("backend").$type<Environment["backend"]>().notNull(),
    /** The run's index in the bundle. */
    position: integer("position").notNull(),
    architectureFingerprint: text("architecture_fingerprint")
      .notNull()
      .references(() => architectures.fingerprint),
    suiteId: text("suite_id").notNull(),
    suiteVersion: integer("suite_version").notNull(),
    datasetId: text("dataset_id").notNull(),
    corruptionKind: text("corruption_kind").notNull(),
    /** The label-corruption probability of a `partial` run; null for the other kinds. */
    corruptionP: doublePrecision("corruption_p"),
    regularizer: text("regularizer").notNull(),
    seed: integer("seed").notNull(),
    status: text("status").$type<"ok" | "failed">().notNull(),
    failure: text("failure"),
    epochsToFit: integer("epochs_to_fit"),
    stepsToFit: integer("steps_to_fit"),
    finalTrainAcc: doublePrecision("final_train_acc"),
    finalTestAcc: doublePrecision("final_test_acc"),
    genGap: doublePrecision("gen_gap"),
    slowdown: doublePrecision("slowdown"),
    wallSeconds: doublePrecision("wall_seconds").notNull(),
    /** Cumulative training seconds up to the epoch that fitted; null when censored. */
    wallSecondsToFit: doublePrecision("wall_seconds_to_fit"),
    task: jsonb("task").$type<Task>().notNull(),
    curve: jsonb("curve").$type<EpochPoint[]>().notNull(),
    /** Complexity measures of the final weights (docs/measures.md); null on failed runs and older suites. */
    measures: jsonb("measures").$type<RunMeasures>(),
    /** The run's slot (schema/slot.ts `slotKey`): architecture fingerprint, task and seed. */
    slot: text("slot").notNull(),
    /**
     * SHA-256 of what the run measured, wall times aside (schema/slot.ts `outcomeDigest`); null
     * for runs stored before outcomes were recorded, which nothing can confirm.
     */
    outcomeSha256: text("outcome_sha256"),
    /**
     * The run's place among the visible runs of its slot, by acceptance (run id): the first
     * stands, later ones confirm, contest or replicate it. Null while the run is hidden.
     */
    slotRole: text("slot_role").$type<SlotRole>(),
    // Reproduction verdicts on this run, kept in step by the transaction that stores a
    // reproduction so the board reads counts from this table alone (see `reproductionRuns`).
    // Only each key's first verdict counts, and only keys other than the run's submitter's.
    reproducedExact: integer("reproduced_exact").notNull().default(0),
    notReproduced: integer("not_reproduced").notNull().default(0),
    reproducedConsistent: integer("reproduced_consistent").notNull().default(0),
    reproducedInconsistent: integer("reproduced_inconsistent").notNull().default(0),
    /** An operator reproducer key (other than the submitter's) reproduced it exactly. */
    verified: boolean("verified").notNull().default(false),
    /** Some operator reproducer key gave it a verdict: it has left the reproduction queue. */
    operatorJudged: boolean("operator_judged").notNull().default(false),
    /** The first reproduction by another key that did not reproduce it (not reproduced, inconsistent). */
    contestReproductionId: text("contest_reproduction_id").references((): AnyPgColumn => reproductions.id),
  },
  (t) => [
    uniqueIndex("runs_submission_position_key").on(t.submissionId, t.position),
    // One standing result per slot, whatever two concurrent submissions do.
    uniqueIndex("runs_standing_slot_key").on(t.slot).where(sql`${t.slotRole} = 'standing'`),
    index("runs_slot_idx").on(t.slot, t.id),
    check("runs_slot_role_check", sql`${t.slotRole} in ${slotRoleList} and (${t.slotRole} is null or ${t.visible})`),
    index("runs_board_idx").on(t.suiteId, t.suiteVersion, t.datasetId, t.architectureFingerprint),
    index("runs_architecture_idx").on(t.architectureFingerprint),
    // The reproduction queue: standing results no operator key has judged yet.
    index("runs_unjudged_idx").on(t.submissionId).where(sql`${t.slotRole} = 'standing' and not ${t.operatorJudged}`),
    // A run's standing true-label sibling (slowdown.ts) in one lookup: through runs_board_idx each
    // lookup scanned every run of the architecture, quadratic in them when the planner misjudged
    // their number (stale statistics: PGlite never analyzes by itself).
    index("runs_true_label_standing_idx")
      .on(t.architectureFingerprint, t.suiteId, t.suiteVersion, t.datasetId, t.regularizer, t.seed)
      .where(sql`${t.slotRole} = 'standing' and ${t.corruptionKind} = 'true'`),
  ],
);

/**
 * One verified reproduction attestation (schema/attestation.ts). `id` is `rep_` and a prefix of
 * `payload_sha256`, so the same attestation always maps to the same row.
 */
export const reproductions = /* @__PURE__ */ pgTable(
  "reproductions",
  {
    id: text("id").primaryKey(),
    payloadSha256: text("payload_sha256").notNull(),
    /** The submission it reproduces (the attestation's subject). */
    submissionId: text("submission_id")
      .notNull()
      .references(() => submissions.id),
    /** The reproducer's key, registered like a submitter's. */
    reproducerKeyid: text("reproducer_keyid")
      .notNull()
      .references(() => submitters.keyid),
    /** Whether the key was one of the server's operator reproducer keys when the attestation arrived. */
    operator: boolean("operator").notNull(),
    mode: text("mode").$type<ComparisonMode>().notNull(),
    backend: text("backend").$type<Environment["backend"]>().notNull(),
    backendDetail: text("backend_detail").notNull(),
    runnerVersion: text("runner_version").notNull(),
    tfjsVersion: text("tfjs_version").notNull(),
    hardware: jsonb("hardware").$type<Environment["hardware"]>().notNull(),
    /** The reproducer's PyTorch engine record; null for TF.js reproductions. */
    engine: jsonb("engine").$type<TorchEngine>(),
    /** When the reproducer's runner signed it (claimed, signed). */
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    /** The DSSE envelope exactly as verified, so anyone can verify it again. */
    envelope: jsonb("envelope").$type<Envelope>().notNull(),
  },
  (t) => [
    uniqueIndex("reproductions_payload_sha256_key").on(t.payloadSha256),
    index("reproductions_submission_idx").on(t.submissionId, t.receivedAt, t.id),
    check("reproductions_mode_check", sql`${t.mode} in ('exact', 'tolerance')`),
  ],
);

/**
 * Each run a reproduction judged, with its verdict. Only a key's first verdict on a run is
 * `counted` (a unique index among counted rows); later ones are kept, uncounted.
 */
export const reproductionRuns = /* @__PURE__ */ pgTable(
  "reproduction_runs",
  {
    reproductionId: text("reproduction_id")
      .notNull()
      .references(() => reproductions.id),
    /** The run's index in the original bundle. */
    position: integer("position").notNull(),
    runId: bigint("run_id", { mode: "number" })
      .notNull()
      .references(() => runs.id),
    reproducerKeyid: text("reproducer_keyid").notNull(),
    verdict: text("verdict").$type<Verdict>().notNull(),
    firstDivergence: jsonb("first_divergence").$type<Divergence>(),
    counted: boolean("counted").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.reproductionId, t.position] }),
    uniqueIndex("reproduction_runs_counted_key").on(t.runId, t.reproducerKeyid).where(sql`${t.counted}`),
    index("reproduction_runs_run_idx").on(t.runId),
    check(
      "reproduction_runs_verdict_check",
      sql`${t.verdict} in ('exact', 'not-reproduced', 'consistent', 'inconsistent')`,
    ),
  ],
);

/**
 * The audit trail of moderation, with a reason each: every hide and show of a submission and
 * every rename of an architecture (with the name before and after). Append-only.
 */
export const moderationActions = /* @__PURE__ */ pgTable(
  "moderation_actions",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    /** The submission hidden or shown; null for an architecture's event. */
    submissionId: text("submission_id").references(() => submissions.id),
    /** The architecture renamed; null for a submission's event. */
    architectureFingerprint: text("architecture_fingerprint").references(() => architectures.fingerprint),
    action: text("action").$type<ModerationAction["action"]>().notNull(),
    /** A rename's display names before and after; null for hide and show. */
    previousName: text("previous_name"),
    name: text("name"),
    reason: text("reason").notNull(),
    /** The operator reproduction whose "not reproduced" verdict caused a hide; null for a moderator's action. */
    reproductionId: text("reproduction_id").references(() => reproductions.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("moderation_actions_submission_idx").on(t.submissionId),
    check("moderation_actions_reproduction_check", sql`${t.reproductionId} is null or ${t.action} = 'hide'`),
    index("moderation_actions_architecture_idx").on(t.architectureFingerprint),
    check("moderation_actions_action_check", sql`${t.action} in ('hide', 'show', 'rename')`),
    // Hide and show name a submission; a rename names an architecture and both names.
    check(
      "moderation_actions_target_check",
      sql`case when ${t.action} = 'rename'
        then ${t.submissionId} is null and ${t.architectureFingerprint} is not null
          and ${t.previousName} is not null and ${t.name} is not null
        else ${t.submissionId} is not null and ${t.architectureFingerprint} is null
          and ${t.previousName} is null and ${t.name} is null end`,
    ),
  ],
);

/** The columns that name a board scope, in board_rows and board_totals alike (new builders per table). */
function boardScopeColumns() {
  return {
    suiteId: text("suite_id").notNull(),
    suiteVersion: integer("suite_version").notNull(),
    datasetId: text("dataset_id").notNull(),
    /** '' for the board over every backend, else the one backend whose runs the row rests on. */
    backend: text("backend").notNull(),
    /** The `verified=only` board: the row rests on standing results an operator reproduced exactly. */
    verifiedOnly: boolean("verified_only").notNull(),
  };
}

/**
 * One row of a board scope per architecture: the figures the board shows, computed by the write
 * that changed them (api/db/queries/board-rows.ts) so that a read is an indexed ORDER BY … LIMIT
 * instead of a grouped pass over every run. A scope is a board (suite version and dataset) read
 * over every backend (`backend` '') or one backend's runs, over all visible runs or over the
 * verified standing results only. A row exists exactly when its scope has runs of the architecture.
 */
export const boardRows = /* @__PURE__ */ pgTable(
  "board_rows",
  {
    ...boardScopeColumns(),
    architectureFingerprint: text("architecture_fingerprint").notNull(),
    /** Of a baseline kind (kernels): listed beside the ranking, never ranked. */
    baseline: boolean("baseline").notNull(),
    // The sort keys are float8 so that Postgres's order of NaN after +Infinity does the work of
    // "nulls last": 'NaN' when the row has no runs of the metric, +Infinity when censored.
    /** least(median steps to fit random labels, +Infinity); 'NaN' without random-label runs. */
    memorizationKey: doublePrecision("memorization_key").notNull(),
    /** The censored median of true-label steps to fit is finite: the row takes a gap rank. */
    fitsTrueLabels: boolean("fits_true_labels").notNull(),
    /** least(median generalization gap on true labels, +Infinity); 'NaN' without finished true-label runs. */
    gapKey: doublePrecision("gap_key").notNull(),
    /** The row's figures (BoardRowFigures in board-rows.ts); the architecture's summary is joined at read. */
    figures: jsonb("figures").$type<JsonObject>().notNull(),
  },
  (t) => [
    // The architecture before the scope: a write replaces one architecture's rows of every scope
    // of a board, found through this key (behind the scope, that would scan the board's rows).
    // Named: drizzle's default name (every column's) runs past Postgres's 63-character limit.
    primaryKey({
      name: "board_rows_pkey",
      columns: [t.suiteId, t.suiteVersion, t.datasetId, t.architectureFingerprint, t.backend, t.verifiedOnly],
    }),
    // Named for the same reason (the default is 64 characters).
    foreignKey({
      name: "board_rows_architecture_fk",
      columns: [t.architectureFingerprint],
      foreignColumns: [architectures.fingerprint],
    }),
    // A page of either ranking reads one of these in order: index-only, O(page).
    index("board_rows_memorization_idx").on(
      t.suiteId,
      t.suiteVersion,
      t.datasetId,
      t.backend,
      t.verifiedOnly,
      t.baseline,
      t.memorizationKey,
      t.architectureFingerprint,
    ),
    index("board_rows_gap_idx").on(
      t.suiteId,
      t.suiteVersion,
      t.datasetId,
      t.backend,
      t.verifiedOnly,
      t.baseline,
      t.fitsTrueLabels,
      t.gapKey,
      t.architectureFingerprint,
    ),
  ],
);

/**
 * How many rows each board scope holds, kept by delta with board_rows, so that a page's total
 * is one lookup instead of a count over the scope. A scope without rows has no row here.
 */
export const boardTotals = /* @__PURE__ */ pgTable(
  "board_totals",
  {
    ...boardScopeColumns(),
    /** Rows of the scope, baselines included. */
    architectures: integer("architectures").notNull(),
    /** Rows that are not baselines: the memorization ranking's total. */
    ranked: integer("ranked").notNull(),
    /** Rows that are not baselines and fit true labels: the gap ranking's total. */
    fitted: integer("fitted").notNull(),
  },
  (t) => [
    primaryKey({
      name: "board_totals_pkey",
      columns: [t.suiteId, t.suiteVersion, t.datasetId, t.backend, t.verifiedOnly],
    }),
  ],
);

/**
 * Every board with visible runs and how many visible submissions have runs on it (the board
 * picker's count), kept by delta when a submission is stored, hidden or shown.
 */
export const boards = /* @__PURE__ */ pgTable(
  "boards",
  {
    suiteId: text("suite_id").notNull(),
    suiteVersion: integer("suite_version").notNull(),
    datasetId: text("dataset_id").notNull(),
    submissions: integer("submissions").notNull(),
  },
  (t) => [primaryKey({ name: "boards_pkey", columns: [t.suiteId, t.suiteVersion, t.datasetId] })],
);

/**
 * Which version of a stored aggregate's computation built its rows (`board_rows`): opening the
 * database rebuilds an aggregate whose version the code has moved past.
 */
export const aggregateBuilds = /* @__PURE__ */ pgTable("aggregate_builds", {
  name: text("name").primaryKey(),
  version: integer("version").notNull(),
  builtAt: timestamp("built_at", { withTimezone: true }).notNull().defaultNow(),
});
