// Reproductions: a submission's runs trained again by someone else and compared with the
// signed original (DESIGN §4). The attestation is an in-toto Statement whose subject is the
// original payload and whose predicate gives, per run, the verdict and the reproducer's own
// curve and prediction digests; the API bodies that list and queue them are here too.
import { z } from "zod";
import { SubmissionId, SuiteRef } from "./api.js";
import { LIMITS, Name, NonNegativeInt, PositiveInt, Sha256Hex, Timestamp } from "./common.js";
import { RunMeasures } from "./measures.js";
import { Envelope, Environment, STATEMENT_TYPE, Subject, Submitter, TorchEngine } from "./payload.js";
import { EpochPoint } from "./run.js";
import { Task } from "./task.js";

export const REPRODUCTION_PREDICATE_TYPE = "https://rethink-bench.org/reproduction/v1";

/**
 * A reproduction's id: `rep_` and the first 32 hex digits of the SHA-256 of its signed payload.
 *
 * @example
 * ReproductionId.parse("rep_" + payloadSha256.slice(0, 32))
 */
export const ReproductionId = z
  .string()
  .regex(/^rep_[0-9a-f]{32}$/, "must be rep_ followed by 32 lowercase hex digits")
  .meta({ id: "ReproductionId" });
export type ReproductionId = z.infer<typeof ReproductionId>;

/**
 * How a run was compared. `exact` on the same engine (the same backend, rethink-bench version
 * and TF.js version, and on torch-cpu the same torch version, thread count and CPU model: runs
 * are deterministic there, so every curve value but wall time and every prediction must be
 * identical); `tolerance` otherwise (another backend or version, native TensorFlow, PyTorch on
 * CUDA or MPS: epochs to fit and final accuracies within `REPRODUCTION_TOLERANCE`, never "exact").
 */
export const ComparisonMode = z.enum(["exact", "tolerance"]).meta({ id: "ComparisonMode" });
export type ComparisonMode = z.infer<typeof ComparisonMode>;

/**
 * One run's verdict: `exact` / `not-reproduced` in exact mode, `consistent` / `inconsistent`
 * within the tolerance across engines.
 */
export const Verdict = z.enum(["exact", "not-reproduced", "consistent", "inconsistent"]).meta({ id: "Verdict" });
export type Verdict = z.infer<typeof Verdict>;

/**
 * What differed first: a curve metric at an epoch, the curve's length, the status, a prediction
 * set, the complexity measures (both values are then the first measure that differs), or a figure.
 */
export const DivergentMetric = z
  .enum([
    "status",
    "trainLoss",
    "trainAcc",
    "testLoss",
    "testAcc",
    "valAcc",
    "epochs",
    "predictions.train",
    "predictions.test",
    "measures",
    "epochsToFit",
    "finalTrainAcc",
    "finalTestAcc",
  ])
  .meta({ id: "DivergentMetric" });
export type DivergentMetric = z.infer<typeof DivergentMetric>;

/**
 * Where a reproduction first departs from the original: the epoch (null for what is not a curve
 * value: status, predictions, a tolerance figure), the metric, and both values (numbers, a status,
 * a digest; null where one side has none, such as an epoch past the end of its curve).
 */
export const Divergence = z
  .strictObject({
    epoch: PositiveInt.max(LIMITS.maxEpochs).nullable(),
    metric: DivergentMetric,
    original: z.union([z.number(), z.string().max(80)]).nullable(),
    reproduced: z.union([z.number(), z.string().max(80)]).nullable(),
  })
  .meta({ id: "Divergence" });
export type Divergence = z.infer<typeof Divergence>;

/** SHA-256 (canonical JSON) of each encoded prediction set of a run; null for a failed run. */
export const PredictionDigests = z.strictObject({ train: Sha256Hex, test: Sha256Hex });
export type PredictionDigests = z.infer<typeof PredictionDigests>;

/**
 * One run reproduced: which run of the original (`position` in its `runs`, with its task and
 * architecture restated so a reader need not decode the original), the verdict and first
 * divergence, and what the reproduction measured: its status, its whole curve (wall times are
 * the reproducer's own), and digests of the curve (wall times aside) and of its predictions.
 */
export const ReproducedRun = z.strictObject({
  position: NonNegativeInt.max(LIMITS.maxRunsPerBundle - 1),
  task: Task,
  architectureFingerprint: Sha256Hex,
  verdict: Verdict,
  /** Null exactly when the verdict is `exact` or `consistent`. */
  firstDivergence: Divergence.nullable(),
  status: z.enum(["ok", "failed"]),
  curve: z.array(EpochPoint).max(LIMITS.maxEpochs),
  /** `curveDigest` of `curve`: SHA-256 of its canonical JSON with `wallSeconds` left out. */
  curveSha256: Sha256Hex,
  predictions: PredictionDigests.nullable(),
  /** The reproduction's complexity measures, which exact mode compares with the original's (their cost aside). */
  measures: RunMeasures.optional(),
});
export type ReproducedRun = z.infer<typeof ReproducedRun>;

/**
 * The original a reproduction answers: its submission id and what it says about its engine.
 * `engine` and `hardware` are the original's PyTorch engine record and machine, present exactly
 * when the original ran on a torch-* backend (whether torch-cpu compares exactly depends on its
 * torch version, threads and CPU model); absent for TF.js originals, so older attestations stay
 * valid.
 */
export const ReproducedOriginal = z.strictObject({
  submissionId: SubmissionId,
  payloadSha256: Sha256Hex,
  submitterKeyid: Sha256Hex,
  suite: SuiteRef,
  backend: Environment.shape.backend,
  runnerVersion: Environment.shape.runnerVersion,
  tfjsVersion: Environment.shape.tfjsVersion,
  engine: TorchEngine.optional(),
  hardware: Environment.shape.hardware.optional(),
});
export type ReproducedOriginal = z.infer<typeof ReproducedOriginal>;

/**
 * The predicate of a reproduction attestation: the original, the comparison mode, the
 * reproducer's environment and key, and each reproduced run (a subset of the original's runs,
 * each once, in increasing `position`).
 */
export const ReproductionPredicate = z.strictObject({
  original: ReproducedOriginal,
  mode: ComparisonMode,
  environment: Environment,
  reproducer: Submitter,
  runs: z.array(ReproducedRun).min(1).max(LIMITS.maxRunsPerBundle),
  createdAt: Timestamp,
});
export type ReproductionPredicate = z.infer<typeof ReproductionPredicate>;

/** An in-toto Statement v1 whose one subject is the original result's signed payload. */
export const ReproductionStatement = z.strictObject({
  _type: z.literal(STATEMENT_TYPE),
  subject: z.array(Subject).length(1),
  predicateType: z.literal(REPRODUCTION_PREDICATE_TYPE),
  predicate: ReproductionPredicate,
});
export type ReproductionStatement = z.infer<typeof ReproductionStatement>;

/** How many runs got each verdict. */
export const VerdictCounts = z
  .strictObject({
    exact: NonNegativeInt,
    notReproduced: NonNegativeInt,
    consistent: NonNegativeInt,
    inconsistent: NonNegativeInt,
  })
  .meta({ id: "VerdictCounts" });
export type VerdictCounts = z.infer<typeof VerdictCounts>;

/**
 * The reproductions of one stored run by keys other than its submitter's (one verdict per key
 * and run: the first), and whether an operator reproducer reproduced it exactly (`verified`).
 */
export const RunReproductions = VerdictCounts.extend({ verified: z.boolean() }).meta({ id: "RunReproductions" });
export type RunReproductions = z.infer<typeof RunReproductions>;

/**
 * The answer to `POST /reproductions`: 201 when this request stored it, 200 with the same id
 * when it was already there. `operator` says whether the key is one of the server's
 * reproducer keys; `hidden` whether an operator's "not reproduced" took the submission off
 * the board (a moderation event an admin can reverse).
 */
export const ReproductionReceipt = z
  .strictObject({
    id: ReproductionId,
    payloadSha256: Sha256Hex,
    created: z.boolean(),
    submissionId: SubmissionId,
    reproducerKeyid: Sha256Hex,
    operator: z.boolean(),
    verdicts: VerdictCounts,
    hidden: z.boolean(),
    location: z.string(),
  })
  .meta({ id: "ReproductionReceipt" });
export type ReproductionReceipt = z.infer<typeof ReproductionReceipt>;

/** One run's line in a stored reproduction. */
export const ReproductionRunVerdict = z
  .strictObject({
    position: NonNegativeInt,
    verdict: Verdict,
    firstDivergence: Divergence.nullable(),
    /** False when this key had already given this run a verdict: only a key's first verdict counts. */
    counted: z.boolean(),
  })
  .meta({ id: "ReproductionRunVerdict" });
export type ReproductionRunVerdict = z.infer<typeof ReproductionRunVerdict>;

/** A stored reproduction, with its envelope so anyone can verify it again. */
export const ReproductionSummary = z
  .strictObject({
    id: ReproductionId,
    payloadSha256: Sha256Hex,
    submissionId: SubmissionId,
    reproducer: z.strictObject({ keyid: Sha256Hex, name: Name.nullable() }),
    /** Whether the key was one of the server's reproducer keys when the attestation arrived. */
    operator: z.boolean(),
    mode: ComparisonMode,
    backend: Environment.shape.backend,
    backendDetail: z.string(),
    runnerVersion: z.string(),
    tfjsVersion: z.string(),
    hardware: Environment.shape.hardware,
    /** The reproducer's PyTorch engine (torch, CUDA and cuDNN versions, device); null for TF.js. */
    engine: TorchEngine.nullable(),
    verdicts: VerdictCounts,
    runs: z.array(ReproductionRunVerdict),
    createdAt: Timestamp,
    receivedAt: Timestamp,
    envelope: Envelope,
  })
  .meta({ id: "ReproductionSummary" });
export type ReproductionSummary = z.infer<typeof ReproductionSummary>;

/** `GET /submissions/{id}/reproductions`: oldest first. */
export const ReproductionList = z
  .strictObject({ reproductions: z.array(ReproductionSummary) })
  .meta({ id: "ReproductionList" });
export type ReproductionList = z.infer<typeof ReproductionList>;

/**
 * A submission waiting for an operator reproducer: visible, with standing results that no
 * operator key has given a verdict yet (their positions).
 */
export const QueueItem = z
  .strictObject({
    submissionId: SubmissionId,
    payloadSha256: Sha256Hex,
    suite: SuiteRef,
    backend: Environment.shape.backend,
    runnerVersion: z.string(),
    tfjsVersion: z.string(),
    receivedAt: Timestamp,
    positions: z.array(NonNegativeInt),
  })
  .meta({ id: "QueueItem" });
export type QueueItem = z.infer<typeof QueueItem>;

/**
 * `GET /reproductions/queue`: the oldest waiting submissions first, how many wait in all and
 * since when the oldest waits, and how many operator keys the server has.
 */
export const ReproductionQueue = z
  .strictObject({
    items: z.array(QueueItem),
    length: NonNegativeInt,
    oldestReceivedAt: Timestamp.nullable(),
    operatorKeys: NonNegativeInt,
  })
  .meta({ id: "ReproductionQueue" });
export type ReproductionQueue = z.infer<typeof ReproductionQueue>;
