// Bodies of the leaderboard API (/api/v1): the pieces its resources share (ids, slot roles and
// counts, spreads, summaries) and the small bodies (suites, health). The server parses every
// response through these before it leaves, so the API cannot drift from the contract; clients
// parse them too. leaderboard.ts, architecture.ts, submission.ts and moderation.ts hold the rest.
import { z } from "zod";
import { Name, NonNegativeInt, PositiveInt, Sha256Hex, Slug } from "./common.js";
import { Architecture, InputShape } from "./payload.js";
import { Suite } from "./suite.js";

/**
 * A submission's id: `sub_` and the first 32 hex digits of the SHA-256 of its signed
 * payload, so the same bundle always has the same id.
 *
 * @example
 * SubmissionId.parse("sub_" + payloadSha256.slice(0, 32))
 */
export const SubmissionId = z.string().regex(/^sub_[0-9a-f]{32}$/, "must be sub_ followed by 32 lowercase hex digits");
export type SubmissionId = z.infer<typeof SubmissionId>;

/**
 * A visible result's place in its slot (architecture fingerprint, task, seed). The first
 * accepted visible result is `standing`: the one value of its seed in every median. A later
 * one on the same backend with identical curves (wall times aside) and predictions is a
 * `confirmation`; different, a `contest`; from another backend, a `replicate` — and so is a
 * different one on native TensorFlow (`tensorflow`), whose results are not bit for bit
 * reproducible (docs/determinism.md). None adds a sample.
 *
 * @example
 * SlotRole.parse("confirmation")
 */
export const SlotRole = z.enum(["standing", "confirmation", "contest", "replicate"]).meta({ id: "SlotRole" });
export type SlotRole = z.infer<typeof SlotRole>;

/**
 * What stands behind a row or condition, counted as what it is: seeds and standing results
 * (the samples), later results of the same slots (which add none), failed standing runs, and
 * distinct signing keys. Keys are free to make: many keys are not many people.
 *
 * @example
 * SlotCounts.parse(row.counts).confirmations // 2
 */
export const SlotCounts = z
  .strictObject({
    /** Distinct seeds with a standing result. */
    seeds: NonNegativeInt,
    /** Standing results: one per slot, the only runs medians and quartiles read. */
    standing: NonNegativeInt,
    /**
     * Later results identical to the standing one on the same backend, and exact reproductions of
     * a standing result by a key other than its submitter's.
     */
    confirmations: NonNegativeInt,
    /**
     * Later results on the same backend that differ from the standing one, and reproductions by
     * other keys that did not reproduce a standing result ("not reproduced", "inconsistent").
     */
    contests: NonNegativeInt,
    /**
     * Later results from another backend (no exact comparison is expected across backends), and
     * reproductions on another engine consistent with a standing result.
     */
    replicates: NonNegativeInt,
    /** Reproduction verdicts on the standing results by keys other than their submitters' (one per key and run). */
    reproductions: NonNegativeInt,
    /** Standing results that an operator reproducer key reproduced exactly: the verified ones. */
    verified: NonNegativeInt,
    /** Standing results whose run failed (NaN loss, out of memory): counted as never fitted. */
    failed: NonNegativeInt,
    /** Visible submissions the results come from. */
    submissions: NonNegativeInt,
    /** Distinct signing keys among those submissions. */
    keys: NonNegativeInt,
  })
  .meta({ id: "SlotCounts" });
export type SlotCounts = z.infer<typeof SlotCounts>;

/**
 * Whether an architecture fitted its training set on true labels: `fitted` when the censored
 * median of its standing true-label runs' steps to fit is finite (failed and censored runs
 * count as never fitted), `not-fitted` otherwise, `no-runs` without true-label runs. Only
 * `fitted` architectures are ranked by generalization gap: the paper measures the gap of
 * networks that fit their training set, and one that learns nothing has no gap to speak of.
 *
 * @example
 * TrueLabelFit.parse("not-fitted")
 */
export const TrueLabelFit = z.enum(["fitted", "not-fitted", "no-runs"]).meta({ id: "TrueLabelFit" });
export type TrueLabelFit = z.infer<typeof TrueLabelFit>;

/**
 * Whether operator reproducers stand behind a row, a submission or a run: `verified` when every
 * standing result was reproduced exactly by an operator key, `partly` when some were,
 * `unverified` when none was.
 *
 * @example
 * Verification.parse(row.verification) // "verified"
 */
export const Verification = z.enum(["verified", "partly", "unverified"]).meta({ id: "Verification" });
export type Verification = z.infer<typeof Verification>;

/** A suite id and version: results are only ever compared within one. */
export const SuiteRef = z.strictObject({ id: Slug, version: PositiveInt });
export type SuiteRef = z.infer<typeof SuiteRef>;

/** Whether a submission shows on the board; moderation hides, it never deletes. */
export const SubmissionStatus = z.enum(["visible", "hidden"]);
export type SubmissionStatus = z.infer<typeof SubmissionStatus>;

/**
 * The distribution of one metric over the standing results of a row: one value per seed. A
 * run that never fitted counts as +∞ (censored), and so does a failed run where steps or epochs
 * to fit are concerned: `median` is null when at least half the runs are censored, and a
 * quartile is null when it falls among them. Figures that need a finished run (gap, test
 * error) leave failed runs out of `runs` and count them in `failedRuns` only.
 */
export const Spread = z
  .strictObject({
    median: z.number().nullable(),
    q1: z.number().nullable(),
    q3: z.number().nullable(),
    runs: NonNegativeInt,
    censoredRuns: NonNegativeInt,
    /** Runs of these conditions that failed (NaN loss, out of memory); never left out silently. */
    failedRuns: NonNegativeInt,
    /** Distinct seeds among the runs. */
    seeds: NonNegativeInt,
    /** Fewer seeds than the suite lists (`suite.seeds.length`): shown, but not yet the suite's figure. */
    provisional: z.boolean(),
  })
  .meta({ id: "Spread" });
export type Spread = z.infer<typeof Spread>;

/** An architecture as lists show it (the topology is on its own page). */
export const ArchitectureSummary = z
  .strictObject({
    fingerprint: Sha256Hex,
    id: Slug,
    name: Name,
    kind: Architecture.shape.kind,
    inputShape: InputShape,
    parameterCount: NonNegativeInt,
  })
  .meta({ id: "ArchitectureSummary" });
export type ArchitectureSummary = z.infer<typeof ArchitectureSummary>;

/** A suite this server ranks, with its digest and how many visible submissions it has. */
export const SuiteSummary = z
  .strictObject({ suite: Suite, digest: Sha256Hex, submissions: NonNegativeInt })
  .meta({ id: "SuiteSummary" });
export type SuiteSummary = z.infer<typeof SuiteSummary>;

/** `GET /suites`. */
export const SuiteList = z.strictObject({ suites: z.array(SuiteSummary) }).meta({ id: "SuiteList" });
export type SuiteList = z.infer<typeof SuiteList>;

/** `GET /health`: the trivial route, which touches no database. */
/** The trivial route's answer; `service` lets a client tell a rethink-bench server from anything else on a port. */
export const Health = z
  .strictObject({ status: z.literal("ok"), service: z.literal("rethink-bench") })
  .meta({ id: "Health" });
export type Health = z.infer<typeof Health>;
