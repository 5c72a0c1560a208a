// `GET /leaderboard`'s body: the ranked rows of one suite version and dataset, the architectures
// the gap ranking leaves out, and the non-neural baselines shown beside them.
import { z } from "zod";
import { ArchitectureSummary, SlotCounts, Spread, SubmissionId, SuiteRef, TrueLabelFit, Verification } from "./api.js";
import { NonNegativeInt, PositiveInt, Slug } from "./common.js";
import { type Architecture, Environment } from "./payload.js";
import { ReproductionId } from "./reproduction.js";
import { DatasetId } from "./suite.js";

/** How the leaderboard is ordered: fastest fit of random labels, or smallest generalization gap. */
export const RankMetric = z.enum(["memorization", "gap"]);
export type RankMetric = z.infer<typeof RankMetric>;

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
 * Where the evidence against a contested standing result is: the standing result's submission,
 * and the reproduction that did not reproduce it or the later submission that differs from it.
 */
export const ContestEvidence = z
  .strictObject({
    /** Contested slots among the row's standing results. */
    slots: PositiveInt,
    /** The first contested standing result's submission. */
    submissionId: SubmissionId,
    /** The reproduction that contests it, when a reproduction does (else a later submission does). */
    reproductionId: ReproductionId.nullable(),
    /** The later submission that contests it, when one does. */
    contestingSubmissionId: SubmissionId.nullable(),
  })
  .meta({ id: "ContestEvidence" });
export type ContestEvidence = z.infer<typeof ContestEvidence>;

/**
 * How one regularizer set changes an architecture's generalization gap on true labels: the median
 * gap with it minus the median gap with every regularizer off (negative: a smaller gap), each
 * median over the standing results of the finished runs, one per seed.
 *
 * @example
 * RegularizerEffect.parse({ regularizer: "crop", gapDelta: -0.042, seeds: 1 }).gapDelta // -0.042
 */
export const RegularizerEffect = z
  .strictObject({
    /** The regularizer set's name, as the suite names it (`wd`, `crop`, …). */
    regularizer: Slug,
    /** Null when either median is missing (no finished true-label run with it, or without it). */
    gapDelta: z.number().nullable(),
    /** Seeds behind the median gap with the regularizer on. */
    seeds: NonNegativeInt,
  })
  .meta({ id: "RegularizerEffect" });
export type RegularizerEffect = z.infer<typeof RegularizerEffect>;

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
    /** Whether operator reproducers reproduced the row's standing results exactly. */
    verification: Verification,
    /** Null unless some standing result of the row is contested; then where to read why. */
    contested: ContestEvidence.nullable(),
    bestWallTime: BestWallTime.nullable(),
    /** The ranked metric rests on fewer seeds than the suite lists. */
    provisional: z.boolean(),
    /**
     * Per regularizer set the suite ablates (all but none, in suite order), how it changes the
     * generalization gap; empty for a suite without regularizer ablations.
     */
    regularizerEffects: z.array(RegularizerEffect),
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
    /**
     * Whether the figures rest on verified standing results only (those an operator reproducer
     * reproduced exactly): `verified=only`, the default where the server has reproducer keys.
     */
    verifiedOnly: z.boolean(),
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
