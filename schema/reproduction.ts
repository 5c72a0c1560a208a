// Comparing a reproduced run with the signed original (DESIGN §4), and the checks every
// reproduction attestation must pass on its own and against its original. Runner, API and the
// `verify` command share these, so the verdict a reproducer signs is the verdict the server
// recomputes.
import { canonicalJson } from "./canonical.js";
import type {
  ComparisonMode,
  Divergence,
  DivergentMetric,
  EpochPoint,
  PredictionDigests,
  Predictions,
  ReproductionPredicate,
  ReproductionStatement,
  RunMeasures,
  Statement,
  Task,
  Verdict,
} from "./contract/index.js";
import { isTorchBackend, MEASURES } from "./contract/index.js";
import { deriveRun } from "./derive.js";
import { canonicalDigest } from "./digest.js";
import { comparisonMode, describeEngine, originalEngineFields } from "./engine-identity.js";
import { checkEnvironment } from "./environment-checks.js";
import type { PathError } from "./signed-statement.js";

/** A run's measurements as a comparison reads them, from either side. */
export interface ComparedRun {
  status: "ok" | "failed";
  curve: readonly EpochPoint[];
  predictions: PredictionDigests | null;
  measures?: RunMeasures | undefined;
}

/** One run's verdict and, unless it reproduced, where it first departed. */
export interface Comparison {
  verdict: Verdict;
  firstDivergence: Divergence | null;
}

/**
 * How far apart two runs on different engines (another backend, or another version of
 * rethink-bench or TF.js), or two on native TensorFlow, may be and still be "consistent".
 * Floating-point sums in another order drift apart over epochs, so only the figures the board
 * ranks are compared: epochs to fit (a censored run counts as one epoch past its budget) within
 * `epochs` or `relative` of the smaller count, whichever is larger, and final training and test
 * accuracies within `accuracy`.
 */
export const REPRODUCTION_TOLERANCE = { epochs: 2, relative: 0.25, accuracy: 0.05 } as const;

/** The curve values compared exactly, in the order a divergence is named within an epoch. */
const CURVE_METRICS = ["trainLoss", "trainAcc", "testLoss", "testAcc", "valAcc"] as const;

/**
 * SHA-256 of a curve's canonical JSON with `wallSeconds` left out: what two exact reproductions share.
 *
 * @example
 * await curveDigest(run.curve) // "5be1…"
 */
export function curveDigest(curve: readonly EpochPoint[]): Promise<string> {
  return canonicalDigest(curve.map(({ wallSeconds: _wallSeconds, ...measured }) => measured));
}

/** SHA-256 of each encoded prediction set (as the bundle carries them), or null for a run without predictions. */
export async function predictionDigests(predictions: Predictions | null): Promise<PredictionDigests | null> {
  if (!predictions) return null;
  return { train: await canonicalDigest(predictions.train), test: await canonicalDigest(predictions.test) };
}

function divergence(
  epoch: number | null,
  metric: DivergentMetric,
  original: number | string | null,
  reproduced: number | string | null,
): Comparison {
  return {
    verdict: "not-reproduced",
    firstDivergence: { epoch, metric, original, reproduced },
  };
}

/**
 * The first complexity measure (in MEASURES order) on which two runs differ, with both values; null
 * when they agree or neither has measures. Their cost in seconds differs between any two machines.
 */
function measureDivergence(a: RunMeasures | undefined, b: RunMeasures | undefined): Comparison | null {
  if (!a && !b) return null;
  if (!a || !b) return divergence(null, "measures", a ? "present" : "absent", b ? "present" : "absent");
  for (const { key } of MEASURES) if (a[key] !== b[key]) return divergence(null, "measures", a[key], b[key]);
  return null;
}

/**
 * Exact mode: status, then epoch by epoch every curve value, then the curve's length, then the
 * predictions, then the complexity measures.
 */
function compareExactly(original: ComparedRun, reproduced: ComparedRun): Comparison {
  if (original.status !== reproduced.status) return divergence(null, "status", original.status, reproduced.status);
  const shared = Math.min(original.curve.length, reproduced.curve.length);
  for (let i = 0; i < shared; i++) {
    const a = original.curve[i]!;
    const b = reproduced.curve[i]!;
    for (const metric of CURVE_METRICS) {
      if (a[metric] !== b[metric]) return divergence(i + 1, metric, a[metric] ?? null, b[metric] ?? null);
    }
  }
  if (original.curve.length !== reproduced.curve.length)
    return divergence(shared + 1, "epochs", original.curve.length, reproduced.curve.length);
  for (const set of ["train", "test"] as const) {
    const a = original.predictions?.[set] ?? null;
    const b = reproduced.predictions?.[set] ?? null;
    if (a !== b) return divergence(null, `predictions.${set}`, a, b);
  }
  return measureDivergence(original.measures, reproduced.measures) ?? { verdict: "exact", firstDivergence: null };
}

function withinEpochs(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(REPRODUCTION_TOLERANCE.epochs, REPRODUCTION_TOLERANCE.relative * Math.min(a, b));
}

/** Tolerance mode: status, then epochs to fit, then final training and test accuracy. */
function compareWithinTolerance(task: Task, original: ComparedRun, reproduced: ComparedRun): Comparison {
  const inconsistent = (metric: DivergentMetric, a: number | string | null, b: number | string | null) => ({
    verdict: "inconsistent" as const,
    firstDivergence: { epoch: null, metric, original: a, reproduced: b },
  });
  if (original.status !== reproduced.status) return inconsistent("status", original.status, reproduced.status);
  // Two failed runs have no figures to compare.
  if (original.status === "failed") return { verdict: "consistent", firstDivergence: null };
  const a = deriveRun({ task, status: original.status, curve: [...original.curve] }, null);
  const b = deriveRun({ task, status: reproduced.status, curve: [...reproduced.curve] }, null);
  const censoredAt = task.epochs + 1;
  if (!withinEpochs(a.epochsToFit ?? censoredAt, b.epochsToFit ?? censoredAt))
    return inconsistent("epochsToFit", a.epochsToFit, b.epochsToFit);
  for (const metric of ["finalTrainAcc", "finalTestAcc"] as const) {
    const x = a[metric];
    const y = b[metric];
    if (x === null || y === null || Math.abs(x - y) > REPRODUCTION_TOLERANCE.accuracy)
      return inconsistent(metric, x, y);
  }
  return { verdict: "consistent", firstDivergence: null };
}

/**
 * The verdict on one reproduced run: in `exact` mode every curve value (wall times aside), the
 * curve's length and both prediction sets must be identical, and the first difference is named
 * (epoch and metric); in `tolerance` mode the ranked figures must agree within
 * `REPRODUCTION_TOLERANCE`.
 *
 * @example
 * compareRun(task, original, reproduced, "exact").firstDivergence // { epoch: 4, metric: "trainLoss", … }
 */
export function compareRun(task: Task, original: ComparedRun, reproduced: ComparedRun, mode: ComparisonMode) {
  return mode === "exact" ? compareExactly(original, reproduced) : compareWithinTolerance(task, original, reproduced);
}

/**
 * A submission's id from its payload digest: `sub_` and the first 32 hex digits.
 *
 * @example
 * submissionIdOf("3f2a…") // "sub_3f2a…"
 */
export function submissionIdOf(payloadSha256: string): string {
  return `sub_${payloadSha256.slice(0, 32)}`;
}

/**
 * A reproduction's id from its payload digest: `rep_` and the first 32 hex digits.
 *
 * @example
 * reproductionIdOf("9c1e…") // "rep_9c1e…"
 */
export function reproductionIdOf(payloadSha256: string): string {
  return `rep_${payloadSha256.slice(0, 32)}`;
}

/** The subject a reproduction statement names: the original result's signed payload. */
export function reproductionSubject(predicate: ReproductionPredicate) {
  return [
    {
      name: `result:${predicate.original.submissionId}`,
      digest: { sha256: predicate.original.payloadSha256 },
    },
  ];
}

/**
 * What an attestation must get right on its own: its one subject, the original's id, runs in
 * increasing position, each curve's digest, predictions exactly for finished runs, verdicts of its
 * comparison mode with a divergence exactly when they are negative, and the mode the two engines imply.
 */
export async function checkReproductionConsistency(statement: ReproductionStatement): Promise<PathError[]> {
  const { predicate } = statement;
  const errors: PathError[] = [];
  const add = (path: string, message: string) => errors.push({ path, message });
  if (canonicalJson(statement.subject) !== canonicalJson(reproductionSubject(predicate)))
    add("subject", "must name exactly the original result's payload (result:<submission id>, its SHA-256)");
  const { original } = predicate;
  if (original.submissionId !== submissionIdOf(original.payloadSha256))
    add("predicate.original.submissionId", `must be ${submissionIdOf(original.payloadSha256)}`);
  errors.push(...checkEnvironment(predicate.environment, "predicate.environment"));
  // The original's engine record is what decides whether torch-cpu compares exactly.
  const torchOriginal = isTorchBackend(original.backend);
  for (const field of ["engine", "hardware"] as const) {
    if (torchOriginal && !original[field])
      add(
        `predicate.original.${field}`,
        `is missing: the original ran on ${original.backend}, so its ${field} is named`,
      );
    if (!torchOriginal && original[field])
      add(`predicate.original.${field}`, `must be absent: the original ran on TF.js (${original.backend})`);
  }
  const mode = comparisonMode(original, predicate.environment);
  if (predicate.mode !== mode)
    add(
      "predicate.mode",
      `must be "${mode}": the original ran on ${describeEngine(original)}, this reproduction on ${describeEngine(predicate.environment)}`,
    );
  const allowed: Verdict[] = predicate.mode === "exact" ? ["exact", "not-reproduced"] : ["consistent", "inconsistent"];
  for (const [i, run] of predicate.runs.entries()) {
    const at = `predicate.runs[${i}]`;
    const previous = predicate.runs[i - 1];
    if (previous && run.position <= previous.position)
      add(`${at}.position`, "runs must be in increasing position, each once");
    if (!allowed.includes(run.verdict))
      add(`${at}.verdict`, `must be ${allowed.map((v) => `"${v}"`).join(" or ")} in ${predicate.mode} mode`);
    const positive = run.verdict === "exact" || run.verdict === "consistent";
    if (positive !== (run.firstDivergence === null))
      add(
        `${at}.firstDivergence`,
        positive ? "must be null for a run that reproduced" : "must say where the run diverged",
      );
    if ((run.status === "ok") !== (run.predictions !== null))
      add(
        `${at}.predictions`,
        run.status === "ok" ? "must be present for a finished run" : "must be null for a failed run",
      );
    run.curve.forEach((point, j) => {
      if (point.epoch !== j + 1) add(`${at}.curve[${j}].epoch`, `must be ${j + 1}: epochs are consecutive from 1`);
    });
    if (run.curve.length > run.task.epochs)
      add(`${at}.curve`, `is longer than the budget of ${run.task.epochs} epochs`);
    const digest = await curveDigest(run.curve);
    if (run.curveSha256 !== digest) add(`${at}.curveSha256`, `is not the digest of the curve (${digest})`);
  }
  return errors;
}

/**
 * What an attestation must get right against its original (a verified result statement whose
 * payload has `payloadSha256`): the original it names, each run's task and architecture, and
 * each verdict and first divergence as this function recomputes them from the original's curve
 * and predictions.
 */
export async function auditReproduction(
  predicate: ReproductionPredicate,
  original: { statement: Statement; payloadSha256: string },
): Promise<PathError[]> {
  const errors: PathError[] = [];
  const add = (path: string, message: string) => errors.push({ path, message });
  const result = original.statement.predicate;
  const named = predicate.original;
  if (named.payloadSha256 !== original.payloadSha256) {
    add("predicate.original.payloadSha256", "is not the digest of this original");
    return errors;
  }
  const expected = {
    submitterKeyid: result.submitter.keyid,
    suite: { id: result.suite.id, version: result.suite.version },
    backend: result.environment.backend,
    runnerVersion: result.environment.runnerVersion,
    tfjsVersion: result.environment.tfjsVersion,
    // Absent for a TF.js original on both sides (compared as null).
    engine: originalEngineFields(result.environment).engine ?? null,
    hardware: originalEngineFields(result.environment).hardware ?? null,
  };
  for (const [key, value] of Object.entries(expected)) {
    const claimed = named[key as keyof typeof expected] ?? null;
    if (canonicalJson(claimed) !== canonicalJson(value))
      add(`predicate.original.${key}`, `is ${JSON.stringify(claimed)}, but the original's is ${JSON.stringify(value)}`);
  }
  for (const [i, run] of predicate.runs.entries()) {
    const at = `predicate.runs[${i}]`;
    const originalRun = result.runs[run.position];
    if (!originalRun) {
      add(`${at}.position`, `the original has ${result.runs.length} runs, no run ${run.position}`);
      continue;
    }
    if (canonicalJson(run.task) !== canonicalJson(originalRun.task))
      add(`${at}.task`, "is not the task of the original's run");
    if (run.architectureFingerprint !== originalRun.architectureFingerprint)
      add(`${at}.architectureFingerprint`, "is not the architecture of the original's run");
    const comparison = compareRun(
      originalRun.task,
      {
        status: originalRun.status,
        curve: originalRun.curve,
        predictions: await predictionDigests(originalRun.predictions),
        measures: originalRun.measures,
      },
      { status: run.status, curve: run.curve, predictions: run.predictions, measures: run.measures },
      predicate.mode,
    );
    if (
      comparison.verdict !== run.verdict ||
      canonicalJson(comparison.firstDivergence) !== canonicalJson(run.firstDivergence)
    ) {
      add(
        `${at}.verdict`,
        `claims ${run.verdict}${run.firstDivergence ? ` (${run.firstDivergence.metric})` : ""}, but the comparison ` +
          `gives ${comparison.verdict}${comparison.firstDivergence ? ` (${comparison.firstDivergence.metric} at epoch ${comparison.firstDivergence.epoch ?? "—"})` : ""}`,
      );
    }
  }
  return errors;
}
