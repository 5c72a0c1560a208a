// The paper's Table 1 (CIFAR-10, train / test accuracy by model and regularizer set) and Appendix E
// (random labels fitted with a regularizer on), with how our built-ins and regularizer sets map onto
// its models and columns: data that the architecture page and the reproduction report both read.
// Zhang, Bengio, Hardt, Recht, Vinyals, "Understanding deep learning requires rethinking
// generalization", ICLR 2017, arXiv:1611.03530 (v2).

/**
 * A model as the paper names it (Table 1, Figure 1).
 *
 * @example
 * const model: PaperModel = "MLP 1x512";
 */
export type PaperModel = "Inception" | "Inception w/o BatchNorm" | "AlexNet" | "MLP 3x512" | "MLP 1x512";

/**
 * A regularizer column of Table 1: random crops with weight decay, crops only, weight decay only,
 * neither ("none" here).
 *
 * @example
 * const column: PaperTable1Column = "crop+wd";
 */
export type PaperTable1Column = "crop+wd" | "crop" | "wd" | "none";

/**
 * Table 1 (CIFAR-10): [train, test] accuracy in percent, by model and column; `random` is the
 * random-labels column (no regularizer). Absent where the paper has no entry.
 *
 * @example
 * PAPER_TABLE_1.AlexNet.crop // [99.82, 79.66]
 */
export const PAPER_TABLE_1: Record<PaperModel, Partial<Record<PaperTable1Column | "random", [number, number]>>> = {
  Inception: {
    "crop+wd": [100.0, 89.05],
    crop: [100.0, 89.31],
    wd: [100.0, 86.03],
    none: [100.0, 85.75],
    random: [100.0, 9.78],
  },
  "Inception w/o BatchNorm": { wd: [100.0, 83.0], none: [100.0, 82.0], random: [100.0, 10.12] },
  AlexNet: {
    "crop+wd": [99.9, 81.22],
    crop: [99.82, 79.66],
    wd: [100.0, 77.36],
    none: [100.0, 76.07],
    random: [99.82, 9.86],
  },
  "MLP 3x512": { wd: [100.0, 53.35], none: [100.0, 52.39], random: [100.0, 10.48] },
  "MLP 1x512": { wd: [99.8, 50.39], none: [100.0, 50.51], random: [99.34, 10.61] },
};

/**
 * Appendix E: training accuracy in percent on random labels with a regularizer on (the paper gives
 * no test accuracy there); null where the paper says training failed to converge.
 *
 * @example
 * PAPER_RANDOM_LABELS_REGULARIZED.AlexNet?.wd // null: "failed to converge"
 */
export const PAPER_RANDOM_LABELS_REGULARIZED: Partial<
  Record<PaperModel, Partial<Record<PaperTable1Column, number | null>>>
> = {
  Inception: { wd: 100.0, crop: 99.93 },
  AlexNet: { wd: null },
  "MLP 3x512": { wd: 100.0 },
  "MLP 1x512": { wd: 99.21 },
};

/**
 * The paper model each built-in stands for, by id prefix, first match wins: the small AlexNets
 * and Inceptions are the paper's small models at other widths or input shapes, any other MLP is
 * closest to the one-hidden-layer MLP.
 *
 * @example
 * PAPER_MODEL_OF_BUILTIN.find((m) => "small-alexnet-tiny".startsWith(m.prefix))?.model // "AlexNet"
 */
export const PAPER_MODEL_OF_BUILTIN: readonly { prefix: string; model: PaperModel }[] = [
  { prefix: "mlp-3x512", model: "MLP 3x512" },
  { prefix: "mlp-", model: "MLP 1x512" },
  { prefix: "small-alexnet", model: "AlexNet" },
  { prefix: "small-inception", model: "Inception" },
];

/**
 * The Table 1 column each of our regularizer sets (REGULARIZERS' names) corresponds to. `no-bn`
 * takes the model's "w/o BatchNorm" variant, with no other regularizer: the paper's Inception
 * without batch norm. Dropout, early stopping and added batch norm have no Table 1 column.
 *
 * @example
 * PAPER_TABLE_1_COLUMN_OF["crop+wd"] // { column: "crop+wd", withoutBatchNorm: false }
 */
export const PAPER_TABLE_1_COLUMN_OF: Readonly<
  Record<string, { column: PaperTable1Column; withoutBatchNorm: boolean }>
> = {
  none: { column: "none", withoutBatchNorm: false },
  wd: { column: "wd", withoutBatchNorm: false },
  crop: { column: "crop", withoutBatchNorm: false },
  "crop+wd": { column: "crop+wd", withoutBatchNorm: false },
  "no-bn": { column: "none", withoutBatchNorm: true },
};

/** The paper's variant of each model without batch norm, where it has one. */
const WITHOUT_BATCH_NORM: Partial<Record<PaperModel, PaperModel>> = { Inception: "Inception w/o BatchNorm" };

/**
 * The paper model nearest to a built-in architecture, or null (a user architecture, or a built-in
 * unlike any of the paper's models).
 *
 * @example
 * paperModelOf("small-alexnet-tiny") // "AlexNet"
 */
export function paperModelOf(builtinId: string): PaperModel | null {
  return PAPER_MODEL_OF_BUILTIN.find((m) => builtinId.startsWith(m.prefix))?.model ?? null;
}

/** A Table 1 row as the paper reports it for one model and regularizer set; percentages. */
export interface PaperTable1Row {
  /** The paper's model, after the regularizer set's variant (e.g. "Inception w/o BatchNorm"). */
  model: PaperModel;
  column: PaperTable1Column;
  /** Train and test accuracy on true labels; null where the paper has no entry. */
  trueLabels: { train: number; test: number } | null;
  /**
   * On random labels: Table 1's random-labels column for no regularizer, Appendix E's training
   * accuracy (test null) with one; `converged: false` where the paper says training failed to
   * converge (train and test null). Null where the paper has no entry.
   */
  randomLabels: { train: number | null; test: number | null; converged: boolean } | null;
}

/**
 * What the paper reports for `model` trained with the regularizer set named `regularizer`, or
 * null when that set has no Table 1 column (dropout, early stopping, added batch norm) or the
 * model has no variant for it (no-bn on a model without batch norm).
 *
 * @example
 * paperTable1Row("MLP 1x512", "wd")
 * // { model: "MLP 1x512", column: "wd", trueLabels: { train: 99.8, test: 50.39 },
 * //   randomLabels: { train: 99.21, test: null, converged: true } }
 */
export function paperTable1Row(model: PaperModel, regularizer: string): PaperTable1Row | null {
  const cell = Object.hasOwn(PAPER_TABLE_1_COLUMN_OF, regularizer) ? PAPER_TABLE_1_COLUMN_OF[regularizer] : undefined;
  if (!cell) return null;
  const variant = cell.withoutBatchNorm ? WITHOUT_BATCH_NORM[model] : model;
  if (!variant) return null;
  const row = PAPER_TABLE_1[variant];
  const truth = row[cell.column];
  let randomLabels: PaperTable1Row["randomLabels"] = null;
  if (cell.column === "none") {
    const random = row.random;
    if (random) randomLabels = { train: random[0], test: random[1], converged: true };
  } else {
    const train = PAPER_RANDOM_LABELS_REGULARIZED[variant]?.[cell.column];
    if (train !== undefined) randomLabels = { train, test: null, converged: train !== null };
  }
  return {
    model: variant,
    column: cell.column,
    trueLabels: truth ? { train: truth[0], test: truth[1] } : null,
    randomLabels,
  };
}
