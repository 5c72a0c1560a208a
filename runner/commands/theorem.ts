// `rethink-bench theorem`: build the depth-two ReLU network of the paper's Theorem 1 for n
// points (random, or images of a dataset) and arbitrary real labels, and check that it
// interpolates them exactly.
import { readFile } from "node:fs/promises";
import { loadDataset, parseDatasetId } from "../datasets/index.js";
import { InputError, UsageError } from "../errors.js";
import { Rng } from "../random.js";
import {
  buildNetwork,
  checkInterpolation,
  conditionNumber,
  gaussianDirections,
  type PointSet,
  weightCount,
} from "../science/theorem.js";
import { datasetLoadOptions, parseWholeNumber } from "./option-parsers.js";

export interface TheoremOptions {
  n: string;
  d?: string;
  seed: string;
  labels: string;
  dataset?: string;
  dataDir?: string;
  download: boolean;
  json?: boolean;
}

/** What `theorem --json` prints. */
export interface TheoremReport {
  n: number;
  d: number;
  weights: number;
  maxAbsError: number;
  /** The rounding bound on max |c(x_i) − y_i| that the construction guarantees (see science/theorem.ts). */
  errorBound: number;
  /** κ∞(A) = ‖A‖∞·‖A⁻¹‖∞ of the lower-triangular system A w = y. */
  condition: number;
  directionDraws: number;
  points: string;
  labels: string;
  seed: number;
  seconds: number;
}

/** Points held in memory at most (8 bytes each): 2^28 doubles are 2 GiB. */
const MAX_VALUES = 2 ** 28;

async function loadPoints(
  options: TheoremOptions,
  n: number,
  seed: number,
): Promise<{ points: PointSet; description: string }> {
  if (options.dataset === undefined) {
    if (options.d === undefined)
      throw new UsageError("--d is required for random points (or give --dataset to use its images)");
    const d = parseWholeNumber(options.d, "--d", 1);
    if (n * d > MAX_VALUES)
      throw new UsageError(`${n} points of dimension ${d} do not fit in memory; keep n·d at most ${MAX_VALUES}`);
    const rng = Rng.create(seed, "theorem/points");
    return {
      points: { values: Float64Array.from({ length: n * d }, () => rng.normal()), count: n, dimension: d },
      description: "random",
    };
  }
  const id = parseDatasetId(options.dataset);
  const data = await loadDataset({ id, trainSize: n, testSize: 1 }, datasetLoadOptions(options));
  const d = data.shape[0] * data.shape[1] * data.shape[2];
  if (options.d !== undefined && parseWholeNumber(options.d, "--d", 1) !== d)
    throw new UsageError(`--d ${options.d} does not match ${id}, whose images have ${d} pixels`);
  return { points: { values: Float64Array.from(data.train.images), count: n, dimension: d }, description: id };
}

/** Labels from a file: a JSON array of numbers, or numbers separated by white space or commas. */
async function readLabels(path: string, n: number): Promise<Float64Array> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new InputError(
      `cannot read --labels ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { cause: error },
    );
  }
  const trimmed = text.trim();
  // Each item with its spelling in the file, for the error message.
  let items: Array<{ value: unknown; text: string }>;
  if (trimmed.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new InputError(
        `--labels ${path} starts like a JSON array but is not valid JSON: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (!Array.isArray(parsed)) throw new InputError(`--labels ${path} is JSON but not an array of numbers`);
    items = parsed.map((value) => ({ value, text: JSON.stringify(value) }));
  } else {
    items =
      trimmed === ""
        ? []
        : trimmed
            .split(/[\s,]+/)
            .map((token) => ({ value: token === "" ? NaN : Number(token), text: JSON.stringify(token) }));
  }
  const bad = items.findIndex(({ value }) => typeof value !== "number" || !Number.isFinite(value));
  if (bad !== -1)
    throw new InputError(`--labels ${path}: item ${bad + 1} (${items[bad]!.text}) is not a finite number`);
  if (items.length !== n) throw new InputError(`--labels ${path} holds ${items.length} labels; --n is ${n}`);
  return Float64Array.from(items, ({ value }) => value as number);
}

/** Arbitrary real labels: standard normal, from their own seeded stream. */
function randomLabels(n: number, seed: number): Float64Array {
  const rng = Rng.create(seed, "theorem/labels");
  return Float64Array.from({ length: n }, () => rng.normal());
}

export async function theoremCommand(options: TheoremOptions): Promise<TheoremReport> {
  const n = parseWholeNumber(options.n, "--n", 1);
  const seed = parseWholeNumber(options.seed, "--seed", 0);
  const labelsFromFile = options.labels !== "random";
  const { points, description } = await loadPoints(options, n, seed);
  const labels = labelsFromFile ? await readLabels(options.labels, n) : randomLabels(n, seed);

  const started = performance.now();
  const built = buildNetwork(points, labels, gaussianDirections(seed));
  if (!built.ok) throw new InputError(built.message);
  const check = checkInterpolation(built.network, points, labels);
  const report: TheoremReport = {
    n,
    d: points.dimension,
    weights: weightCount(built.network),
    maxAbsError: check.maxAbsError,
    errorBound: check.errorBound,
    condition: conditionNumber(built.projections, built.network.biases),
    directionDraws: built.directionDraws,
    points: description,
    labels: labelsFromFile ? options.labels : "random",
    seed,
    seconds: (performance.now() - started) / 1000,
  };

  if (options.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return report;
  }
  const e = (x: number) => x.toExponential(2);
  const pointsText =
    description === "random"
      ? `standard normal points in ${points.dimension} dimensions (seed ${seed})`
      : `images of ${description}, ${points.dimension} pixels each`;
  const labelsText = labelsFromFile
    ? `${n} real numbers from ${options.labels}`
    : `standard normal real numbers (seed ${seed})`;
  const weightsText = `(projection a, ${n} biases, ${n} output weights)`;
  process.stdout.write(
    `${[
      `Theorem 1 (Zhang et al. 2017, §4): a depth-two ReLU network with 2n + d weights fits any n distinct points.`,
      `points           ${n} ${pointsText}`,
      `labels           ${labelsText}`,
      `weights          ${report.weights} = 2·${n} + ${points.dimension} ${weightsText}`,
      `max |c(x) − y|   ${e(report.maxAbsError)}   (rounding guarantees at most ${e(report.errorBound)})`,
      `κ∞(A)            ${e(report.condition)}   (condition of the lower-triangular system A w = y)`,
      `directions       ${report.directionDraws} drawn · built and checked in ${report.seconds.toFixed(2)} s`,
    ].join("\n")}\n`,
  );
  return report;
}
