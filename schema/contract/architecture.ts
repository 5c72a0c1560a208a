// `GET /architectures/{fingerprint}`'s body: an architecture with its topology, its runs summarized
// per condition (the paper's Figure 1b and 1c) and its newest runs with their curves (Figure 1a).
import { z } from "zod";
import { ArchitectureSummary, SlotCounts, SlotRole, Spread, SubmissionId, SuiteRef } from "./api.js";
import { NonNegativeInt, Slug, Timestamp } from "./common.js";
import { RunMeasures } from "./measures.js";
import { RunReproductions } from "./reproduction.js";
import { DerivedMetrics, EpochPoint } from "./run.js";
import { Corruption, DatasetId } from "./suite.js";

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
    /**
     * Final training accuracy on the (corrupted) training labels over the runs, median and
     * quartiles (never censored; failed runs left out): Table 1's train column.
     */
    trainAccuracy: Spread,
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
    /** Its reproductions by other keys, and whether an operator reproduced it exactly. */
    reproductions: RunReproductions,
    derived: DerivedMetrics,
    curve: z.array(EpochPoint),
    /** Its complexity measures; null for a run without (a failed run, a suite before measures, a baseline). */
    measures: RunMeasures.nullable(),
  })
  .meta({ id: "RunCurve" });
export type RunCurve = z.infer<typeof RunCurve>;

/** Most runs `GET /architectures/{fingerprint}` returns with their curves. */
export const MAX_CURVES = 300;

/** `GET /architectures/{fingerprint}`. */
export const ArchitectureDetail = z
  .strictObject({
    // The topology was checked as JSON when it was submitted; z.record of unknown keeps the
    // OpenAPI document finite (a recursive JSON schema has no end when expanded).
    architecture: ArchitectureSummary.extend({
      topology: z
        .record(z.string(), z.unknown())
        .describe("the TF.js layers topology (JSON); for kind torch-module, the PyTorch module description"),
      firstSeenAt: Timestamp,
    }),
    conditions: z.array(ConditionSummary),
    /** The newest runs with their curves, at most `MAX_CURVES`. */
    runs: z.array(RunCurve),
    runsTruncated: z.boolean(),
  })
  .meta({ id: "ArchitectureDetail" });
export type ArchitectureDetail = z.infer<typeof ArchitectureDetail>;
