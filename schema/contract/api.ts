// Bodies of the leaderboard API (/api/v1). The server parses every response through these
// before it leaves, so the API cannot drift from the contract; clients parse them too.
import { z } from "zod";
import { LIMITS, Name, NonNegativeInt, PositiveInt, Sha256Hex, Slug, Timestamp } from "./common.js";
import { Architecture, Envelope, Environment, InputShape } from "./payload.js";
import { DerivedMetrics, EpochPoint } from "./run.js";
import { Corruption, DatasetId, Suite } from "./suite.js";

/**
 * A submission's id: `sub_` and the first 32 hex digits of the SHA-256 of its signed
 * payload, so the same bundle always has the same id.
 *
 * @example
 * SubmissionId.parse("sub_" + payloadSha256.slice(0, 32))
 */
export const SubmissionId = z.string().regex(/^sub_[0-9a-f]{32}$/, "must be sub_ followed by 32 lowercase hex digits");
export type SubmissionId = z.infer<typeof SubmissionId>;

/** How the leaderboard is ordered: fastest fit of random labels, or smallest generalization gap. */
export const RankMetric = z.enum(["memorization", "gap"]);
export type RankMetric = z.infer<typeof RankMetric>;

/**
 * A visible result's place in its slot (architecture fingerprint, task, seed). The first
 * accepted visible result is `standing`: the one value of its seed in every median. A later
 * one on the same backend with identical curves (wall times aside) and predictions is a
 * `confirmation`; different, a `contest`; from another backend, a `replicate`. None adds a sample.
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
    /** Later results identical to the standing one on the same backend. */
    confirmations: NonNegativeInt,
    /** Later results on the same backend that differ from the standing one. */
    contests: NonNegativeInt,
    /** Later results from another backend (no exact comparison is expected across backends). */
    replicates: NonNegativeInt,
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

/** A suite id and version: results are only ever compared within one. */
export const SuiteRef = z.strictObject({ id: Slug, version: PositiveInt });
export type SuiteRef = z.infer<typeof SuiteRef>;

/** Whether a submission shows on the board; moderation hides, it never deletes. */
export const SubmissionStatus = z.enum(["visible", "hidden"]);
export type SubmissionStatus = z.infer<typeof SubmissionStatus>;

/**
 * The answer to `POST /submissions`: 201 when this request stored the bundle, 200 with the
 * same id when it was already there.
 *
 * @example
 * SubmissionReceipt.parse(await response.json()).id // "sub_3f2a…"
 */
export const SubmissionReceipt = z
  .strictObject({
    id: SubmissionId,
    payloadSha256: Sha256Hex,
    created: z.boolean(),
    status: SubmissionStatus,
    suite: SuiteRef,
    architectures: z.array(Sha256Hex),
    runs: NonNegativeInt,
    /** The submission's path on this server. */
    location: z.string(),
  })
  .meta({ id: "SubmissionReceipt" });
export type SubmissionReceipt = z.infer<typeof SubmissionReceipt>;

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

/** The fastest fit of random labels, with the machine that produced it (shown, never ranked). */
export const BestWallTime = z
  .strictObject({
    wallSecondsToFit: z.number().nonnegative(),
    backend: Environment.shape.backend,
    backendDetail: z.string(),
    hardware: Environment.shape.hardware,
    submissionId: SubmissionId,
  })
  .meta({ id: "BestWallTime" });
export type BestWallTime = z.infer<typeof BestWallTime>;

/**
 * One architecture's row: the rank metrics of the protocol over the standing results (one per
 * slot, hence one per seed) of the suite version and dataset (random labels and true labels,
 * both without regularizer).
 */
export const LeaderboardRow = z
  .strictObject({
    rank: PositiveInt,
    architecture: ArchitectureSummary,
    /** SGD steps to fit random labels. */
    stepsToFit: Spread,
    /** Epochs to fit random labels. */
    epochsToFit: Spread,
    /** Training minus test accuracy at the end of training on true labels. */
    genGap: Spread,
    /**
     * Median over seeds of steps to fit random labels over steps to fit true labels (standing
     * results of the same seed). A random-label run that never fitted (or failed) beside a fitted
     * true-label run is +∞; a seed whose true-label run did not fit has no slowdown. Null when
     * the median is +∞ or no seed has one.
     */
    slowdown: z.number().nullable(),
    /** Median final test accuracy on true labels. */
    testAccuracy: z.number().nullable(),
    /** Whether the architecture fitted true labels; only `fitted` ones take a generalization-gap rank. */
    trueLabels: TrueLabelFit,
    counts: SlotCounts,
    bestWallTime: BestWallTime.nullable(),
    /** The ranked metric rests on fewer seeds than the suite lists. */
    provisional: z.boolean(),
  })
  .meta({ id: "LeaderboardRow" });
export type LeaderboardRow = z.infer<typeof LeaderboardRow>;

/** Architecture kinds that are not trained by SGD: shown beside the ranking as baselines, never ranked. */
export const BASELINE_KINDS: readonly Architecture["kind"][] = ["kernel"];

/**
 * A non-neural baseline on a board (an architecture of kind `kernel`: a closed-form solve,
 * no SGD steps). It is not ranked: steps, epochs and slowdown do not apply to it; its
 * generalization gap and accuracies on true labels are the same figures the rows carry.
 *
 * @example
 * Leaderboard.parse(body).baselines[0]?.testAccuracy // 0.87
 */
export const BaselineRow = LeaderboardRow.pick({
  architecture: true,
  genGap: true,
  testAccuracy: true,
  counts: true,
})
  .extend({
    /** Median final training accuracy on true labels (1 for an interpolating kernel). */
    trainAccuracy: z.number().nullable(),
  })
  .meta({ id: "BaselineRow" });
export type BaselineRow = z.infer<typeof BaselineRow>;

/**
 * An architecture the generalization-gap ranking leaves out because it did not fit true labels
 * (or has no true-label runs): its row without a rank, listed below the ranking.
 *
 * @example
 * Leaderboard.parse(body).didNotFit[0]?.trueLabels // "not-fitted"
 */
export const UnrankedRow = LeaderboardRow.omit({ rank: true }).meta({ id: "UnrankedRow" });
export type UnrankedRow = z.infer<typeof UnrankedRow>;

/**
 * `GET /leaderboard`: one page of rows, ranked within a suite version and dataset, and the
 * board's non-neural baselines (on the first page; empty on later pages).
 *
 * @example
 * Leaderboard.parse(await (await fetch("/api/v1/leaderboard?suite=quick")).json()).rows[0]?.rank // 1
 */
export const Leaderboard = z
  .strictObject({
    suite: SuiteRef,
    dataset: DatasetId,
    rank: RankMetric,
    backend: Environment.shape.backend.nullable(),
    /** Ranked architectures on the board (baselines and `didNotFit` not counted). */
    total: NonNegativeInt,
    rows: z.array(LeaderboardRow),
    /**
     * Ranked by gap: the architectures that did not fit true labels, with their figures and no
     * rank, on the first page only. Ranked by memorization every architecture is ranked, so empty.
     */
    didNotFit: z.array(UnrankedRow),
    /** Non-neural baselines (kind `kernel`), smallest median generalization gap first; only on the first page. */
    baselines: z.array(BaselineRow),
    /** Pass as `cursor` for the next page; null on the last page. */
    nextCursor: z.string().nullable(),
  })
  .meta({ id: "Leaderboard" });
export type Leaderboard = z.infer<typeof Leaderboard>;

/** A suite this server ranks, with its digest and how many visible submissions it has. */
export const SuiteSummary = z
  .strictObject({ suite: Suite, digest: Sha256Hex, submissions: NonNegativeInt })
  .meta({ id: "SuiteSummary" });
export type SuiteSummary = z.infer<typeof SuiteSummary>;

/** `GET /suites`. */
export const SuiteList = z.strictObject({ suites: z.array(SuiteSummary) }).meta({ id: "SuiteList" });
export type SuiteList = z.infer<typeof SuiteList>;

/** A submission as lists show it. */
export const SubmissionSummary = z
  .strictObject({
    id: SubmissionId,
    payloadSha256: Sha256Hex,
    submitter: z.strictObject({ keyid: Sha256Hex, name: Name.nullable() }),
    suite: SuiteRef,
    runnerVersion: z.string(),
    tfjsVersion: z.string(),
    backend: Environment.shape.backend,
    backendDetail: z.string(),
    hardware: Environment.shape.hardware,
    architectures: z.array(Sha256Hex),
    runs: NonNegativeInt,
    createdAt: Timestamp,
    receivedAt: Timestamp,
    status: SubmissionStatus,
  })
  .meta({ id: "SubmissionSummary" });
export type SubmissionSummary = z.infer<typeof SubmissionSummary>;

/** `GET /submissions`: newest first. */
export const SubmissionList = z
  .strictObject({ submissions: z.array(SubmissionSummary), nextCursor: z.string().nullable() })
  .meta({ id: "SubmissionList" });
export type SubmissionList = z.infer<typeof SubmissionList>;

/** A moderation decision: hide or show a submission again, always with a reason. */
export const ModerationRequest = z
  .strictObject({ action: z.enum(["hide", "show"]), reason: z.string().trim().min(1).max(LIMITS.maxText) })
  .meta({ id: "ModerationRequest" });
export type ModerationRequest = z.infer<typeof ModerationRequest>;

/**
 * A moderator's new display name for an architecture, with a reason. The name an architecture
 * shows comes from its first accepted submission; only this changes it.
 *
 * @example
 * ArchitectureRenameRequest.parse({ name: "MLP 1×512", reason: "the submitted name impersonated another model" })
 */
export const ArchitectureRenameRequest = z
  .strictObject({ name: Name, reason: ModerationRequest.shape.reason })
  .meta({ id: "ArchitectureRenameRequest" });
export type ArchitectureRenameRequest = z.infer<typeof ArchitectureRenameRequest>;

/**
 * One entry of the moderation audit trail: a submission hidden or shown (`submissionId`), or
 * an architecture renamed (`architectureFingerprint`, with `previousName` and `name`).
 */
export const ModerationAction = z
  .strictObject({
    id: PositiveInt,
    submissionId: SubmissionId.nullable(),
    architectureFingerprint: Sha256Hex.nullable(),
    action: z.enum(["hide", "show", "rename"]),
    previousName: z.string().nullable(),
    name: z.string().nullable(),
    reason: z.string(),
    createdAt: Timestamp,
  })
  .meta({ id: "ModerationAction" });
export type ModerationAction = z.infer<typeof ModerationAction>;

/** `GET /moderation`: the public audit trail, newest first. */
export const ModerationLog = z
  .strictObject({ actions: z.array(ModerationAction), nextCursor: z.string().nullable() })
  .meta({ id: "ModerationLog" });
export type ModerationLog = z.infer<typeof ModerationLog>;

/**
 * `GET /submissions/{id}`: everything stored about a submission, including the envelope
 * exactly as verified, so anyone can check the signature again.
 */
export const SubmissionDetail = SubmissionSummary.extend({
  publicKey: z.string(),
  envelope: Envelope,
  moderation: z.array(ModerationAction),
}).meta({ id: "SubmissionDetail" });
export type SubmissionDetail = z.infer<typeof SubmissionDetail>;

/**
 * The runs of one architecture under one condition, summarized (the paper's Figure 1b and 1c).
 * For a baseline (kind `kernel`) steps and epochs to fit are empty (0 runs) and the slowdown
 * is null: they measure SGD, which a closed-form solve does not run.
 */
export const ConditionSummary = z
  .strictObject({
    suite: SuiteRef,
    dataset: DatasetId,
    corruption: Corruption,
    /** 0 for true labels, p for partial, 1 for random labels; null for the input corruptions. */
    corruptionLevel: z.number().nullable(),
    regularizer: Slug,
    stepsToFit: Spread,
    epochsToFit: Spread,
    genGap: Spread,
    /** Final test error (1 − accuracy) over the runs, median and quartiles (never censored): Figure 1c. */
    testError: Spread,
    /** As on the leaderboard row: censored random-label runs beside fitted true-label runs are +∞. */
    slowdown: z.number().nullable(),
    counts: SlotCounts,
  })
  .meta({ id: "ConditionSummary" });
export type ConditionSummary = z.infer<typeof ConditionSummary>;

/** One stored run with its curve (the paper's Figure 1a). */
export const RunCurve = z
  .strictObject({
    submissionId: SubmissionId,
    suite: SuiteRef,
    dataset: DatasetId,
    corruption: Corruption,
    regularizer: Slug,
    seed: NonNegativeInt,
    status: z.enum(["ok", "failed"]),
    /** Its place in its slot: only a standing run is a sample of the figures. */
    slotRole: SlotRole,
    derived: DerivedMetrics,
    curve: z.array(EpochPoint),
  })
  .meta({ id: "RunCurve" });
export type RunCurve = z.infer<typeof RunCurve>;

/** One run of a submission as its page lists it: its architecture by name, curves and predictions left out. */
export const SubmissionRun = z.strictObject({
  position: NonNegativeInt,
  architecture: z.strictObject({ fingerprint: Sha256Hex, id: Slug, name: Name, kind: Architecture.shape.kind }),
  suite: SuiteRef,
  dataset: DatasetId,
  corruption: Corruption,
  regularizer: Slug,
  seed: NonNegativeInt,
  status: z.enum(["ok", "failed"]),
  failure: z.string().nullable(),
  /** Its place in its slot; null while the submission is hidden. */
  slotRole: SlotRole.nullable(),
  derived: DerivedMetrics,
});
export type SubmissionRun = z.infer<typeof SubmissionRun>;

/** Most runs `GET /architectures/{fingerprint}` returns with their curves. */
export const MAX_CURVES = 300;

/** `GET /architectures/{fingerprint}`. */
export const ArchitectureDetail = z
  .strictObject({
    // The topology was checked as JSON when it was submitted; z.record of unknown keeps the
    // OpenAPI document finite (a recursive JSON schema has no end when expanded).
    architecture: ArchitectureSummary.extend({
      topology: z.record(z.string(), z.unknown()).describe("the TF.js layers topology (JSON)"),
      firstSeenAt: Timestamp,
    }),
    conditions: z.array(ConditionSummary),
    /** The newest runs with their curves, at most `MAX_CURVES`. */
    runs: z.array(RunCurve),
    runsTruncated: z.boolean(),
  })
  .meta({ id: "ArchitectureDetail" });
export type ArchitectureDetail = z.infer<typeof ArchitectureDetail>;

/** `GET /health`: the trivial route, which touches no database. */
/** The trivial route's answer; `service` lets a client tell a rethink-bench server from anything else on a port. */
export const Health = z
  .strictObject({ status: z.literal("ok"), service: z.literal("rethink-bench") })
  .meta({ id: "Health" });
export type Health = z.infer<typeof Health>;
