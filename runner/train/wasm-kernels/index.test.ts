// Every training kernel registered on wasm against the cpu backend, on random inputs.
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../random.js";
import { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from "./index.js";

type Inputs = Record<string, { values: Float32Array | Int32Array; shape: number[]; dtype?: "float32" | "int32" }>;

function random(
  shape: number[],
  seed: number,
  transform: (v: number) => number = (v) => v,
): { values: Float32Array; shape: number[] } {
  const rng = Rng.create(seed, "kernel-test");
  const values = Float32Array.from({ length: shape.reduce((p, q) => p * q, 1) }, () => transform(rng.normal()));
  return { values, shape };
}

/** Runs one kernel by name on a backend and returns its (first) output's values. */
async function runOn(
  backend: "cpu" | "wasm",
  kernel: string,
  inputs: Inputs,
  attrs: object,
): Promise<{ values: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  const tensors = Object.fromEntries(
    Object.entries(inputs).map(([name, t]) => [name, tf.tensor(t.values, t.shape, t.dtype ?? "float32")]),
  );
  const result = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
  const out = Array.isArray(result) ? result[0]! : result;
  const values = (await out.data()) as Float32Array;
  tf.dispose([...Object.values(tensors), result as tf.Tensor]);
  return { values, shape: out.shape };
}

/** max |wasm − cpu| / max |cpu|, after checking that the shapes agree. */
async function relativeError(kernel: string, inputs: Inputs, attrs: object): Promise<number> {
  const expected = await runOn("cpu", kernel, inputs, attrs);
  const actual = await runOn("wasm", kernel, inputs, attrs);
  expect(actual.shape).toEqual(expected.shape);
  let error = 0;
  let scale = 0;
  expected.values.forEach((v, i) => {
    error = Math.max(error, Math.abs(actual.values[i]! - v));
    scale = Math.max(scale, Math.abs(v));
  });
  return error / scale;
}

const stock = new Map<string, tf.KernelFunc | undefined>();

beforeAll(async () => {
  tf.enableProdMode(); // no console hint from the cpu backend
  await tf.setBackend("wasm");
  for (const name of WASM_TRAINING_KERNELS) stock.set(name, tf.getKernel(name, "wasm")?.kernelFunc);
  registerWasmTrainingKernels();
});

describe("wasm training kernels", () => {
  it("adds Conv2DBackpropFilter and replaces the others", () => {
    expect(stock.get(tf.Conv2DBackpropFilter)).toBeUndefined();
    for (const name of WASM_TRAINING_KERNELS) {
      const registered = tf.getKernel(name, "wasm")?.kernelFunc;
      expect(registered, name).toBeDefined();
      expect(registered, name).not.toBe(stock.get(name));
    }
  });

  // [height, width, in channels, out channels, filter size, stride, padding]
  const convCases = [
    [9, 9, 3, 4, 3, 1, "same"],
    [9, 9, 3, 4, 3, 2, "same"],
    [9, 9, 3, 4, 3, 1, "valid"],
    [10, 8, 2, 5, 3, 2, "valid"],
    [11, 11, 2, 3, 5, 2, "same"],
    [8, 8, 5, 2, 1, 2, "valid"],
  ] as const;

  it.each(convCases)(
    "Conv2DBackpropFilter on %i×%i×%i → %i channels, filter %i, stride %i, %s padding, matches cpu",
    async (h, w, ci, co, k, s, pad) => {
      const x = random([2, h, w, ci], 1);
      const outShape = (
        await runOn(
          "cpu",
          tf.Conv2D,
          { x, filter: random([k, k, ci, co], 2) },
          { strides: [s, s], pad, dataFormat: "NHWC", dilations: [1, 1] },
        )
      ).shape;
      const attrs = { strides: [s, s], pad, dataFormat: "NHWC", filterShape: [k, k, ci, co] };
      expect(await relativeError(tf.Conv2DBackpropFilter, { x, dy: random(outShape, 3) }, attrs)).toBeLessThan(1e-4);
    },
  );

  it.each(convCases)(
    "Conv2DBackpropInput on %i×%i×%i → %i channels, filter %i, stride %i, %s padding, matches cpu",
    async (h, w, ci, co, k, s, pad) => {
      const filter = random([k, k, ci, co], 2);
      const outShape = (
        await runOn(
          "cpu",
          tf.Conv2D,
          { x: random([2, h, w, ci], 1), filter },
          { strides: [s, s], pad, dataFormat: "NHWC", dilations: [1, 1] },
        )
      ).shape;
      const attrs = { strides: [s, s], pad, dataFormat: "NHWC", inputShape: [2, h, w, ci] };
      expect(await relativeError(tf.Conv2DBackpropInput, { dy: random(outShape, 3), filter }, attrs)).toBeLessThan(
        1e-4,
      );
    },
  );

  // [batch, M, K, N]: batches of 1 with M < N take the transposed-product path.
  const products = [
    [3, 5, 7, 6],
    [1, 4, 7, 9],
    [1, 9, 7, 4],
  ] as const;
  const flags = [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const;

  it.each(products)(
    "BatchMatMul of [%i, %i, %i]·[·, ·, %i] matches cpu with every transpose flag",
    async (batch, m, k, n) => {
      for (const [transposeA, transposeB] of flags) {
        const a = random(transposeA ? [batch, k, m] : [batch, m, k], 1);
        const b = random(transposeB ? [batch, n, k] : [batch, k, n], 2);
        expect(
          await relativeError(tf.BatchMatMul, { a, b }, { transposeA, transposeB }),
          `${transposeA} ${transposeB}`,
        ).toBeLessThan(1e-4);
      }
    },
  );

  it.each(products.filter(([batch]) => batch === 1))(
    "_FusedMatMul of [1, %i, %i]·[1, ·, %i] with bias and activations matches cpu",
    async (_, m, k, n) => {
      for (const [transposeA, transposeB] of flags) {
        for (const activation of ["linear", "relu", "elu"]) {
          // The fused op hands its kernel rank-3 operands with a batch of 1.
          const a = random(transposeA ? [1, k, m] : [1, m, k], 1);
          const b = random(transposeB ? [1, n, k] : [1, k, n], 2);
          const attrs = { transposeA, transposeB, activation, leakyreluAlpha: 0.2 };
          expect(
            await relativeError(tf._FusedMatMul, { a, b, bias: random([n], 3) }, attrs),
            `${transposeA} ${transposeB} ${activation}`,
          ).toBeLessThan(1e-4);
        }
      }
    },
  );

  it.each([
    [
      [4, 5, 6, 7],
      [0, 1, 2],
    ],
    [[40, 7], [0]],
    [
      [3, 4, 5],
      [0, 1],
    ],
    [
      [3, 4, 5],
      [1, 2],
    ],
    [
      [3, 4, 5],
      [0, 2],
    ],
  ])("Sum and Mean of shape %j over axes %j match cpu", async (shape, axis) => {
    for (const keepDims of [false, true]) {
      expect(await relativeError(tf.Sum, { x: random(shape, 4) }, { axis, keepDims })).toBeLessThan(1e-4);
      expect(await relativeError(tf.Mean, { x: random(shape, 5) }, { axis, keepDims })).toBeLessThan(1e-4);
    }
  });

  it.each([
    [
      [1, 1, 1, 6],
      [1, 1, 5, 1],
    ],
    [
      [1, 6],
      [4, 1],
    ],
    [
      [1, 1, 6],
      [2, 3, 1],
    ],
    [
      [2, 3],
      [2, 2],
    ],
    [
      [1, 3, 1],
      [1, 1, 4],
    ],
  ])("Tile of shape %j by %j matches cpu", async (shape, reps) => {
    expect(await relativeError(tf.Tile, { x: random(shape, 6) }, { reps })).toBeLessThan(1e-4);
  });

  it.each([
    [[6, 5, 4], 0, [4, 0, 5, 5, 1]],
    [[6, 5, 4], 1, [4, 0, 2]],
    [
      [6, 5, 4],
      -1,
      [
        [3, 0],
        [1, 1],
      ],
    ],
    [[7], 0, [6, 2, 2]],
  ])(
    "GatherV2 of shape %j on axis %i by indices %j matches cpu, for floats and integers",
    async (shape, axis, indices) => {
      const ids = {
        values: Int32Array.from(indices.flat()),
        shape: Array.isArray(indices[0]) ? [indices.length, (indices[0] as number[]).length] : [indices.length],
        dtype: "int32" as const,
      };
      expect(await relativeError(tf.GatherV2, { x: random(shape, 9), indices: ids }, { axis, batchDims: 0 })).toBe(0);
      const integers = {
        values: Int32Array.from(random(shape, 10).values, (v) => Math.round(v * 100)),
        shape,
        dtype: "int32" as const,
      };
      expect(await relativeError(tf.GatherV2, { x: integers, indices: ids }, { axis, batchDims: 0 })).toBe(0);
    },
  );

  it("GatherV2 rejects an index out of range", async () => {
    await tf.setBackend("wasm");
    const x = tf.zeros([3, 2]);
    expect(() => tf.gather(x, tf.tensor1d([0, 3], "int32"))).toThrow(/index value 3 is not in \[0, 2\]/);
    x.dispose();
  });

  it.each([
    [
      [10, 4, 4, 1],
      [2, 0, 0, 0],
      [5, -1, -1, -1],
    ],
    [
      [10, 4, 4, 3],
      [0, 1, 0, 0],
      [10, 2, 4, 3],
    ],
    [
      [10, 4, 4, 3],
      [1, 1, 2, 1],
      [3, 2, 2, 1],
    ],
    [
      [5, 6],
      [1, 2],
      [3, 3],
    ],
    [[9], [4], [5]],
  ])("Slice of shape %j from %j, size %j matches cpu", async (shape, begin, size) => {
    expect(await relativeError(tf.Slice, { x: random(shape, 11) }, { begin, size })).toBe(0);
  });

  it("Identity shares its input's data and keeps it alive until both are disposed", async () => {
    await tf.setBackend("wasm");
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const buffers = tf.memory().numDataBuffers;
    const y = tf.clone(x);
    expect(tf.memory().numDataBuffers).toBe(buffers);
    x.dispose();
    expect(await y.data()).toEqual(Float32Array.from([1, 2, 3, 4]));
    y.dispose();
    expect(tf.memory().numDataBuffers).toBe(buffers - 1);
  });

  // Ties and non-positive maxima are where the stock wasm kernel goes wrong.
  const pools = [
    ["distinct values", (v: number) => v],
    ["ReLU outputs (ties at 0)", (v: number) => Math.max(v, 0)],
    ["negative values", (v: number) => -Math.abs(v) - 0.01],
    ["rounded values (many ties)", (v: number) => Math.round(v)],
  ] as const;

  it.each(pools)("MaxPoolGrad routes to the first maximum as cpu does: %s", async (_, transform) => {
    for (const [h, k, s, pad] of [
      [9, 3, 2, "same"],
      [9, 3, 2, "valid"],
      [8, 2, 2, "same"],
      [7, 3, 1, "same"],
    ] as const) {
      const input = random([2, h, h, 3], 7, transform);
      const attrs = { filterSize: [k, k], strides: [s, s], pad };
      const output = await runOn("cpu", tf.MaxPool, { x: input }, attrs);
      const dy = random(output.shape, 8);
      expect(await relativeError(tf.MaxPoolGrad, { dy, input, output }, attrs), `${h} ${k} ${s} ${pad}`).toBeLessThan(
        1e-6,
      );
    }
  });
});
