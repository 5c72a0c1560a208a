// Past 350 lines on purpose: each hand-worked network sits beside the values derived from it.
// worker.py's complexity measures (docs/measures.md) on tiny networks with their weights written out here,
// against values worked out by hand below: a 2-layer MLP, a 1-conv network, a linear softmax model for the
// sharpness and flatness edges, a user's nn.Sequential, and the ReLU rescaling invariances. Runs Debian's
// torch under /usr/bin/python3 (or RETHINK_BENCH_PYTHON).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MEASURE_SETTINGS, type MeasureSettings, type RunMeasures } from "../../schema/index.js";

const PYTHON = process.env.RETHINK_BENCH_PYTHON || "/usr/bin/python3";
const TORCH_DIR = fileURLToPath(new URL(".", import.meta.url));

// A weight tensor in TF layout, nested arrays of any depth (a conv kernel is [kh][kw][cin][cout]).
type Weights = number | Weights[];
/** A network for worker.TopologyNet: a Sequential topology, its input (h, w, c) and each layer's TF weights. */
interface TopologyCase {
  kind: "topology";
  layers: { class_name: string; config: Record<string, unknown> }[];
  inputShape: [number, number, number];
  classes: number;
  /** Per layer of `layers` (after the synthetic input), its weights in TF layout; `initial` the same at build. */
  weights: Weights[][];
  initial?: Weights[][];
  /** Examples channels last, flattened per example; labels as trained on. */
  x: number[][];
  y: number[];
  settings: MeasureSettings;
}
/** A user's module: nn.Sequential of [name, torch-layout weight, bias] layers, or the same in a custom class. */
interface ModuleCase {
  kind: "module";
  layers: (["Flatten"] | ["ReLU"] | ["Linear", number[][], number[]])[];
  custom: boolean;
  inputShape: [number, number, number];
  classes: number;
  x: number[][];
  y: number[];
  settings: MeasureSettings;
}
type Case = TopologyCase | ModuleCase;
type Out = { measures: RunMeasures; parameterCount: number };

const HARNESS = `
import json, sys
sys.path.insert(0, sys.argv[1])
import worker
torch, np, nn = worker.torch, worker.np, worker.nn
request = json.loads(sys.stdin.read())

def tensors(case):
    h, w, c = case["inputShape"]
    x = torch.tensor(case["x"], dtype=torch.float32).reshape(len(case["x"]), h, w, c).permute(0, 3, 1, 2)
    return x.contiguous(), torch.tensor(case["y"], dtype=torch.int64)

class Custom(nn.Module):
    def __init__(self, body):
        super().__init__()
        self.body = body
    def forward(self, x):
        return self.body(x)

out = {}
for name, case in request["cases"].items():
    if case["kind"] == "topology":
        topology = {"class_name": "Sequential", "config": {"layers": case["layers"]}}
        net = worker.TopologyNet(topology, case["inputShape"], torch.Generator().manual_seed(0))
        load = lambda layers: net.load_tf_weights([[np.array(w, dtype=np.float32) for w in ws] for ws in layers])
        load(case.get("initial") or case["weights"])
        initial = worker.measure_kernels(net)
        load(case["weights"])
        probabilities, count = net.probabilities, net.parameter_count()
    else:
        layers = []
        for spec in case["layers"]:
            if spec[0] == "Linear":
                layer = nn.Linear(len(spec[1][0]), len(spec[1]))
                with torch.no_grad():
                    layer.weight.copy_(torch.tensor(spec[1]))
                    layer.bias.copy_(torch.tensor(spec[2]))
                layers.append(layer)
            else:
                layers.append(getattr(nn, spec[0])())
        net = nn.Sequential(*layers)
        if case["custom"]:
            net = Custom(net)
        initial = worker.measure_kernels(net)
        probabilities, count = False, worker.module_parameter_count(net)
    x, y = tensors(case)
    measures = worker.compute_measures(net, initial, x, y, case["classes"], probabilities, case["inputShape"], count,
                                       case["settings"])
    out[name] = {"measures": measures, "parameterCount": count}
# The noise the flatness cases draw, from torch's generator seeded as docs/measures.md says: what the
# expected thresholds below are worked out from (the generator, not the code under test).
noise = {}
for seed, shape in request["noise"]:
    noise[str(seed)] = torch.randn(shape, generator=torch.Generator().manual_seed(seed)).flatten().tolist()
sys.__stdout__.write(json.dumps({"cases": out, "noise": noise}))
`;

function runHarness(cases: Record<string, Case>, noise: [number, number[]][]) {
  const run = spawnSync(PYTHON, ["-c", HARNESS, TORCH_DIR], {
    input: JSON.stringify({ cases, noise }),
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as { cases: Record<string, Out>; noise: Record<string, number[]> };
}

const settings = (overrides: Partial<MeasureSettings>): MeasureSettings => ({
  ...DEFAULT_MEASURE_SETTINGS,
  ...overrides,
});
const dense = (units: number, activation: string, useBias = true) => ({
  class_name: "Dense",
  config: { units, activation, use_bias: useBias },
});
const FLATTEN = { class_name: "Flatten", config: {} };

// The MLP: 2 inputs → ReLU(2) → 3 logits. Kernels in TF's [in, out] layout.
const W1 = [
  [1, 0],
  [0, 2],
];
const W2 = [
  [1, 0, 0],
  [0, 1, 0.5],
];
const B2 = [0, 0, 0.5];
// Hidden h = (x1, 2·x2), logits (h1, h2, h2/2 + 1/2):
//   (1,0) → (1, 0, .5) label 0: margin .5     (0,1) → (0, 2, 1.5) label 1: .5
//   (2,1) → (2, 2, 1.5) label 0: 0            (0,0) → (0, 0, .5) label 2: .5
//   (1,1) → (1, 2, 1.5) label 2: −.5
// Sorted (−.5, 0, .5, .5, .5); the 0.3 quantile (type 7) sits at 4·0.3 = 1.2: 0 + 0.2·(.5 − 0) = 0.1.
const MLP_X = [
  [1, 0],
  [0, 1],
  [2, 1],
  [0, 0],
  [1, 1],
];
const MLP_Y = [0, 1, 0, 2, 2];
const MLP_SETTINGS = settings({ marginQuantile: 0.3 });

function mlp(c: number, initial?: Weights[][]): TopologyCase {
  // Scaling the ReLU layer's kernel and bias by c and the next kernel by 1/c keeps the network's function.
  const scale = (m: number[][], k: number) => m.map((row) => row.map((v) => v * k));
  return {
    kind: "topology",
    layers: [FLATTEN, dense(2, "relu"), dense(3, "linear")],
    inputShape: [1, 1, 2],
    classes: 3,
    weights: [[], [scale(W1, c), [0, 0]], [scale(W2, 1 / c), B2]],
    ...(initial ? { initial } : {}),
    x: MLP_X,
    y: MLP_Y,
    settings: MLP_SETTINGS,
  };
}

/** The MLP with its ReLU as a layer of its own: uncapped, or capped at `maxValue` (then no path norm). */
const mlpReluLayer = (maxValue: number | null): TopologyCase => ({
  ...mlp(1),
  layers: [FLATTEN, dense(2, "linear"), { class_name: "ReLU", config: { max_value: maxValue } }, dense(3, "linear")],
  weights: [[], [W1, [0, 0]], [], [W2, B2]],
});

// The 1-conv network: a 3×3×1 image, two 2×2 filters (valid, ReLU), flattened (8) to 2 logits.
// Filter 0 = [[1, 0], [0, 1]], filter 1 = [[0, 2], [0, 0]]; TF's kernel [kh][kw][cin][cout].
const CONV_KERNEL = [
  [[[1, 0]], [[0, 2]]],
  [[[0, 0]], [[1, 0]]],
];
// Dense [8, 2]: column 0 all 0.5, column 1 +0.25 on channel 0 (even rows of HWC order), −0.25 on channel 1.
const CONV_DENSE = Array.from({ length: 8 }, (_, k) => [0.5, k % 2 === 0 ? 0.25 : -0.25]);
function image(pixels: [number, number][]): number[] {
  const x = Array(9).fill(0);
  for (const [i, j] of pixels) x[i * 3 + j] = 1;
  return x;
}
function conv(activation: string): TopologyCase {
  return {
    kind: "topology",
    layers: [
      { class_name: "Conv2D", config: { filters: 2, kernel_size: [2, 2], padding: "valid", activation: "relu" } },
      FLATTEN,
      dense(2, activation),
    ],
    inputShape: [3, 3, 1],
    classes: 2,
    weights: [[CONV_KERNEL, [0, 0]], [], [CONV_DENSE, [0, 0]]],
    // Built with zero filters: the distance from initialization is the filters' Frobenius norm.
    initial: [
      [
        [
          [[[0, 0]], [[0, 0]]],
          [[[0, 0]], [[0, 0]]],
        ],
        [0, 0],
      ],
      [],
      [CONV_DENSE, [0, 0]],
    ],
    // All ones: every window gives 2 on both filters; logits (0.5·16, 0.25·8 − 0.25·8) = (8, 0), label 0: margin 8.
    // A single 1 at row 0, column 1: filter 0 sees it in window (0,1) only (1), filter 1 in window (0,0) (2);
    // logits (0.5·3, 0.25·1 − 0.25·2) = (1.5, −0.25), label 1: margin −1.75.
    x: [
      image([
        [0, 0],
        [0, 1],
        [0, 2],
        [1, 0],
        [1, 1],
        [1, 2],
        [2, 0],
        [2, 1],
        [2, 2],
      ]),
      image([[0, 1]]),
    ],
    y: [0, 1],
    settings: settings({ marginQuantile: 0.1 }),
  };
}

// A linear softmax-free model for the sharpness case: logits = Wᵀx + b, W [2, 3] (TF), every weight non-zero.
const LW = [
  [0.5, -0.3, 0.2],
  [0.1, 0.4, -0.6],
];
const LB = [0.1, -0.2, 0.05];
const LX = [
  [1, 0.5],
  [-0.5, 1],
  [0.3, -0.7],
  [1, 1],
];
const LY = [0, 1, 2, 1];
const ALPHA = 0.01;

/** Mean cross-entropy of the linear model by hand (softmax of Wᵀx + b), and its gradient. */
function linearLoss(w: number[][], b: number[]) {
  let loss = 0;
  const gw = w.map((row) => row.map(() => 0));
  const gb = b.map(() => 0);
  LX.forEach((x, n) => {
    const logits = b.map((bk, k) => bk + x[0]! * w[0]![k]! + x[1]! * w[1]![k]!);
    const top = Math.max(...logits);
    const exps = logits.map((l) => Math.exp(l - top));
    const total = exps.reduce((a, e) => a + e, 0);
    const p = exps.map((e) => e / total);
    loss -= Math.log(p[LY[n]!]!) / LX.length;
    // dL/dlogit_k = (p_k − onehot_k) / n; dL/dW[i][k] = x_i · that; dL/db_k = that.
    p.forEach((pk, k) => {
      const d = (pk - (k === LY[n] ? 1 : 0)) / LX.length;
      gb[k]! += d;
      gw[0]![k]! += x[0]! * d;
      gw[1]![k]! += x[1]! * d;
    });
  });
  return { loss, gw, gb };
}

const linear = (overrides: Partial<MeasureSettings>): TopologyCase => ({
  kind: "topology",
  layers: [FLATTEN, dense(3, "linear")],
  inputShape: [1, 1, 2],
  classes: 3,
  weights: [[], [LW, LB]],
  x: LX,
  y: LY,
  settings: settings(overrides),
});

// Flatness edges: one example x = 0 whose logits are the biases (1, 1, 0), a tie that argmax gives to class
// 0 (its label). Noise w(1 + σz) keeps class 0 ahead iff z₀ ≥ z₁ of the bias's draw, whatever σ > 0 is; the
// bias is trainable tensor 1 (after the kernel), so draw s has seed 1000003·s + 1.
const tie = (overrides: Partial<MeasureSettings>): TopologyCase => ({
  ...linear(overrides),
  weights: [[], [LW, [1, 1, 0]]],
  x: [[0, 0]],
  y: [0],
});

// Flatness in between: one input x = 1, two logits (0.5, 1) from a kernel without bias, label 1. Draw s
// perturbs them to 0.5(1 + σz₀), 1(1 + σz₁) (seed 1000003·s, the kernel being tensor 0, torch shape [2, 1]);
// class 1 stays strictly ahead (a tie goes to class 0) iff σ < 0.5 / (0.5z₀ − z₁) when 0.5z₀ − z₁ > 0.
const between = (overrides: Partial<MeasureSettings>): TopologyCase => ({
  kind: "topology",
  layers: [FLATTEN, dense(2, "linear", false)],
  inputShape: [1, 1, 1],
  classes: 2,
  weights: [[], [[[0.5, 1]]]],
  x: [[1]],
  y: [1],
  settings: settings({ flatnessSamples: 2, ...overrides }),
});

const MODULE_LAYERS: ModuleCase["layers"] = [
  ["Flatten"],
  // torch's [out, in]: the MLP's kernels transposed.
  ["Linear", W1[0]!.map((_, j) => W1.map((row) => row[j]!)), [0, 0]],
  ["ReLU"],
  ["Linear", W2[0]!.map((_, j) => W2.map((row) => row[j]!)), B2],
];
const userModule = (custom: boolean): ModuleCase => ({
  kind: "module",
  layers: MODULE_LAYERS,
  custom,
  inputShape: [1, 1, 2],
  classes: 3,
  x: MLP_X,
  y: MLP_Y,
  settings: MLP_SETTINGS,
});

const C = 4; // a power of two, so the rescaled weights are exact in float32
const CASES: Record<string, Case> = {
  mlp: mlp(1, [
    [],
    [
      [
        [1, 0],
        [0, 1],
      ],
      [0, 0],
    ],
    [
      [
        [0, 0, 0],
        [0, 1, 0.5],
      ],
      B2,
    ],
  ]),
  mlpScaled: mlp(C),
  mlpReluLayer: mlpReluLayer(null),
  mlpCappedRelu: mlpReluLayer(6),
  conv: conv("linear"),
  convSoftmax: conv("softmax"),
  sharpness1: linear({ sharpnessSteps: 1, sharpnessBox: ALPHA }),
  tieLoose: tie({ flatnessSamples: 2, flatnessAccuracyDrop: 0.5 }),
  tieStrict: tie({ flatnessSamples: 2, flatnessAccuracyDrop: 0.4 }),
  betweenAny: between({ flatnessAccuracyDrop: 0.5 }),
  betweenBoth: between({ flatnessAccuracyDrop: 0.4 }),
  module: userModule(false),
  customModule: userModule(true),
};

let cases: Record<string, Out>;
let noise: Record<string, number[]>;
const m = (name: string) => cases[name]!.measures;

beforeAll(() => {
  ({ cases, noise } = runHarness(CASES, [
    [1, [3]],
    [1000003 + 1, [3]],
    [0, [2, 1]],
    [1000003, [2, 1]],
  ]));
}, 60_000);

describe("worker.py's measures of a 2-layer MLP with known weights", () => {
  it("counts its parameters and sums the squared kernels, not the biases", () => {
    expect(cases.mlp!.parameterCount).toBe(2 * 2 + 2 + 2 * 3 + 3);
    expect(m("mlp").parameterCount).toBe(15);
    // ‖W1‖² = 1 + 4, ‖W2‖² = 1 + 1 + 0.25.
    expect(m("mlp").frobeniusSquared).toBeCloseTo(7.25, 12);
    // From W1⁰ = I (one entry 2 − 1) and W2⁰ without its first 1: √(1 + 1).
    expect(m("mlp").distanceFromInit).toBeCloseTo(Math.SQRT2, 12);
  });

  it("takes the spectral norms of the kernels, the margin's quantile, their ratio and the path norm", () => {
    // σ_max(W1) = 2; W2W2ᵀ = diag(1, 1.25), so σ_max(W2) = √1.25.
    const logSpectral = Math.log(2) + 0.5 * Math.log(1.25);
    expect(m("mlp").logSpectralProduct).toBeCloseTo(logSpectral, 10);
    expect(m("mlp").margin).toBeCloseTo(0.1, 6);
    expect(m("mlp").logSpectralOverMargin).toBeCloseTo(2 * logSpectral - 2 * Math.log(0.1), 5);
    // Σ over paths of squared weights: Σ_j (Σ_i W1[i][j]²)(Σ_k W2[j][k]²) = 1·1 + 4·1.25 = 6.
    expect(m("mlp").logPathL2).toBeCloseTo(0.5 * Math.log(6), 10);
    expect(m("mlp").seconds).toBeGreaterThanOrEqual(0);
  });

  it("passes paths through a ReLU layer, but not through a capped one", () => {
    expect(m("mlpReluLayer").logPathL2).toBeCloseTo(0.5 * Math.log(6), 10);
    expect(m("mlpReluLayer").margin).toBeCloseTo(0.1, 6);
    expect(m("mlpCappedRelu").logPathL2).toBeNull();
  });

  it("is unchanged by scaling the ReLU layer by c and the next by 1/c, except the Frobenius norm", () => {
    const [plain, scaled] = [m("mlp"), m("mlpScaled")];
    expect(scaled.margin).toBeCloseTo(plain.margin!, 6);
    expect(scaled.logSpectralProduct).toBeCloseTo(plain.logSpectralProduct!, 10);
    expect(scaled.logSpectralOverMargin).toBeCloseTo(plain.logSpectralOverMargin!, 5);
    expect(scaled.logPathL2).toBeCloseTo(plain.logPathL2!, 10);
    // Relative noise, same seeds: every perturbed network is the rescaled one, so the bisection ends alike.
    const step = Math.exp(Math.log(1 / 1e-4) / 2 ** MLP_SETTINGS.flatnessSteps);
    expect(scaled.flatnessSigma / plain.flatnessSigma).toBeGreaterThanOrEqual(1 / step - 1e-9);
    expect(scaled.flatnessSigma / plain.flatnessSigma).toBeLessThanOrEqual(step + 1e-9);
    expect(scaled.adversarialSharpness).toBeCloseTo(plain.adversarialSharpness, 5);
    // ‖cW1‖² + ‖W2/c‖² = c²·5 + 2.25/c², not 7.25.
    expect(scaled.frobeniusSquared).toBeCloseTo(C ** 2 * 5 + 2.25 / C ** 2, 10);
  });
});

describe("worker.py's measures of a 1-conv network with known weights", () => {
  it("reads the filters as the (kh·kw·cin) × cout matrix and sums paths through the convolution", () => {
    expect(m("conv").parameterCount).toBe(2 * 2 * 1 * 2 + 2 + 8 * 2 + 2);
    // Filters 1 + 1 and 4; Dense 8·0.25 + 8·0.0625.
    expect(m("conv").frobeniusSquared).toBeCloseTo(6 + 2 + 0.5, 12);
    expect(m("conv").distanceFromInit).toBeCloseTo(Math.sqrt(6), 12);
    // The filter matrix has orthogonal columns (1,0,0,1) and (0,2,0,0): σ_max = 2. The Dense columns, all 0.5 and
    // ±0.25, are orthogonal with norms √2 and √0.5: σ_max = √2.
    expect(m("conv").logSpectralProduct).toBeCloseTo(Math.log(2) + 0.5 * Math.log(2), 10);
    // On ones, the squared filters give 2 and 4 at each of the 4 positions; the squared Dense sums them with
    // 0.25 and 0.0625: 0.25·24 + 0.0625·24 = 7.5.
    expect(m("conv").logPathL2).toBeCloseTo(0.5 * Math.log(7.5), 10);
    // Margins (8, −1.75): the 0.1 quantile is −1.75 + 0.1·9.75; negative, so no spectral ratio.
    expect(m("conv").margin).toBeCloseTo(-0.775, 5);
    expect(m("conv").logSpectralOverMargin).toBeNull();
  });

  it("reads a softmax output's margin from log-probabilities, and has no path norm then", () => {
    expect(m("convSoftmax").margin).toBeCloseTo(-0.775, 5);
    expect(m("convSoftmax").logPathL2).toBeNull();
    expect(m("convSoftmax").logSpectralProduct).toBeCloseTo(m("conv").logSpectralProduct!, 12);
  });
});

describe("worker.py's sharpness and flatness where the answer is derivable", () => {
  it("takes one sign-gradient step to the corner of the relative box", () => {
    const { loss, gw, gb } = linearLoss(LW, LB);
    // One step of 2α|w|·sign(g), clipped to α|w|: w + α|w|·sign(g) (every gradient entry here is non-zero).
    const step = (w: number, g: number) => w + ALPHA * Math.abs(w) * Math.sign(g);
    expect(gw.flat().every((g) => g !== 0) && gb.every((g) => g !== 0)).toBe(true);
    const moved = linearLoss(
      LW.map((row, i) => row.map((w, k) => step(w, gw[i]![k]!))),
      LB.map((b, k) => step(b, gb[k]!)),
    ).loss;
    expect(moved - loss).toBeGreaterThan(1e-3);
    expect(m("sharpness1").adversarialSharpness).toBeCloseTo(moved - loss, 6);
  });

  it("answers σ_max when the noise never costs too much and σ_min when it always does", () => {
    // Draw 0 of the bias keeps class 0 ahead (z₀ ≥ z₁), draw 1 gives it to class 1 (z₁ > z₀), at every σ:
    // the mean accuracy is 1/2 from 1, a drop of 0.5.
    const [first, second] = [noise[String(1)]!, noise[String(1000003 + 1)]!];
    expect(first[0]! >= first[1]! && second[1]! > second[0]!).toBe(true);
    expect(m("tieLoose").flatnessSigma).toBe(1);
    expect(m("tieStrict").flatnessSigma).toBe(1e-4);
  });

  it("bisects ln σ to the threshold where the example's class falls behind", () => {
    const threshold = (z: number[]) => {
      const d = 0.5 * z[0]! - z[1]!;
      return d > 0 ? 0.5 / d : Number.POSITIVE_INFINITY;
    };
    const [t0, t1] = [threshold(noise[String(0)]!), threshold(noise[String(1000003)]!)];
    // Both draws flip the example inside the search range, at different σ.
    expect(Math.max(t0, t1)).toBeLessThan(1);
    expect(Math.min(t0, t1)).toBeGreaterThan(1e-4);
    expect(Math.abs(t0 - t1)).toBeGreaterThan(0.05);
    const step = Math.exp(Math.log(1 / 1e-4) / 2 ** DEFAULT_MEASURE_SETTINGS.flatnessSteps);
    // Drop ≤ 0.5: one correct draw of two is enough, so the larger threshold; ≤ 0.4: both, the smaller.
    for (const [name, expected] of [
      ["betweenAny", Math.max(t0, t1)],
      ["betweenBoth", Math.min(t0, t1)],
    ] as const) {
      const sigma = m(name).flatnessSigma;
      expect(sigma, name).toBeLessThanOrEqual(expected);
      expect(sigma * step, name).toBeGreaterThan(expected);
    }
  });
});

describe("worker.py's measures of a user's nn.Module", () => {
  it("takes the path norm of an nn.Sequential of torch's layers and none for a module with its own forward", () => {
    expect(m("module").logPathL2).toBeCloseTo(0.5 * Math.log(6), 10);
    expect(m("module").frobeniusSquared).toBeCloseTo(7.25, 12);
    expect(m("module").margin).toBeCloseTo(0.1, 6);
    expect(m("module").parameterCount).toBe(15);
    expect(m("customModule").logPathL2).toBeNull();
    expect(m("customModule").margin).toBeCloseTo(0.1, 6);
  });
});
