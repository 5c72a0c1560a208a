// The file datasets end to end: Fashion-MNIST (IDX files) and CIFAR-10 (binary batches) generated in
// their real formats at the `standard` suite's sizes, trained by the built CLI (one tiny builder-module
// architecture, seed 0, every condition of the suite), verified by `rethink-bench verify --data-dir`,
// posted to the app on PGlite whose registry holds the generated files' digests and labels, and found
// on the leaderboard. MNIST is absent: no suite trains on it, so `run --dataset mnist` is refused.
// Each generated image shows its class (tests/fixtures/dataset-files.ts): the true-label runs fit,
// which shows that the loader paired every image with its own label, and stop after a few epochs.
//
// Cost: the suite's full condition grid (21 runs of up to 100 epochs on 10,000 + 2,000 examples) for
// each dataset; the runs that fit (true labels, and on CIFAR-10 the pixel permutations, which keep a
// colour) stop after a few epochs. One worker, one dataset at a time, CPU seconds: Fashion-MNIST 167
// (276 with images of random bytes, where no run fitted), CIFAR-10 286 (594, most of it the random
// crops). The whole file: 7.5 min and 473 s of CPU on two cores at a load of about 5.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../api/db/client.js";
import { openDatabase } from "../../api/db/open.js";
import { verifySubmission } from "../../api/verify-submission.js";
import {
  type DatasetRegistry,
  defaultDatasetRegistry,
  findSuite,
  type KnownDataset,
  knownDatasetFrom,
  Leaderboard,
  openBundle,
  packLabelData,
  type ResultPredicate,
} from "../../schema/index.js";
import { appOn, postBundle } from "../fixtures/api.js";
import { type CliResult, runCli } from "../fixtures/cli.js";
import { type GeneratedDataset, writeCifarFiles, writeIdxFiles, writePinsFile } from "../fixtures/dataset-files.js";

const SUITE = "standard";
const home = mkdtempSync(join(tmpdir(), "rb-datasets-"));
const env = {
  RETHINK_BENCH_CONFIG_DIR: join(home, "config"),
  RETHINK_BENCH_CACHE_DIR: join(home, "cache"),
  RETHINK_BENCH_DATA_DIR: join(home, "data"),
};
/** The means of 4 bands of rows and one dense layer: 50 or 130 weights, cheap per step, reads the generated classes. */
const MODEL = fileURLToPath(new URL("../fixtures/models/band-means.mjs", import.meta.url));
/** Both datasets train at once, two workers each, so both cores stay busy until the slower grid (CIFAR-10's) ends. */
const TRAIN_TIMEOUT_MS = 840_000;

interface Case {
  id: "fashion-mnist" | "cifar10";
  write: (dir: string, sizes: { train: number; test: number; seed: number }) => GeneratedDataset;
  /** The shape the dataset's files have, and the one the network is built at (the paper's CIFAR crop). */
  shape: number[];
  inputShape: number[];
  /** Why `verify` without the files refuses the bundle: other digests, or (CIFAR-10) no labels at all. */
  refusedAs: string;
}

const CASES: Case[] = [
  { id: "fashion-mnist", write: writeIdxFiles, shape: [28, 28, 1], inputShape: [28, 28, 1], refusedAs: "wrong-score" },
  {
    id: "cifar10",
    write: writeCifarFiles,
    shape: [32, 32, 3],
    inputShape: [28, 28, 3],
    refusedAs: "unscorable-dataset",
  },
];

interface Trained {
  generated: GeneratedDataset;
  pins: string;
  run: CliResult;
  bundle: string;
  predicate: ResultPredicate;
}

/** The package's datasets plus each generated one, with its digests and its labels in file order. */
const registry = new Map<string, KnownDataset>(defaultDatasetRegistry());
const trained = new Map<string, Trained>();
let handle: DatabaseHandle;
let app: ReturnType<typeof appOn>;

async function generateAndTrain(c: Case, seed: number): Promise<Trained> {
  // The suite fixes the sizes; the files hold exactly that many examples, 10% of each class.
  const spec = findSuite(SUITE)!.datasets.find((d) => d.id === c.id)!;
  const generated = c.write(join(home, c.id), { train: spec.trainSize, test: spec.testSize, seed });
  const pins = writePinsFile(join(home, `${c.id}-pins.json`), c.id, generated.files);
  registry.set(c.id, knownDatasetFrom(packLabelData(c.id, generated.labels, generated.files)));
  const args = ["run", "--suite", SUITE, "--dataset", c.id, "--data-dir", generated.dir, "--no-download"];
  const run = await runCli(
    [
      ...args,
      "--model",
      MODEL,
      "--seed",
      "0",
      "--backend",
      "wasm",
      "--workers",
      "2",
      "--out",
      join(home, `${c.id}-out`),
      "--json",
    ],
    { ...env, RETHINK_BENCH_DATASET_PINS: pins },
    TRAIN_TIMEOUT_MS,
  );
  // The exit code is asserted below; stdout carries only the --json document when it is 0.
  const bundle = run.code === 0 ? (JSON.parse(run.stdout) as { bundle: string }).bundle : "";
  const opened = bundle ? await openBundle(readFileSync(bundle, "utf8")) : null;
  if (opened && !opened.ok) throw new Error(`${bundle} does not open: ${opened.code}: ${opened.detail}`);
  return { generated, pins, run, bundle, predicate: opened?.statement.predicate as ResultPredicate };
}

beforeAll(async () => {
  handle = await openDatabase({ driver: "pglite" });
  const datasets: DatasetRegistry = registry;
  app = appOn(handle, { verify: (body) => verifySubmission(body, { datasets }) });
  const results = await Promise.all(CASES.map((c, i) => generateAndTrain(c, i + 1)));
  for (const [i, c] of CASES.entries()) trained.set(c.id, results[i]!);
}, TRAIN_TIMEOUT_MS + 60_000);
afterAll(() => handle?.close());

describe.each(CASES)("$id from generated files", (c) => {
  const get = () => trained.get(c.id)!;

  it("trains every condition of the suite and writes a signed bundle", () => {
    const { run, bundle, predicate } = get();
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    expect(bundle).toMatch(/standard-[0-9a-f]{12}\.dsse\.json$/);
    // 9 corruptions unregularized, 5 regularizers × (true, random), no batch norm × (true, random).
    expect(predicate.runs).toHaveLength(21);
    expect(new Set(predicate.runs.map((r) => r.task.dataset.id))).toEqual(new Set([c.id]));
  });

  it("reads each image with its own label: true labels are fitted and predict the test set, random ones not", () => {
    const { predicate } = get();
    const run = (corruption: string) =>
      predicate.runs.find((r) => r.task.corruption.kind === corruption && r.task.regularizer.name === "none")!;
    const truth = run("true");
    expect(truth.status).toBe("ok");
    expect(truth.derived.epochsToFit).not.toBeNull();
    expect(truth.derived.finalTrainAcc).toBe(1);
    expect(truth.derived.finalTestAcc).toBe(1);
    // The network cannot memorize: random labels train the whole budget, and the test labels are not theirs.
    const random = run("random");
    expect(random.derived.epochsToFit).toBeNull();
    expect(random.curve).toHaveLength(random.task.epochs);
    expect(random.derived.finalTestAcc).toBeLessThan(0.5);
  });

  it("records the generated files and the shapes the data and the network have", () => {
    const { generated, predicate } = get();
    const [dataset] = predicate.datasets;
    expect(predicate.datasets).toHaveLength(1);
    expect(dataset!.id).toBe(c.id);
    expect(dataset!.shape).toEqual(c.shape);
    expect(dataset!.files).toEqual(generated.files);
    expect(predicate.architectures.map((a) => a.inputShape)).toEqual([c.inputShape]);
  });

  it("verifies with the generated files, and not against the published ones", async () => {
    const { bundle, pins } = get();
    const withFiles = await runCli(["verify", "--json", "--data-dir", get().generated.dir, bundle], {
      ...env,
      RETHINK_BENCH_DATASET_PINS: pins,
    });
    expect(withFiles.code, withFiles.stdout + withFiles.stderr).toBe(0);
    const [row] = JSON.parse(withFiles.stdout) as { ok: boolean; suite: string; datasets: string[]; runs: number }[];
    expect(row).toMatchObject({ ok: true, suite: SUITE, datasets: [c.id], runs: 21 });

    // This package pins the published files (and holds no CIFAR-10 labels): the generated ones fail.
    const published = await runCli(["verify", bundle], env);
    expect(published.code).toBe(1);
    expect(published.stdout).toMatch(new RegExp(`^FAIL {2}.*: ${c.refusedAs}: predicate\\.datasets\\[0\\]`));
  });

  it("is accepted by a server that knows the files, and lists the architecture on the board", async () => {
    const { bundle, predicate } = get();
    const posted = await postBundle(app, readFileSync(bundle, "utf8"));
    expect(posted.status, await posted.clone().text()).toBe(201);
    const res = await app.request(`/api/v1/leaderboard?suite=${SUITE}&dataset=${c.id}`);
    expect(res.status).toBe(200);
    const board = Leaderboard.parse(await res.json());
    const fingerprint = predicate.architectures[0]!.fingerprint;
    expect(board.dataset).toBe(c.id);
    expect(board.rows.map((r) => r.architecture.fingerprint)).toEqual([fingerprint]);
  });
});
