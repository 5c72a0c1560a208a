// Rebuilding a submission's architectures from its signed records: built-ins by id, a user's
// model.json from the canonical topology the bundle carries, a builder module or a PyTorch
// module from the file `--model` names (its code is not in the bundle). Each rebuilt
// architecture must describe itself with the signed fingerprint before anything trains.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Architecture, ResultPredicate } from "../../schema/index.js";
import type { LoadOptions } from "../datasets/index.js";
import { InputError, UsageError } from "../errors.js";
import type { ModelSpec } from "../models/spec.js";
import { parseModelSpec } from "../models/spec.js";
import type { EngineChoice } from "../pool/messages.js";

/** Runs that train with one model spec, on one worker pool. */
export interface TrainingGroup {
  /** Null: built-in architectures, each task built by its id. */
  model: ModelSpec | null;
  /** The signed record the group's model must rebuild (null for built-ins: the audit bound their ids). */
  architecture: Architecture | null;
  positions: number[];
}

/** The signed architecture record of run `position`. */
export function architectureOf(predicate: ResultPredicate, position: number): Architecture {
  const run = predicate.runs[position]!;
  // openEnvelope's consistency check guarantees every run's fingerprint has a record.
  return predicate.architectures.find((a) => a.fingerprint === run.architectureFingerprint)!;
}

/**
 * Groups the chosen runs by how their architecture is rebuilt: every built-in on one pool, and
 * one pool per user architecture record. A kernel baseline is refused (it is solved, not
 * trained), as is a builder module without `--model`.
 */
export function planRebuild(predicate: ResultPredicate, positions: readonly number[], model?: string): TrainingGroup[] {
  const builtins: number[] = [];
  const users = new Map<string, TrainingGroup>();
  for (const position of positions) {
    const architecture = architectureOf(predicate, position);
    if (architecture.kind === "builtin") {
      builtins.push(position);
      continue;
    }
    if (architecture.kind === "kernel")
      throw new UsageError(
        `run ${position} is the kernel baseline ${architecture.id}: it is solved, not trained, and ` +
          `reproduce only trains networks again; check it with rethink-bench kernel --out DIR instead`,
      );
    let group = users.get(architecture.fingerprint);
    if (!group) {
      let spec: ModelSpec;
      if (architecture.kind === "layers-json") {
        spec = { kind: "topology", id: architecture.id, name: architecture.name, topology: architecture.topology };
      } else if (architecture.kind === "torch-module") {
        const given = model === undefined ? null : parseModelSpec(model);
        if (given?.kind !== "torch-module")
          throw new UsageError(
            `run ${position}'s architecture ${architecture.id} is a PyTorch module, whose code a bundle does not ` +
              `carry: pass its file and factory with --model file.py:factory (signed as ${architecture.name}; it ` +
              `must describe itself with the fingerprint ${architecture.fingerprint.slice(0, 12)}…)`,
          );
        spec = given;
      } else {
        if (!model)
          throw new UsageError(
            `run ${position}'s architecture ${architecture.id} comes from a builder module, whose code a ` +
              `bundle does not carry: pass the module with --model file.js (its rebuilt topology must have ` +
              `the signed fingerprint ${architecture.fingerprint.slice(0, 12)}…)`,
          );
        spec = parseModelSpec(model);
      }
      group = { model: spec, architecture, positions: [] };
      users.set(architecture.fingerprint, group);
    }
    group.positions.push(position);
  }
  return [...(builtins.length ? [{ model: null, architecture: null, positions: builtins }] : []), ...users.values()];
}

/**
 * Builds each user architecture once (TF.js in this thread, or a PyTorch module in a Python
 * worker started for it, before any worker thread starts) and checks that it describes itself
 * with the signed fingerprint, so a wrong `--model` or a topology this version builds
 * differently fails before any training.
 */
export async function checkRebuilt(
  predicate: ResultPredicate,
  groups: readonly TrainingGroup[],
  options: { engine?: EngineChoice; data?: LoadOptions } = {},
): Promise<void> {
  const users = groups.filter((g) => g.model && g.architecture);
  if (users.length === 0) return;
  const { describeArchitecture, loadArchitecture } = await import("../models/index.js");
  for (const group of users) {
    const signed = group.architecture!;
    const model = group.model!;
    // Every run of a group shares the record, so any of them gives the dataset it was described for.
    const task = predicate.runs[group.positions[0]!]!.task;
    const dataset = predicate.datasets.find((d) => d.id === task.dataset.id)!;
    const rebuilt =
      model.kind === "torch-module"
        ? await describeTorchModule(model, task, options)
        : await describeArchitecture(await loadArchitecture(model), dataset.shape, dataset.classes);
    if (rebuilt.fingerprint !== signed.fingerprint) {
      const what = model.kind === "topology" ? `the signed topology of ${signed.id}` : `--model ${pathOf(model)}`;
      throw new InputError(
        `${what} rebuilds an architecture with fingerprint ${rebuilt.fingerprint.slice(0, 12)}…, but the ` +
          `original signed ${signed.fingerprint.slice(0, 12)}… for ${signed.id}: it is not the same network`,
      );
    }
  }
}

/** A PyTorch module's record, described by a Python worker of the reproducing engine. */
async function describeTorchModule(
  model: Extract<ModelSpec, { kind: "torch-module" }>,
  task: ResultPredicate["runs"][number]["task"],
  options: { engine?: EngineChoice; data?: LoadOptions },
): Promise<Architecture> {
  if (options.engine?.kind !== "torch" || !options.data)
    throw new UsageError(
      `--model ${model.path}:${model.factory} is a PyTorch module: reproduce it with --engine torch`,
    );
  const [{ loadDataset }, { TorchRunner }] = await Promise.all([
    import("../datasets/index.js"),
    import("../pool/torch-runner.js"),
  ]);
  const dataset = await loadDataset(task.dataset, options.data);
  const runner = await TorchRunner.start(options.engine);
  try {
    return await runner.describeModule(model, dataset, task);
  } finally {
    await runner.close();
  }
}

function pathOf(model: ModelSpec): string {
  return "path" in model ? ("factory" in model ? `${model.path}:${model.factory}` : model.path) : model.kind;
}

/** What identifies a group's model for resuming: the fingerprint, and for a model file its digest too. */
export async function modelIdentity(group: TrainingGroup): Promise<string[]> {
  if (!group.architecture || !group.model) return [];
  const { model } = group;
  if (model.kind !== "builder-module" && model.kind !== "layers-json" && model.kind !== "torch-module")
    return [group.architecture.fingerprint];
  const bytes = await readFile(model.path).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read --model ${model.path}: ${error.code ?? error.message}`, { cause: error });
  });
  const digest = createHash("sha256").update(bytes).digest("hex");
  return [
    group.architecture.fingerprint,
    model.kind === "torch-module" ? `file:${digest}:${model.factory}` : `file:${digest}`,
  ];
}
