// Past 350 lines on purpose: the comparison and the attestation checks share their hand-made curves.
// Comparing a reproduced run with its original (exact and within tolerance), the checks an
// attestation must pass on its own, and the audit that recomputes its verdicts. Every expected
// verdict and divergence below is worked out by hand from the small curves written here.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TORCH_CPU_ENGINE } from "../tests/fixtures/torch-module.js";
import { canonicalJson } from "./canonical.js";
import type {
  EpochPoint,
  ReproductionPredicate,
  ReproductionStatement,
  RunMeasures,
  Statement,
} from "./contract/index.js";
import { expandSuite, REPRODUCTION_PREDICATE_TYPE, STATEMENT_TYPE } from "./contract/index.js";
import { comparisonMode } from "./engine-identity.js";
import {
  auditReproduction,
  type ComparedRun,
  checkReproductionConsistency,
  compareRun,
  reproductionIdOf,
  submissionIdOf,
} from "./reproduction.js";
import { findSuite } from "./suites/index.js";

const smokeSuite = findSuite("smoke")!;
const task = { ...expandSuite(smokeSuite)[0]!, epochs: 20 };
const A = "a".repeat(64);
const B = "b".repeat(64);

/**
 * A curve whose training accuracy is `below` until it reaches 1 at `fitEpoch` (never, if null),
 * ending at `length` epochs.
 */
function curve(length: number, fitEpoch: number | null, testAcc = 0.8, below = 0.5): EpochPoint[] {
  return Array.from({ length }, (_, i) => ({
    epoch: i + 1,
    trainLoss: 2 / (i + 1),
    trainAcc: fitEpoch !== null && i + 1 >= fitEpoch ? 1 : below,
    testLoss: 1 + i / 100,
    testAcc,
    wallSeconds: i + 1,
  }));
}

const ok = (points: EpochPoint[], predictions = { train: A, test: A }): ComparedRun => ({
  status: "ok",
  curve: points,
  predictions,
});

describe("comparisonMode", () => {
  const engine = { backend: "wasm", runnerVersion: "0.4.0", tfjsVersion: "4.22.0" } as const;

  it("is exact only on the same bit-for-bit backend with the same rethink-bench and TF.js versions", () => {
    expect(comparisonMode(engine, { ...engine })).toBe("exact");
    expect(comparisonMode({ ...engine, backend: "cpu" }, { ...engine, backend: "cpu" })).toBe("exact");
    expect(comparisonMode(engine, { ...engine, backend: "cpu" })).toBe("tolerance");
    expect(comparisonMode(engine, { ...engine, runnerVersion: "0.4.1" })).toBe("tolerance");
    expect(comparisonMode(engine, { ...engine, tfjsVersion: "4.21.0" })).toBe("tolerance");
  });

  it("compares native TensorFlow within tolerance even against the same engine", () => {
    const native = { ...engine, backend: "tensorflow" } as const;
    expect(comparisonMode(native, { ...native })).toBe("tolerance");
    expect(comparisonMode(native, engine)).toBe("tolerance");
    expect(comparisonMode(engine, native)).toBe("tolerance");
  });

  const torchCpu = {
    ...engine,
    backend: "torch-cpu",
    engine: { torchVersion: "1.13.0", threads: 1 },
    hardware: { cpuModel: "AMD EPYC 7B13" },
  } as const;

  it("is exact on torch-cpu only with the same torch version, thread count and CPU model", () => {
    expect(comparisonMode(torchCpu, structuredClone(torchCpu))).toBe("exact");
    expect(comparisonMode(torchCpu, { ...torchCpu, engine: { torchVersion: "2.5.1", threads: 1 } })).toBe("tolerance");
    expect(comparisonMode(torchCpu, { ...torchCpu, engine: { torchVersion: "1.13.0", threads: 2 } })).toBe("tolerance");
    expect(comparisonMode(torchCpu, { ...torchCpu, hardware: { cpuModel: "Intel Xeon" } })).toBe("tolerance");
    expect(comparisonMode(torchCpu, { ...torchCpu, tfjsVersion: "4.21.0" })).toBe("tolerance");
    // A side that does not name its engine or machine cannot be shown to be the same.
    expect(comparisonMode(torchCpu, { ...engine, backend: "torch-cpu" })).toBe("tolerance");
    expect(comparisonMode({ ...torchCpu, hardware: undefined }, torchCpu)).toBe("tolerance");
    expect(comparisonMode(torchCpu, { ...engine, backend: "cpu" })).toBe("tolerance");
  });

  it("never compares PyTorch on CUDA or MPS exactly, even against itself", () => {
    for (const backend of ["torch-cuda", "torch-mps"] as const) {
      const gpu = { ...torchCpu, backend };
      expect(comparisonMode(gpu, structuredClone(gpu))).toBe("tolerance");
      expect(comparisonMode(gpu, torchCpu)).toBe("tolerance");
    }
  });
});

describe("compareRun in exact mode", () => {
  it("is exact when every value but the wall times is the same", () => {
    const slower = curve(5, 4).map((p) => ({ ...p, wallSeconds: p.wallSeconds * 3 }));
    expect(compareRun(task, ok(curve(5, 4)), ok(slower), "exact")).toEqual({ verdict: "exact", firstDivergence: null });
  });

  it("names the first epoch that differs, and within it the first metric in curve order", () => {
    const reproduced = curve(5, 4);
    reproduced[2] = { ...reproduced[2]!, testAcc: 0.75, trainLoss: 0.6 }; // epoch 3: 2/3 → 0.6, 0.8 → 0.75
    reproduced[4] = { ...reproduced[4]!, trainAcc: 0.9 };
    expect(compareRun(task, ok(curve(5, 4)), ok(reproduced), "exact")).toEqual({
      verdict: "not-reproduced",
      firstDivergence: { epoch: 3, metric: "trainLoss", original: 2 / 3, reproduced: 0.6 },
    });
  });

  it("names the first epoch past the shorter curve when one stops later", () => {
    expect(compareRun(task, ok(curve(4, 4)), ok(curve(6, 4)), "exact").firstDivergence).toEqual({
      epoch: 5,
      metric: "epochs",
      original: 4,
      reproduced: 6,
    });
  });

  it("compares the prediction digests after the curves, training set first", () => {
    const result = compareRun(task, ok(curve(4, 4)), ok(curve(4, 4), { train: A, test: B }), "exact");
    expect(result.firstDivergence).toEqual({ epoch: null, metric: "predictions.test", original: A, reproduced: B });
    const both = compareRun(task, ok(curve(4, 4)), ok(curve(4, 4), { train: B, test: B }), "exact");
    expect(both.firstDivergence?.metric).toBe("predictions.train");
  });

  it("compares the complexity measures after the predictions, their cost aside", () => {
    const measures: RunMeasures = {
      parameterCount: 10,
      frobeniusSquared: 4,
      distanceFromInit: 1,
      logSpectralProduct: 0.5,
      logSpectralOverMargin: null,
      logPathL2: 0.25,
      margin: -0.5,
      flatnessSigma: 0.01,
      adversarialSharpness: 0.02,
      seconds: 1,
    };
    const original = { ...ok(curve(4, 4)), measures };
    const slower = { ...ok(curve(4, 4)), measures: { ...measures, seconds: 9 } };
    expect(compareRun(task, original, slower, "exact").verdict).toBe("exact");
    const sharper = { ...ok(curve(4, 4)), measures: { ...measures, margin: -0.25, adversarialSharpness: 0.03 } };
    // margin comes before adversarialSharpness in MEASURES.
    expect(compareRun(task, original, sharper, "exact").firstDivergence).toEqual({
      epoch: null,
      metric: "measures",
      original: -0.5,
      reproduced: -0.25,
    });
    expect(compareRun(task, original, ok(curve(4, 4)), "exact").firstDivergence).toEqual({
      epoch: null,
      metric: "measures",
      original: "present",
      reproduced: "absent",
    });
    // Across backends the measures are not compared.
    expect(compareRun(task, original, sharper, "tolerance").verdict).toBe("consistent");
  });

  it("names a status that differs before anything else", () => {
    const failed: ComparedRun = { status: "failed", curve: curve(2, null), predictions: null };
    expect(compareRun(task, ok(curve(4, 4)), failed, "exact")).toEqual({
      verdict: "not-reproduced",
      firstDivergence: { epoch: null, metric: "status", original: "ok", reproduced: "failed" },
    });
  });
});

describe("compareRun within tolerance", () => {
  // Epochs to fit agree within max(2, 25% of the smaller count); final accuracies within 0.05.
  it("accepts epochs to fit 10 against 12 (2 ≤ 2.5) and refuses 10 against 13 (3 > 2.5)", () => {
    const original = ok(curve(12, 10));
    expect(compareRun(task, original, ok(curve(14, 12)), "tolerance")).toEqual({
      verdict: "consistent",
      firstDivergence: null,
    });
    expect(compareRun(task, original, ok(curve(15, 13)), "tolerance")).toEqual({
      verdict: "inconsistent",
      firstDivergence: { epoch: null, metric: "epochsToFit", original: 10, reproduced: 13 },
    });
  });

  it("uses the 25% share when it is larger: 16 against 20 is within 4", () => {
    expect(compareRun(task, ok(curve(18, 16)), ok(curve(20, 20)), "tolerance").verdict).toBe("consistent");
  });

  it("counts a censored run as one epoch past the budget (21 here)", () => {
    // The original ends at 0.97 training accuracy without fitting in 20 epochs: 21.
    const censored = ok(curve(20, null, 0.8, 0.97));
    // Fitting at 19 is 2 apart (within max(2, 0.25 · 19)); final accuracies 0.97 and 1 are 0.03 apart.
    expect(compareRun(task, censored, ok(curve(20, 19, 0.8, 0.97)), "tolerance").verdict).toBe("consistent");
    // Fitting at 15 is 6 apart, beyond max(2, 0.25 · 15 = 3.75).
    expect(compareRun(task, censored, ok(curve(20, 15, 0.8, 0.97)), "tolerance")).toEqual({
      verdict: "inconsistent",
      firstDivergence: { epoch: null, metric: "epochsToFit", original: null, reproduced: 15 },
    });
  });

  it("refuses final test accuracies 0.06 apart, and ignores curve values between", () => {
    expect(compareRun(task, ok(curve(10, 8, 0.8)), ok(curve(10, 8, 0.74)), "tolerance")).toEqual({
      verdict: "inconsistent",
      firstDivergence: { epoch: null, metric: "finalTestAcc", original: 0.8, reproduced: 0.74 },
    });
    const drifted = curve(10, 8).map((p) => ({ ...p, trainLoss: p.trainLoss * 1.01 }));
    expect(compareRun(task, ok(curve(10, 8)), ok(drifted, { train: B, test: B }), "tolerance").verdict).toBe(
      "consistent",
    );
  });

  it("calls two failed runs consistent and a status change inconsistent", () => {
    const failed: ComparedRun = { status: "failed", curve: curve(2, null), predictions: null };
    expect(compareRun(task, failed, failed, "tolerance").verdict).toBe("consistent");
    expect(compareRun(task, ok(curve(4, 4)), failed, "tolerance").firstDivergence?.metric).toBe("status");
  });
});

describe("ids", () => {
  it("take the first 32 hex digits of the payload digest", () => {
    expect(submissionIdOf(`${"0123456789abcdef".repeat(2)}${B.slice(32)}`)).toBe(`sub_${"0123456789abcdef".repeat(2)}`);
    expect(reproductionIdOf(A)).toBe(`rep_${"a".repeat(32)}`);
  });
});

/** SHA-256 of the canonical JSON of a curve without wall times, computed here rather than by curveDigest. */
function digestOf(points: EpochPoint[]): string {
  const measured = points.map(({ wallSeconds: _w, ...rest }) => rest);
  return createHash("sha256").update(canonicalJson(measured)).digest("hex");
}

const ORIGINAL_PAYLOAD = "c".repeat(64);
const engine = { backend: "wasm" as const, runnerVersion: "0.1.0", tfjsVersion: "4.22.0" };

function statementOf(points: EpochPoint[], patch: Partial<ReproductionPredicate> = {}): ReproductionStatement {
  const predicate: ReproductionPredicate = {
    original: {
      submissionId: `sub_${"c".repeat(32)}`,
      payloadSha256: ORIGINAL_PAYLOAD,
      submitterKeyid: "d".repeat(64),
      suite: { id: "smoke", version: smokeSuite.version },
      ...engine,
    },
    mode: "exact",
    environment: {
      ...engine,
      backendDetail: "wasm (SIMD)",
      hardware: { platform: "linux", arch: "x64", cpuModel: "CPU", cpuCount: 2, memoryBytes: 2 ** 33, gpu: null },
    },
    reproducer: { publicKey: "k".repeat(43), keyid: "e".repeat(64) },
    runs: [
      {
        position: 0,
        task,
        architectureFingerprint: "f".repeat(64),
        verdict: "exact",
        firstDivergence: null,
        status: "ok",
        curve: points,
        curveSha256: digestOf(points),
        predictions: { train: A, test: A },
      },
    ],
    createdAt: "2026-12-01T00:00:00.000Z",
    ...patch,
  };
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: `result:${predicate.original.submissionId}`, digest: { sha256: ORIGINAL_PAYLOAD } }],
    predicateType: REPRODUCTION_PREDICATE_TYPE,
    predicate,
  };
}

describe("checkReproductionConsistency", () => {
  it("passes a consistent statement", async () => {
    expect(await checkReproductionConsistency(statementOf(curve(4, 4)))).toEqual([]);
  });

  it.each([
    [
      "a subject other than the original",
      (s: ReproductionStatement) => {
        s.subject[0]!.digest.sha256 = A;
      },
      "subject",
    ],
    [
      "tolerance mode on the same engine",
      (s: ReproductionStatement) => {
        s.predicate.mode = "tolerance";
        s.predicate.runs[0]!.verdict = "consistent";
      },
      "predicate.mode",
    ],
    [
      "a verdict of the other mode",
      (s: ReproductionStatement) => {
        s.predicate.runs[0]!.verdict = "consistent";
      },
      "predicate.runs[0].verdict",
    ],
    [
      "a negative verdict without a divergence",
      (s: ReproductionStatement) => {
        s.predicate.runs[0]!.verdict = "not-reproduced";
      },
      "predicate.runs[0].firstDivergence",
    ],
    [
      "a curve digest of another curve",
      (s: ReproductionStatement) => {
        s.predicate.runs[0]!.curveSha256 = B;
      },
      "predicate.runs[0].curveSha256",
    ],
    [
      "predictions on a failed run",
      (s: ReproductionStatement) => {
        s.predicate.runs[0]!.status = "failed";
      },
      "predicate.runs[0].predictions",
    ],
    [
      "a run listed twice",
      (s: ReproductionStatement) => {
        s.predicate.runs.push(structuredClone(s.predicate.runs[0]!));
      },
      "predicate.runs[1].position",
    ],
  ])("refuses %s", async (_, mutate, path) => {
    const statement = statementOf(curve(4, 4));
    mutate(statement);
    const errors = await checkReproductionConsistency(statement);
    expect(errors.map((e) => e.path)).toEqual([path]);
  });
});

describe("auditReproduction", () => {
  const originalCurve = curve(4, 4);
  const original = {
    payloadSha256: ORIGINAL_PAYLOAD,
    statement: {
      predicate: {
        submitter: { keyid: "d".repeat(64) },
        suite: { id: "smoke", version: smokeSuite.version },
        environment: engine,
        runs: [
          {
            task,
            architectureFingerprint: "f".repeat(64),
            status: "ok",
            curve: originalCurve,
            // Encoded predictions whose canonical digests the reproduction must match.
            predictions: { train: "AAAA", test: "AAAA" },
          },
        ],
      },
    } as unknown as Statement,
  };
  // canonicalDigest("AAAA") = SHA-256 of the JSON string "\"AAAA\"".
  const predicted = createHash("sha256").update('"AAAA"').digest("hex");

  it("agrees with an honest exact verdict", async () => {
    const statement = statementOf(originalCurve);
    statement.predicate.runs[0]!.predictions = { train: predicted, test: predicted };
    expect(await auditReproduction(statement.predicate, original)).toEqual([]);
  });

  it("catches a reproduction that claims exact for a curve that differs at epoch 2", async () => {
    const lying = curve(4, 4);
    lying[1] = { ...lying[1]!, trainLoss: 0.5 };
    const statement = statementOf(lying);
    statement.predicate.runs[0]!.predictions = { train: predicted, test: predicted };
    expect(await auditReproduction(statement.predicate, original)).toEqual([
      {
        path: "predicate.runs[0].verdict",
        message: "claims exact, but the comparison gives not-reproduced (trainLoss at epoch 2)",
      },
    ]);
  });

  it("catches a not-reproduced verdict on an exact reproduction", async () => {
    const statement = statementOf(originalCurve, {});
    const run = statement.predicate.runs[0]!;
    run.predictions = { train: predicted, test: predicted };
    run.verdict = "not-reproduced";
    run.firstDivergence = { epoch: 3, metric: "testAcc", original: 0.8, reproduced: 0.7 };
    const errors = await auditReproduction(statement.predicate, original);
    expect(errors.map((e) => e.message)).toEqual(["claims not-reproduced (testAcc), but the comparison gives exact"]);
  });

  it("stops at an attestation about another original", async () => {
    const statement = statementOf(originalCurve);
    expect(await auditReproduction(statement.predicate, { ...original, payloadSha256: A })).toEqual([
      { path: "predicate.original.payloadSha256", message: "is not the digest of this original" },
    ]);
  });
});

describe("reproductions of a PyTorch original", () => {
  const torchEngine = TORCH_CPU_ENGINE;
  const hardware = { platform: "linux", arch: "x64", cpuModel: "CPU", cpuCount: 2, memoryBytes: 2 ** 33, gpu: null };
  const torchEnvironment = {
    ...engine,
    backend: "torch-cpu" as const,
    backendDetail: "PyTorch 1.13.0 on cpu (1 thread)",
    engine: torchEngine,
    hardware,
  };
  const torchStatement = (points: EpochPoint[]) => {
    const statement = statementOf(points, { environment: structuredClone(torchEnvironment) });
    Object.assign(
      statement.predicate.original,
      structuredClone({ backend: "torch-cpu", engine: torchEngine, hardware }),
    );
    return statement;
  };

  it("passes an exact reproduction on the same torch, threads and CPU", async () => {
    expect(await checkReproductionConsistency(torchStatement(curve(4, 4)))).toEqual([]);
  });

  it("requires tolerance mode when the reproducer ran torch with another thread count", async () => {
    const statement = torchStatement(curve(4, 4));
    statement.predicate.environment.engine = { ...torchEngine, threads: 4 };
    const errors = await checkReproductionConsistency(statement);
    expect(errors.map((e) => e.path)).toEqual(["predicate.mode"]);
    expect(errors[0]!.message).toContain("PyTorch 1.13.0, 4 threads");
  });

  it("requires the original's engine and hardware for a PyTorch original, and neither for a TF.js one", async () => {
    const bare = torchStatement(curve(4, 4));
    delete bare.predicate.original.engine;
    delete bare.predicate.original.hardware;
    const errors = await checkReproductionConsistency(bare);
    // Without them the original is not shown to be the same engine: the mode must be tolerance too.
    expect(errors.map((e) => e.path)).toEqual([
      "predicate.original.engine",
      "predicate.original.hardware",
      "predicate.mode",
    ]);
    const tfjs = statementOf(curve(4, 4));
    tfjs.predicate.original.engine = torchEngine;
    expect((await checkReproductionConsistency(tfjs)).map((e) => e.path)).toEqual(["predicate.original.engine"]);
  });

  it("refuses a reproducer environment whose backend and engine disagree", async () => {
    const statement = torchStatement(curve(4, 4));
    statement.predicate.environment.engine = { ...torchEngine, device: "cuda:0" };
    const errors = await checkReproductionConsistency(statement);
    expect(errors.map((e) => e.path)).toEqual(["predicate.environment.engine.device"]);
  });

  it("audits the original's engine and hardware against the original's environment", async () => {
    const points = curve(4, 4);
    const original = {
      payloadSha256: ORIGINAL_PAYLOAD,
      statement: {
        predicate: {
          submitter: { keyid: "d".repeat(64) },
          suite: { id: "smoke", version: smokeSuite.version },
          environment: torchEnvironment,
          runs: [{ task, architectureFingerprint: "f".repeat(64), status: "ok", curve: points, predictions: null }],
        },
      } as unknown as Statement,
    };
    const honest = torchStatement(points);
    honest.predicate.runs[0]!.predictions = null;
    honest.predicate.runs[0]!.status = "ok";
    expect(await auditReproduction(honest.predicate, original)).toEqual([]);
    const claimed = torchStatement(points);
    claimed.predicate.runs[0]!.predictions = null;
    claimed.predicate.original.engine = { ...torchEngine, threads: 8 };
    const errors = await auditReproduction(claimed.predicate, original);
    expect(errors.map((e) => e.path)).toEqual(["predicate.original.engine"]);
  });
});
