// One reproduction: choose the runs, train them again on this machine, compare and sign the
// verdicts, and submit the attestation; `reproduce TARGET` and the --watch daemon share it.

import { randomInt } from "node:crypto";
import {
  type ComparisonMode,
  comparisonMode,
  type Environment,
  isTorchBackend,
  REPRODUCTION_TOLERANCE,
  type ReproductionPredicate,
  type Signer,
  taskKey,
} from "../../schema/index.js";
import { type EngineOptions, resolveEngine } from "../commands/engine-options.js";
import { datasetLoadOptions, parseWholeNumber } from "../commands/option-parsers.js";
import { workerCount } from "../commands/run.js";
import { type Delivery, submitFile } from "../commands/submit.js";
import { InputError, UsageError } from "../errors.js";
import { parseModelSpec } from "../models/spec.js";
import type { Outbox } from "../outbox.js";
import { RUNNER_VERSION } from "../package-info.js";
import { BACKEND_CHOICES, type BackendChoice, nativeTensorflowInstalled } from "../train/backend-choice.js";
import { buildPredicate, writeAttestation } from "./attest.js";
import { parsePositions, samplePositions } from "./positions.js";
import type { Original } from "./target.js";
import { trainPositions } from "./train.js";

/** The options of `reproduce` that one reproduction reads. */
export interface ReproductionOptions extends EngineOptions {
  runs?: string;
  sample?: string;
  /** The sample's seed; drawn at random when absent. */
  sampleSeed?: string;
  workers?: string;
  backend?: string;
  json?: boolean;
  out: string;
  dataDir?: string;
  download: boolean;
  model?: string;
  name?: string;
}

/** What one reproduction produced. */
export interface Reproduced {
  predicate: ReproductionPredicate;
  attestationPath: string;
  /** The server's answer when it was submitted (null when it was not). */
  delivery: Delivery | null;
  /** Runs left out of the attestation: this machine could not train them (out of memory, a dead thread). */
  unfinished: { position: number; failure: string }[];
}

/** The context shared by every reproduction of one invocation. */
export interface ReproduceContext {
  options: ReproductionOptions;
  signer: Signer;
  outbox: Outbox;
  /** Where attestations go with --submit. */
  api: string | null;
  /** The command that reproduces this target, for messages (`npx rethink-bench@<v> reproduce …`). */
  target: string;
  say: (message: string) => void;
}

/** Backends this machine can run for sure: wasm and cpu always, tensorflow when a native package is installed. */
function available(backend: Environment["backend"]): boolean {
  return backend === "wasm" || backend === "cpu" || (backend === "tensorflow" && nativeTensorflowInstalled());
}

/** --backend, else the original's when this machine has it (so the comparison can be exact), else auto. */
function chooseBackend(choice: string | undefined, original: Original): BackendChoice {
  if (choice !== undefined) {
    if (!(BACKEND_CHOICES as readonly string[]).includes(choice))
      throw new UsageError(`unknown backend "${choice}"; valid backends: ${BACKEND_CHOICES.join(", ")}`);
    return choice as BackendChoice;
  }
  const { backend } = original.statement.predicate.environment;
  return available(backend) ? (backend as BackendChoice) : "auto";
}

function engine(environment: Pick<Environment, "backend" | "backendDetail" | "runnerVersion" | "tfjsVersion">): string {
  // On PyTorch the detail names torch's version and the device (and on the CPU the thread count).
  const torch = isTorchBackend(environment.backend) ? `, ${environment.backendDetail}` : "";
  return `${environment.backend}${torch}, rethink-bench ${environment.runnerVersion}, TF.js ${environment.tfjsVersion}`;
}

/**
 * --engine, else the original's: a PyTorch original is reproduced on PyTorch (on the CPU when it
 * ran there, so that the comparison can be exact), a TF.js one on TF.js.
 */
function engineOptions(options: EngineOptions, original: Original): EngineOptions {
  const { backend } = original.statement.predicate.environment;
  const engine = options.engine ?? (isTorchBackend(backend) ? "torch" : "tfjs");
  const device = options.device ?? (engine === "torch" && backend === "torch-cpu" ? "cpu" : undefined);
  return {
    engine,
    ...(options.python !== undefined ? { python: options.python } : {}),
    ...(device !== undefined ? { device } : {}),
  };
}

/** The sentence that says up front how the runs will be compared, and how to compare exactly. */
function modeNotice(original: Environment, here: Environment, target: string): string {
  const mode: ComparisonMode = comparisonMode(original, here);
  if (mode === "exact") return `Same engine as the original (${engine(here)}): comparing exactly, bit for bit.`;
  const { epochs, relative, accuracy } = REPRODUCTION_TOLERANCE;
  let notice =
    `The original ran on ${engine(original)}; this machine runs ${engine(here)}: comparing within tolerance, ` +
    `not exactly (epochs to fit within ${epochs} or ${relative * 100}%, final accuracies within ${accuracy}).`;
  if (original.backend === "tensorflow" || here.backend === "tensorflow")
    notice += "\nNative TensorFlow promises no bit-for-bit equality, even on one engine (docs/determinism.md).";
  else if (original.backend === here.backend && original.runnerVersion !== RUNNER_VERSION)
    notice += `\nTo compare exactly, use the original's version: npx rethink-bench@${original.runnerVersion} reproduce ${target}`;
  return notice;
}

/**
 * The positions --runs and --sample choose among the original's runs. Without --sample-seed the
 * sample's seed is drawn at random and `say` hears it, so the same runs can be drawn again.
 */
export function choosePositions(
  options: Pick<ReproductionOptions, "runs" | "sample" | "sampleSeed">,
  original: Original,
  say: (message: string) => void,
): number[] {
  const count = original.statement.predicate.runs.length;
  const listed = parsePositions(options.runs ?? "all", count);
  if (options.sample === undefined) {
    if (options.sampleSeed !== undefined) throw new UsageError("--sample-seed goes with --sample K");
    return listed;
  }
  const k = parseWholeNumber(options.sample, "--sample", 1);
  const seed =
    options.sampleSeed === undefined
      ? randomInt(2 ** 31 - 1)
      : parseWholeNumber(options.sampleSeed, "--sample-seed", 0, 2 ** 31 - 2);
  const sample = samplePositions(k, listed, original.payloadSha256, seed);
  if (options.sampleSeed === undefined)
    say(`Sampled runs ${sample.join(", ")} (--sample-seed ${seed} draws the same ones again).`);
  return sample;
}

/**
 * Trains `positions` of the original again, signs and writes the attestation, and submits it
 * when the context has an API. Prints nothing on stdout: the caller reports.
 */
export async function reproduceOriginal(
  original: Original,
  positions: number[],
  context: ReproduceContext,
): Promise<Reproduced> {
  const { options, signer, say } = context;
  const { predicate } = original.statement;
  const backend = chooseBackend(options.backend, original);
  if (options.workers !== undefined) parseWholeNumber(options.workers, "--workers", 1);
  const engine = await resolveEngine(
    engineOptions(options, original),
    options.model === undefined ? null : parseModelSpec(options.model),
  );
  const workers = workerCount(options.workers, engine, backend);
  say(
    `Reproducing ${positions.length} of ${predicate.runs.length} runs of ${original.submissionId} ` +
      `(suite ${predicate.suite.id} v${predicate.suite.version}, signed by ${original.keyid.slice(0, 16)}…) ` +
      `from ${original.source}.`,
  );
  if (signer.keyid === original.keyid)
    say("Note: this is your own key's submission; the board counts no key's reproductions of its own results.");
  const trained = await trainPositions(original, positions, {
    backend,
    engine,
    workers,
    ...(options.model ? { model: options.model } : {}),
    out: options.out,
    data: datasetLoadOptions(options),
    say,
    onEnvironment: (here) => say(modeNotice(predicate.environment, here, context.target)),
  });
  for (const { position, failure } of trained.unfinished)
    say(`run ${position} could not be trained on this machine (${failure}); it is left out of the attestation`);
  if (trained.runs.size === 0)
    throw new InputError(
      `none of the chosen runs could be trained on this machine, so there is nothing to attest; ` +
        `run the same command again (or elsewhere) to retry them`,
    );
  const reproduction = await buildPredicate({
    original,
    runs: trained.runs,
    environment: trained.environment,
    signer,
    ...(options.name ? { name: options.name } : {}),
    createdAt: new Date(),
  });
  const { path } = await writeAttestation(reproduction, signer, options.out);
  let delivery: Delivery | null = null;
  if (context.api) {
    const sent = await submitFile(path, context.api, context.outbox);
    say(sent.line);
    delivery = sent.delivery;
  }
  return { predicate: reproduction, attestationPath: path, delivery, unfinished: trained.unfinished };
}

/** The --json document of one reproduction. */
export function reproductionJson({
  predicate,
  attestationPath,
  delivery,
  unfinished,
}: Reproduced): Record<string, unknown> {
  return {
    submissionId: predicate.original.submissionId,
    payloadSha256: predicate.original.payloadSha256,
    mode: predicate.mode,
    attestation: attestationPath,
    runs: predicate.runs.map((run) => ({
      position: run.position,
      task: taskKey(run.task),
      verdict: run.verdict,
      firstDivergence: run.firstDivergence,
    })),
    unfinished,
    submitted: delivery?.kind ?? null,
    receipt: delivery?.kind === "accepted" ? (delivery.reproduction ?? null) : null,
  };
}
