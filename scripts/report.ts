// The reproduction report: docs/reproduction.md and its figures in docs/reproduction/, from
// real runs of this project set beside the paper's published results (Zhang et al., ICLR
// 2017). It runs (or resumes, or reuses) through the built CLI: the quick suite (on TF.js's wasm
// backend, and again on the PyTorch engine on the CPU, for the two engines side by side), the
// regularizers suite (Table 1's ablations), the kernel baseline on the quick suite's tasks and
// on growing subsets of MNIST, and Theorem 1 on random points and on MNIST images; with
// --standard also the standard suite on Fashion-MNIST with one seed. The bundles go to a local leaderboard whose architecture
// pages Chromium screenshots for Figure 1a, 1b and 1c.
//
//   npm run report [-- --results DIR] [--standard]
//
// Results are kept in DIR (default rethink-results/reproduction): running the report again
// reuses them and takes seconds; delete the folder to train everything again.
import { existsSync } from "node:fs";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import writeFileAtomic from "write-file-atomic";
import type { KernelReport } from "../runner/commands/kernel.js";
import type { TheoremReport } from "../runner/commands/theorem.js";
import { loadDataset } from "../runner/datasets/index.js";
import { InputError } from "../runner/errors.js";
import { cacheDir } from "../runner/paths.js";
import { expandSuite, findSuite, type ResultPredicate } from "../schema/index.js";
import type { BoardRef } from "../web/index.js";
import { boardMeasuresOf, LocalBoard } from "./report/board.js";
import { reproductionReport, type StandardStatus, type SuiteResult } from "./report/document/index.js";
import { ResultsFolder, type StepBundle } from "./report/steps.js";

const ROOT = resolve(import.meta.dirname, "..");
const DOCS = join(ROOT, "docs");
const IMAGES = join(DOCS, "reproduction");

/** The Python with torch that the quick suite's PyTorch step runs (Debian's python3-torch). */
const TORCH_PYTHON = process.env.RETHINK_BENCH_PYTHON ?? "/usr/bin/python3";
/** Training digits of the kernel solves on mnist-10k (all 8,000 at most), each against its 2,000 test digits. */
const KERNEL_SIZES = [1000, 2000, 4000, 8000];
/** Theorem 1 cases: random points, and real images with arbitrary real labels. */
const THEOREM_CASES: { step: string; args: string[] }[] = [
  { step: "theorem-random-n1000-d100", args: ["--n", "1000", "--d", "100"] },
  { step: "theorem-random-n5000-d1000", args: ["--n", "5000", "--d", "1000"] },
  { step: "theorem-mnist-10k-n8000", args: ["--n", "8000", "--dataset", "mnist-10k"] },
];

/** The leaderboard of a bundle's suite and (first) dataset. */
function boardOf(p: ResultPredicate): BoardRef {
  return { suite: p.suite.id, version: p.suite.version, dataset: p.datasets[0]!.id };
}

/**
 * The part of the standard suite that --standard runs: the dataset this machine can have
 * without a download, one seed.
 */
const STANDARD_SUBSET = { dataset: "fashion-mnist", seed: "0" };

const { values: flags } = parseArgs({
  options: {
    results: { type: "string", default: join("rethink-results", "reproduction") },
    standard: { type: "boolean", default: false },
  },
});

const resultsDir = resolve(ROOT, flags.results);
const started = performance.now();
const results = await ResultsFolder.open(resultsDir);

const quickBundle = await results.bundle("quick", ["run", "--suite", "quick"]);
// The same suite on the PyTorch engine (CPU), for the wasm-vs-torch comparison: Debian's torch under
// /usr/bin/python3 (`npm run setup:system`), named explicitly because the first python3 on PATH may lack it.
const quickTorch = await results.bundle("quick-torch", [
  "run",
  "--suite",
  "quick",
  "--engine",
  "torch",
  "--python",
  TORCH_PYTHON,
]);
const regularizersBundle = await results.bundle("regularizers", ["run", "--suite", "regularizers"]);
const kernelBundle = await results.bundle("kernel-quick", ["kernel", "--suite", "quick"]);
const kernelSizes = [];
for (const n of KERNEL_SIZES)
  kernelSizes.push(
    await results.json<KernelReport>(`kernel-mnist-10k-n${n}`, [
      "kernel",
      "--dataset",
      "mnist-10k",
      "--n",
      String(n),
      "--test",
      "2000",
      "--json",
    ]),
  );
const theorem = [];
for (const c of THEOREM_CASES)
  theorem.push(await results.json<TheoremReport>(c.step, ["theorem", ...c.args, "--json"]));
const standardBundle = flags.standard
  ? await results.bundle(`standard-${STANDARD_SUBSET.dataset}-seed${STANDARD_SUBSET.seed}`, [
      "run",
      "--suite",
      "standard",
      "--dataset",
      STANDARD_SUBSET.dataset,
      "--seed",
      STANDARD_SUBSET.seed,
    ])
  : null;

const standardSuite = findSuite("standard")!;
const datasets: StandardStatus["datasets"] = [];
for (const spec of standardSuite.datasets) {
  try {
    const data = await loadDataset(spec, { cacheDir: cacheDir(), download: false });
    datasets.push({
      id: spec.id,
      present: true,
      detail: `the loader reads it without a download: ${data.files.map((f) => f.name).join(", ")}`,
    });
  } catch (error) {
    // The loader's error names the folders it looked in; the report says how to get the data instead.
    if (!(error instanceof InputError)) throw error;
    datasets.push({
      id: spec.id,
      present: false,
      detail:
        `\`rethink-bench run --suite standard --dataset ${spec.id}\` downloads it, checksum-verified, ` +
        "or reads it from `--data-dir`",
    });
  }
}
const present = datasets.find((d) => d.present);
const standardTasks = present ? expandSuite(standardSuite).filter((t) => t.dataset.id === present.id) : [];

await rm(IMAGES, { recursive: true, force: true });
await mkdir(IMAGES, { recursive: true });
const board = await LocalBoard.open();
let report: string;
try {
  for (const bundle of [quickBundle, regularizersBundle, kernelBundle, ...(standardBundle ? [standardBundle] : [])])
    await board.submit(bundle.text);

  /** Each trained architecture of a bundle with its page's data and its charts as PNGs. */
  const suiteResult = async (bundle: StepBundle): Promise<SuiteResult> => {
    const p: ResultPredicate = bundle.predicate;
    const ref = boardOf(p);
    const architectures: SuiteResult["architectures"] = [];
    for (const a of p.architectures) {
      const detail = await board.architecture(a.fingerprint, ref);
      const name = (figure: string) => `${p.suite.id}-${a.id}-figure-${figure}.png`;
      await board.screenshot(
        a.fingerprint,
        ref,
        [
          { canvasId: "figure-curves", file: name("1a") },
          { canvasId: "figure-steps", file: name("1b") },
          { canvasId: "figure-test-error", file: name("1c") },
        ],
        IMAGES,
      );
      architectures.push({
        id: a.id,
        name: a.name,
        fingerprint: a.fingerprint,
        parameterCount: a.parameterCount,
        detail,
        images: { "1a": name("1a"), "1b": name("1b"), "1c": name("1c") },
      });
    }
    return { bundle, architectures };
  };

  const quick = await suiteResult(quickBundle);
  const kernelArchitecture = kernelBundle.predicate.architectures[0]!;
  const kernelRef = boardOf(kernelBundle.predicate);
  const kernelImage = "kernel-quick-figure-1c.png";
  await board.screenshot(
    kernelArchitecture.fingerprint,
    kernelRef,
    [{ canvasId: "figure-test-error", file: kernelImage }],
    IMAGES,
  );
  const quickBoard = await board.leaderboard(kernelRef);
  // The quick suite's board on each engine: TF.js's is this board; PyTorch's, whose runs would only
  // be replicates of the same slots here, is ranked on a server of its own.
  const quickRef = boardOf(quickBundle.predicate);
  const measures = [
    { engine: `TF.js (${quickBundle.predicate.environment.backend})`, runs: await board.measures(quickRef) },
    {
      engine: `PyTorch (${quickTorch.predicate.environment.backend})`,
      runs: await boardMeasuresOf(quickTorch.text, boardOf(quickTorch.predicate)),
    },
  ];

  report = reproductionReport(
    {
      quick,
      quickTorch,
      regularizers: { bundle: regularizersBundle },
      kernel: {
        bundle: kernelBundle,
        detail: await board.architecture(kernelArchitecture.fingerprint, kernelRef),
        image: kernelImage,
        sizes: kernelSizes,
        board: {
          ranked: quickBoard.total,
          baseline:
            quickBoard.baselines.find((b) => b.architecture.fingerprint === kernelArchitecture.fingerprint) ?? null,
        },
      },
      theorem,
      standard: {
        datasets,
        result: standardBundle ? await suiteResult(standardBundle) : null,
        size: present
          ? {
              dataset: present.id,
              runs: standardTasks.length,
              trainSize: standardSuite.datasets.find((d) => d.id === present.id)!.trainSize,
              epochs: standardSuite.epochs,
              byArchitecture: standardSuite.architectures.map((a) => ({
                id: a.id,
                runs: standardTasks.filter((t) => t.architecture === a.id).length,
              })),
            }
          : null,
      },
      measures,
      imageDir: relative(DOCS, IMAGES),
      reportCommand: "npm run report",
    },
    standardSuite,
  );
} finally {
  await board.close();
}

await writeFileAtomic(join(DOCS, "reproduction.md"), report);
const images = existsSync(IMAGES) ? (await readdir(IMAGES)).length : 0;
const elapsedSeconds = (performance.now() - started) / 1000;
process.stdout.write(
  `\nWrote docs/reproduction.md and ${images} images in docs/reproduction/ ` +
    `in ${elapsedSeconds.toFixed(1)} s (results in ${relative(ROOT, resultsDir)}).\n`,
);
