// Rebuilding a submission's architectures from its signed records: built-ins by id, a user's
// model.json from the canonical topology the bundle carries, a builder module from the file
// `--model` names (its code is not in the bundle). Each rebuilt architecture must describe
// itself with the signed fingerprint before anything trains.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Architecture, ResultPredicate } from "../../schema/index.js";
import { InputError, UsageError } from "../errors.js";
import type { ModelSpec } from "../models/spec.js";
import { parseModelSpec } from "../models/spec.js";

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
 * Builds each user architecture once (TF.js in this thread, before any worker starts) and checks
 * that it describes itself with the signed fingerprint, so a wrong `--model` or a topology this
 * version builds differently fails before any training.
 */
export async function checkRebuilt(predicate: ResultPredicate, groups: readonly TrainingGroup[]): Promise<void> {
  const users = groups.filter((g) => g.model && g.architecture);
  if (users.length === 0) return;
  const { describeArchitecture, loadArchitecture } = await import("../models/index.js");
  for (const group of users) {
    const signed = group.architecture!;
    const model = group.model!;
    // Every run of a group shares the record, so any of them gives the dataset it was described for.
    const datasetId = predicate.runs[group.positions[0]!]!.task.dataset.id;
    const dataset = predicate.datasets.find((d) => d.id === datasetId)!;
    const rebuilt = await describeArchitecture(await loadArchitecture(model), dataset.shape, dataset.classes);
    if (rebuilt.fingerprint !== signed.fingerprint) {
      const what = model.kind === "topology" ? `the signed topology of ${signed.id}` : `--model ${pathOf(model)}`;
      throw new InputError(
        `${what} rebuilds an architecture with fingerprint ${rebuilt.fingerprint.slice(0, 12)}…, but the ` +
          `original signed ${signed.fingerprint.slice(0, 12)}… for ${signed.id}: it is not the same network`,
      );
    }
  }
}

function pathOf(model: ModelSpec): string {
  return "path" in model ? model.path : model.kind;
}

/** What identifies a group's model for resuming: the fingerprint, and for a model file its digest too. */
export async function modelIdentity(group: TrainingGroup): Promise<string[]> {
  if (!group.architecture || !group.model) return [];
  if (group.model.kind !== "builder-module" && group.model.kind !== "layers-json")
    return [group.architecture.fingerprint];
  const path = group.model.path;
  const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read --model ${path}: ${error.code ?? error.message}`, { cause: error });
  });
  return [group.architecture.fingerprint, `file:${createHash("sha256").update(bytes).digest("hex")}`];
}
