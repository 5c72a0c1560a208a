// The file datasets end to end: Fashion-MNIST (IDX files) and CIFAR-10 (binary batches) generated in
// their real formats at the `standard` suite's sizes, each verified by `rethink-bench verify --data-dir`,
// posted to the app on PGlite whose registry holds the generated files' digests and labels, and found
// on the leaderboard. MNIST is absent: no suite trains on it, so `run --dataset mnist` is refused.
// Each generated image shows its class (tests/fixtures/dataset-files.ts): the true-label runs fit,
// which shows that the loader paired every image with its own label, and stop after a few epochs.
//
// Fashion-MNIST goes the whole way through the built CLI: `run` trains one tiny builder-module
// architecture, seed 0, on every condition of the suite (the protocol refuses a bundle without all 21,
// and `run` has no option to pick conditions). CIFAR-10 shares every step after its file reader, so its
// grid is not trained a second time: its files are read by the loader `run` uses (every image checked
// against its record in the files), the true- and random-label runs train in this process through the
// functions a worker thread calls, and a bundle made from the generated labels (tests/fixtures/
// bundles.ts) goes through `verify` and the server. CIFAR-10's full grid cost 286 s of CPU, most of it
// the random-label runs with random crops of 32×32×3 images.
//
// Cost: Fashion-MNIST's grid, 8 runs that fit and stop within 10 epochs and 13 of 100 epochs on
// 10,000 + 2,000 examples: 122 s of CPU with one worker (two here, one per core); CIFAR-10's two runs
// about 10 s. The whole file: 175 s of CPU, 200 s on two cores at a load of about 5 (with both grids it
// took 473 s of CPU, 7.5 min at that load).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../api/db/client.js";
import { openDatabase } from "../../api/db/open.js";
import { verifySubmission } from "../../api/verify-submission.js";
import { corruptDataset } from "../../runner/corruptions.js";
import { type Dataset, datasetRecord, loadDataset } from "../../runner/datasets/index.js";
import { type ArchitectureBuilder, describeArchitecture, loadArchitecture } from "../../runner/models/index.js";
import { parseModelSpec } from "../../runner/models/spec.js";
import { initBackend, type RunOutcome, trainRun } from "../../runner/train/index.js";
import {
  type DatasetRegistry,
  defaultDatasetRegistry,
  expandSuite,
  findSuite,
  type KnownDataset,
  knownDatasetFrom,
  Leaderboard,
  openBundle,
  packLabelData,
  type ResultPredicate,
  type Task,
} from "../../schema/index.js";
import { appOn, postBundle } from "../fixtures/api.js";
import { makePredicate, newSigner, signRaw } from "../fixtures/bundles.js";
import { type CliResult, runCli } from "../fixtures/cli.js";
import { type GeneratedDataset, writeCifarFiles, writeIdxFiles, writePinsFile } from "../fixtures/dataset-files.js";

const SUITE = "standard";
const suite = findSuite(SUITE)!;
const home = mkdtempSync(join(tmpdir(), "rb-datasets-"));
const env = {
  RETHINK_BENCH_CONFIG_DIR: join(home, "config"),
  RETHINK_BENCH_CACHE_DIR: join(home, "cache"),
  RETHINK_BENCH_DATA_DIR: join(home, "data"),
};
/** The means of 4 bands of rows and one dense layer: 50 or 130 weights, cheap per step, reads the generated classes. */
const MODEL = fileURLToPath(new URL("../fixtures/models/band-means.mjs", import.meta.url));
/**
 * Fashion-MNIST's grid on two workers, on a machine that may be busy with other work: about 140 s on
 * two free cores, but past 600 s at a load of about 10 (the random-label crop runs took 188 s each).
 */
const TRAIN_TIMEOUT_MS = 1_500_000;

/** The generated files of a dataset, the pins file that admits them, and their labels in the registry. */
function generate(id: "fashion-mnist" | "cifar10", seed: number): { generated: GeneratedDataset; pins: string } {
  // The suite fixes the sizes; the files hold exactly that many examples, 10% of each class.
  const spec = suite.datasets.find((d) => d.id === id)!;
  const write = id === "cifar10" ? writeCifarFiles : writeIdxFiles;
  const generated = write(join(home, id), { train: spec.trainSize, test: spec.testSize, seed });
  const pins = writePinsFile(join(home, `${id}-pins.json`), id, generated.files);
  registry.set(id, knownDatasetFrom(packLabelData(id, generated.labels, generated.files)));
  return { generated, pins };
}

/** The package's datasets plus each generated one, with its digests and its labels in file order. */
const registry = new Map<string, KnownDataset>(defaultDatasetRegistry());
let handle: DatabaseHandle;
let app: ReturnType<typeof appOn>;

beforeAll(async () => {
  handle = await openDatabase({ driver: "pglite" });
  const datasets: DatasetRegistry = registry;
  app = appOn(handle, { verify: (body) => verifySubmission(body, { datasets }) });
}, 60_000);
afterAll(() => handle?.close());

/** Asks `verify` with the generated files (expected to accept) and with the published ones (to refuse). */
async function verifyBothWays(bundle: string, files: { generated: GeneratedDataset; pins: string }) {
  const withFiles = await runCli(["verify", "--json", "--data-dir", files.generated.dir, bundle], {
    ...env,
    RETHINK_BENCH_DATASET_PINS: files.pins,
  });
  const published = await runCli(["verify", bundle], env);
  return { withFiles, published };
}

/** Posts a bundle to the server that knows the generated files, and reads the dataset's board. */
async function postAndRank(bundle: string, dataset: string) {
  const posted = await postBundle(app, readFileSync(bundle, "utf8"));
  const res = await app.request(`/api/v1/leaderboard?suite=${SUITE}&dataset=${dataset}`);
  return { posted, res };
}

describe("fashion-mnist from generated files, through run, verify and the board", () => {
  let files: { generated: GeneratedDataset; pins: string };
  let run: CliResult;
  let bundle = "";
  let predicate: ResultPredicate;

  beforeAll(async () => {
    files = generate("fashion-mnist", 1);
    const args = ["run", "--suite", SUITE, "--dataset", "fashion-mnist", "--data-dir", files.generated.dir];
    run = await runCli(
      [
        ...args,
        ...["--no-download", "--model", MODEL, "--seed", "0", "--backend", "wasm", "--workers", "2"],
        ...["--out", join(home, "fashion-mnist-out"), "--json"],
      ],
      { ...env, RETHINK_BENCH_DATASET_PINS: files.pins },
      TRAIN_TIMEOUT_MS,
    );
    // The exit code is asserted below; stdout carries only the --json document when it is 0.
    bundle = run.code === 0 ? (JSON.parse(run.stdout) as { bundle: string }).bundle : "";
    const opened = bundle ? await openBundle(readFileSync(bundle, "utf8")) : null;
    if (opened && !opened.ok) throw new Error(`${bundle} does not open: ${opened.code}: ${opened.detail}`);
    predicate = opened?.statement.predicate as ResultPredicate;
  }, TRAIN_TIMEOUT_MS + 60_000);

  it("trains every condition of the suite and writes a signed bundle", () => {
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    expect(bundle).toMatch(/standard-[0-9a-f]{12}\.dsse\.json$/);
    // 9 corruptions unregularized, 5 regularizers × (true, random), no batch norm × (true, random).
    expect(predicate.runs).toHaveLength(21);
    expect(new Set(predicate.runs.map((r) => r.task.dataset.id))).toEqual(new Set(["fashion-mnist"]));
  });

  it("reads each image with its own label: true labels are fitted and predict the test set, random ones not", () => {
    const unregularized = (corruption: string) =>
      predicate.runs.find((r) => r.task.corruption.kind === corruption && r.task.regularizer.name === "none")!;
    const truth = unregularized("true");
    expect(truth.status).toBe("ok");
    expect(truth.derived.epochsToFit).not.toBeNull();
    expect(truth.derived.finalTrainAcc).toBe(1);
    expect(truth.derived.finalTestAcc).toBe(1);
    // The network cannot memorize: random labels train the whole budget, and the test labels are not theirs.
    const random = unregularized("random");
    expect(random.derived.epochsToFit).toBeNull();
    expect(random.curve).toHaveLength(random.task.epochs);
    expect(random.derived.finalTestAcc).toBeLessThan(0.5);
  });

  it("records the generated files and the shapes the data and the network have", () => {
    const [dataset] = predicate.datasets;
    expect(predicate.datasets).toHaveLength(1);
    expect(dataset!.id).toBe("fashion-mnist");
    expect(dataset!.shape).toEqual([28, 28, 1]);
    expect(dataset!.files).toEqual(files.generated.files);
    expect(predicate.architectures.map((a) => a.inputShape)).toEqual([[28, 28, 1]]);
  });

  it("verifies with the generated files, and not against the published ones", async () => {
    const { withFiles, published } = await verifyBothWays(bundle, files);
    expect(withFiles.code, withFiles.stdout + withFiles.stderr).toBe(0);
    const [row] = JSON.parse(withFiles.stdout) as { ok: boolean; suite: string; datasets: string[]; runs: number }[];
    expect(row).toMatchObject({ ok: true, suite: SUITE, datasets: ["fashion-mnist"], runs: 21 });
    // This package pins the published files: the generated ones score other labels.
    expect(published.code).toBe(1);
    expect(published.stdout).toMatch(/^FAIL {2}.*: wrong-score: predicate\.datasets\[0\]/);
  });

  it("is accepted by a server that knows the files, and lists the architecture on the board", async () => {
    const { posted, res } = await postAndRank(bundle, "fashion-mnist");
    expect(posted.status, await posted.clone().text()).toBe(201);
    expect(res.status).toBe(200);
    const board = Leaderboard.parse(await res.json());
    expect(board.dataset).toBe("fashion-mnist");
    expect(board.rows.map((r) => r.architecture.fingerprint)).toEqual([predicate.architectures[0]!.fingerprint]);
  });
});

describe("cifar10 from generated files, through the loader, training, verify and the board", () => {
  let files: { generated: GeneratedDataset; pins: string };
  let dataset: Dataset;
  let builder: ArchitectureBuilder;
  const spec = suite.datasets.find((d) => d.id === "cifar10")!;

  beforeAll(async () => {
    files = generate("cifar10", 2);
    // What `run --data-dir DIR` does with $RETHINK_BENCH_DATASET_PINS naming the generated files.
    dataset = await loadDataset(spec, {
      dataDir: files.generated.dir,
      download: false,
      cacheDir: env.RETHINK_BENCH_CACHE_DIR,
      pins: { cifar10: files.generated.files },
    });
    await initBackend("wasm");
    builder = await loadArchitecture(parseModelSpec(MODEL));
  }, 120_000);

  it("reads every image of the suite's subsets from the batch files with the label of its record", () => {
    // Each generated image is unique (its noise): the test reads the records itself and finds every loaded image.
    const records = new Map<string, number>();
    for (const { name } of files.generated.files) {
      const bytes = readFileSync(join(files.generated.dir, name));
      for (let r = 0; r < bytes.length; r += 3073)
        records.set(bytes.subarray(r + 1, r + 3073).toString("hex"), bytes[r]!);
    }
    expect(records.size).toBe(spec.trainSize + spec.testSize);
    for (const split of [dataset.train, dataset.test]) {
      const found = Array.from({ length: split.count }, (_, i) => {
        // The loader holds pixels as height × width × (red, green, blue) in [0, 1]; a record holds 3 planes of bytes.
        const planes = Buffer.alloc(3072);
        for (let p = 0; p < 1024; p++)
          for (let c = 0; c < 3; c++) planes[1024 * c + p] = Math.round(split.images[3072 * i + 3 * p + c]! * 255);
        return records.get(planes.toString("hex"));
      });
      expect(found).toEqual(Array.from(split.labels));
    }
    expect([dataset.train.count, dataset.test.count]).toEqual([spec.trainSize, spec.testSize]);
  });

  it("trains on them: true labels are fitted and predict the test set, random ones not", async () => {
    const tasks = expandSuite(suite, { architectures: [builder.id], seeds: [0] }).filter(
      (t) => t.dataset.id === "cifar10" && t.regularizer.name === "none",
    );
    // What a worker thread does with each task (runner/pool/run-worker.ts).
    const train = (task: Task): Promise<RunOutcome> => {
      const corrupted = corruptDataset(dataset, task.corruption, task.seed);
      return trainRun(task, builder, corrupted);
    };
    const accuracy = (predictions: Uint8Array, labels: Uint8Array) =>
      predictions.filter((p, i) => p === labels[i]).length / labels.length;
    const truth = await train(tasks.find((t) => t.corruption.kind === "true")!);
    expect(truth.status).toBe("ok");
    expect(truth.curve.at(-1)!.trainAcc).toBe(1);
    // Fitted, so it stopped long before the budget.
    expect(truth.curve.length).toBeLessThan(suite.epochs);
    expect(accuracy(truth.predictions!.test, dataset.test.labels)).toBe(1);
    // The network cannot memorize: random labels train the whole budget, and the test labels are not theirs.
    const randomTask = tasks.find((t) => t.corruption.kind === "random")!;
    const random = await train(randomTask);
    expect(random.curve).toHaveLength(randomTask.epochs);
    expect(Math.max(...random.curve.map((p) => p.trainAcc))).toBeLessThan(1);
    expect(random.curve.at(-1)!.testAcc).toBeLessThan(0.5);
  }, 300_000);

  it("records the generated files, the images' shape and the network's (the paper's 28×28×3 crop)", async () => {
    expect(datasetRecord(dataset)).toMatchObject({ id: "cifar10", shape: [32, 32, 3], files: files.generated.files });
    expect((await describeArchitecture(builder, dataset.shape, dataset.classes)).inputShape).toEqual([28, 28, 3]);
  });

  /** A complete cifar10 bundle of the suite whose predictions score against the generated labels. */
  async function cifarBundle(): Promise<{ bundle: string; fingerprint: string }> {
    const signer = await newSigner();
    const full = await makePredicate(signer, {
      suite,
      seeds: [0],
      datasets: registry,
      architectures: [{ id: "small-net", name: "small net" }],
    });
    const runs = full.runs.filter((r) => r.task.dataset.id === "cifar10");
    const fingerprint = runs[0]!.architectureFingerprint;
    const predicate: ResultPredicate = {
      ...full,
      runs,
      architectures: full.architectures.filter((a) => a.fingerprint === fingerprint),
      datasets: full.datasets.filter((d) => d.id === "cifar10"),
    };
    const bundle = join(home, "cifar10.dsse.json");
    writeFileSync(bundle, JSON.stringify(await signRaw(predicate, signer)));
    return { bundle, fingerprint };
  }

  it("verifies with the generated files, and not without them; the server that knows them ranks it", async () => {
    const { bundle, fingerprint } = await cifarBundle();
    const { withFiles, published } = await verifyBothWays(bundle, files);
    expect(withFiles.code, withFiles.stdout + withFiles.stderr).toBe(0);
    const [row] = JSON.parse(withFiles.stdout) as { ok: boolean; suite: string; datasets: string[]; runs: number }[];
    expect(row).toMatchObject({ ok: true, suite: SUITE, datasets: ["cifar10"], runs: 21 });
    // This package holds no CIFAR-10 labels, so without the files no run can be scored.
    expect(published.code).toBe(1);
    expect(published.stdout).toMatch(/^FAIL {2}.*: unscorable-dataset: predicate\.datasets\[0\]/);

    const { posted, res } = await postAndRank(bundle, "cifar10");
    expect(posted.status, await posted.clone().text()).toBe(201);
    const board = Leaderboard.parse(await res.json());
    expect(board.dataset).toBe("cifar10");
    expect(board.rows.map((r) => r.architecture.fingerprint)).toEqual([fingerprint]);
  });
});
