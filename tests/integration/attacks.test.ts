// Hostile bundles against POST /api/v1/submissions on PGlite: each is validly signed and internally
// consistent (fingerprints, subjects and derived metrics recomputed after the edit), so only the
// server's own checks can refuse it. Each refusal must name its reason, store nothing and leave the
// leaderboard byte for byte as it was. The attack classes, one test each:
//   1. invented curves fitted at epoch 1 on 1,000 seeds; the same on the suite's seeds with
//      predictions that cannot score them
//   2. the built-in mlp-1x512 topology claimed as a kernel with one parameter
//   3. another topology under the built-in id mlp-1x512 and its name
//   4. a user architecture claiming a parameter count its topology does not have
//   5. one flipped training prediction of one fitted run
//   6. dataset files that are not the pinned ones
//   7. a subset of the suite's tasks: the censored random-label run left out
//   8. a seed the suite does not list
//   9. a curve that stops before the stopping rule ends it, and one that goes on past it
//  10. `__proto__` inside a topology
//  11. a topology nested 2,500 levels deep
//  12. a bidi override in a name, a zero-width space in a hardware string
//  13. standard suite: an early-stopping run that stopped on test accuracy instead of validation accuracy
// and a positive control: the same runs re-signed by another key count as confirmations, not as seeds.
// Smoke suite figures used by hand below: 250 training digits (25 per class), batch 128, so
// 2 SGD steps per epoch; the fixture fits true labels at epoch 10 and random labels at epoch 20,
// and the stopping rule ends a fitted run 3 epochs after it fits.
import { beforeAll, describe, expect, it } from "vitest";
import { verifySubmission } from "../../api/verify-submission.js";
import {
  canonicalDigest,
  decodeClasses,
  deriveRuns,
  encodeClasses,
  findSuite,
  fromBase64,
  type JsonObject,
  Leaderboard,
  type Problem,
  type ResultPredicate,
  runLabels,
  type Signer,
  taskKey,
  utf8,
} from "../../schema/index.js";
import {
  countRows,
  emptyTables,
  postBundle,
  type RowCounts,
  signedBundle,
  signRaw,
  signText,
} from "../fixtures/api.js";
import { makePredicate, newSigner, type PredicateOptions, testDatasets } from "../fixtures/bundles.js";
import { expectProblem, usePgliteApp } from "../fixtures/pglite.js";

const BOARD_PATHS = [
  "/api/v1/leaderboard?suite=smoke&rank=memorization",
  "/api/v1/leaderboard?suite=smoke&rank=gap",
  "/?suite=smoke",
];
const SMOKE = "mlp-1x512/mnist-10k";
/** mlp-1x512 on 28×28×1 inputs: 784·512 + 512 weights and biases, then 512·10 + 10. */
const MLP_1X512_PARAMETERS = 784 * 512 + 512 + 512 * 10 + 10;

const pg = usePgliteApp();

/**
 * Signs an edited predicate after recomputing what openEnvelope's consistency check compares:
 * the suite digest, each architecture's fingerprint (and the runs that point at it), the derived
 * metrics of every run and, through signRaw, the subjects. Returns the envelope as a bundle file holds it.
 */
async function resign(predicate: ResultPredicate, signer: Signer): Promise<string> {
  const fingerprints = new Map<string, string>();
  const architectures = await Promise.all(
    predicate.architectures.map(async (architecture) => {
      const fingerprint = await canonicalDigest(architecture.topology);
      fingerprints.set(architecture.fingerprint, fingerprint);
      return { ...architecture, fingerprint };
    }),
  );
  const derived = deriveRuns(predicate.runs);
  const runs = predicate.runs.map((run, i) => ({
    ...run,
    architectureFingerprint: fingerprints.get(run.architectureFingerprint) ?? run.architectureFingerprint,
    derived: derived[i]!,
  }));
  const edited: ResultPredicate = {
    ...predicate,
    suiteDigest: await canonicalDigest(predicate.suite),
    submitter: { ...predicate.submitter, publicKey: signer.publicKey, keyid: signer.keyid },
    architectures,
    runs,
  };
  return JSON.stringify(await signRaw(edited, signer));
}

/** A fresh key and an honest predicate from it, checked to pass verification before it is edited. */
async function honest(options: PredicateOptions = {}): Promise<{ signer: Signer; predicate: ResultPredicate }> {
  const signer = await newSigner();
  // A deep copy: makePredicate shares its cached built-in descriptions between predicates, and
  // the tests below edit theirs in place.
  const predicate = structuredClone(await makePredicate(signer, options));
  const verdict = await verifySubmission(await resign(predicate, signer), {
    datasets: testDatasets(),
  });
  expect(verdict.ok ? "accepted" : verdict.problem.detail).toBe("accepted");
  return { signer, predicate };
}

function runIndex(predicate: ResultPredicate, key: string): number {
  const i = predicate.runs.findIndex((run) => taskKey(run.task) === key);
  if (i === -1) throw new Error(`no run ${key} among ${predicate.runs.map((r) => taskKey(r.task)).join(", ")}`);
  return i;
}

async function boardTexts(): Promise<string[]> {
  return Promise.all(
    BOARD_PATHS.map(async (path) => {
      const res = await pg.app.request(path);
      expect(res.status, path).toBe(200);
      return res.text();
    }),
  );
}

/** The board as the honest submission left it: every refusal must leave it exactly so. */
const seeded: { rows?: RowCounts; board?: string[] } = {};

/** POSTs a body, expects a 422 problem with `code`, and that nothing was stored or changed on the board. */
async function expectRefused(body: string, code: string): Promise<Problem> {
  const problem = await expectProblem(postBundle(pg.app, body), 422, code);
  expect(await countRows(pg.handle)).toEqual(seeded.rows);
  expect(await boardTexts()).toEqual(seeded.board);
  return problem;
}

const pathsOf = (problem: Problem) => (problem.errors ?? []).map((e) => e.path);

describe("hostile bundles are refused and change nothing", () => {
  beforeAll(async () => {
    const res = await postBundle(pg.app, (await signedBundle()).text);
    expect(res.status).toBe(201);
    seeded.rows = await countRows(pg.handle);
    expect(seeded.rows).toMatchObject({ submissions: 1, runs: 6 });
    seeded.board = await boardTexts();
    // Not an empty board: both rankings and the page show the honest row.
    expect(Leaderboard.parse(JSON.parse(seeded.board[0]!)).rows).toHaveLength(1);
    expect(Leaderboard.parse(JSON.parse(seeded.board[1]!)).rows).toHaveLength(1);
    expect(seeded.board[2]).toContain("mlp-1x512");
  });

  it("1. invented curves fitted at epoch 1: on 1,000 seeds; on the suite's seeds, unscorable predictions", async () => {
    const seeds = Array.from({ length: 1000 }, (_, seed) => seed);
    const many = await makePredicate(await newSigner(), { seeds, fitEpochs: { true: 1, random: 1 } });
    expect(many.runs).toHaveLength(2000);
    const problem = await expectRefused(await resign(many, await newSigner()), "protocol-violation");
    // Seeds 3 … 999 are not the suite's, on true and on random labels: 997 · 2 runs.
    expect(problem.errors).toHaveLength(1994);
    expect(problem.errors!.every((e) => e.path.endsWith(".task.seed"))).toBe(true);
    expect(problem.detail).toContain(
      `${SMOKE}/true/none/seed-3: seed 3 is not one of suite smoke v3's seeds (0, 1, 2)`,
    );

    // On the suite's own seeds the protocol holds; an inventor who does not hold the labels
    // predicts class 0 everywhere and claims every training example correct.
    const { signer, predicate } = await honest({ fitEpochs: { true: 1, random: 1 } });
    const zeros = encodeClasses(new Uint8Array(250));
    for (const run of predicate.runs) {
      expect(run.curve).toHaveLength(4);
      expect(run.curve[3]!.trainAcc).toBe(1);
      run.predictions = { ...run.predictions!, train: zeros };
    }
    const scored = await expectRefused(await resign(predicate, signer), "wrong-score");
    expect(pathsOf(scored)).toEqual(predicate.runs.map((_, i) => `predicate.runs[${i}].curve[3].trainAcc`));
    // True labels are the class-balanced subset: class 0 is right on its 25 digits of 250.
    expect(scored.detail).toContain(
      `${SMOKE}/true/none/seed-0: the last epoch's trainAcc is 1, but the run's final train predictions ` +
        "score 0.1 (25 of 250 correct)",
    );
  });

  it("2. the built-in mlp-1x512 topology claimed as a kernel with one parameter", async () => {
    const { signer, predicate } = await honest();
    predicate.architectures[0] = { ...predicate.architectures[0]!, kind: "kernel", parameterCount: 1 };
    const problem = await expectRefused(await resign(predicate, signer), "wrong-architecture");
    expect(problem.errors).toEqual([
      {
        path: "predicate.architectures[0].kind",
        message: 'mlp-1x512@28x28x1: is "kernel", but the topology makes it "builtin"',
      },
      {
        path: "predicate.architectures[0].parameterCount",
        message: `mlp-1x512@28x28x1: is 1, but the topology has ${MLP_1X512_PARAMETERS}`,
      },
    ]);
  });

  it("3. another topology published under the built-in id mlp-1x512 and its name", async () => {
    const { signer, predicate } = await honest();
    const architecture = predicate.architectures[0]!;
    const topology = structuredClone(architecture.topology) as {
      config: { layers: { class_name: string; config: { units?: number } }[] };
    };
    const hidden = topology.config.layers.filter((l) => l.class_name === "Dense" && l.config.units === 512);
    expect(hidden).toHaveLength(1);
    hidden[0]!.config.units = 256;
    // The built-in's id, name, kind and parameter count: only the topology differs.
    predicate.architectures[0] = { ...architecture, topology: topology as typeof architecture.topology };
    const problem = await expectRefused(await resign(predicate, signer), "wrong-architecture");
    expect(pathsOf(problem)).toEqual(["predicate.architectures[0].fingerprint"]);
    expect(problem.detail).toContain("another architecture may not take a built-in's id");
  });

  it("4. a user architecture whose claimed parameter count is not its topology's", async () => {
    // The fixture's user network is mlp-1x512 with 256 hidden units: 784·256 + 256 + 256·10 + 10.
    const { signer, predicate } = await honest({ architectures: [{ id: "my-net", name: "My net" }] });
    expect(predicate.architectures[0]!.parameterCount).toBe(784 * 256 + 256 + 256 * 10 + 10);
    predicate.architectures[0]!.parameterCount = MLP_1X512_PARAMETERS;
    const problem = await expectRefused(await resign(predicate, signer), "wrong-architecture");
    expect(problem.errors).toEqual([
      {
        path: "predicate.architectures[0].parameterCount",
        message: `my-net@28x28x1: is ${MLP_1X512_PARAMETERS}, but the topology has 203530`,
      },
    ]);
  });

  it("5. one correct training prediction of one run flipped", async () => {
    const { signer, predicate } = await honest();
    const i = runIndex(predicate, `${SMOKE}/true/none/seed-1`);
    const run = predicate.runs[i]!;
    // Fitted at epoch 10, stopped after epoch 13: every training prediction is right.
    expect(run.curve.map((p) => p.trainAcc).slice(9)).toEqual([1, 1, 1, 1]);
    const train = decodeClasses(run.predictions!.train, 250)!;
    train[0] = (train[0]! + 1) % 10;
    run.predictions = { ...run.predictions!, train: encodeClasses(train) };
    const problem = await expectRefused(await resign(predicate, signer), "wrong-score");
    expect(problem.errors).toEqual([
      {
        path: `predicate.runs[${i}].curve[12].trainAcc`,
        message:
          `${SMOKE}/true/none/seed-1: the last epoch's trainAcc is 1, but the run's final train predictions ` +
          "score 0.996 (249 of 250 correct) against the labels this server derives",
      },
    ]);
  });

  it("6. dataset files whose digests are not the pinned ones", async () => {
    const { signer, predicate } = await honest();
    const files = predicate.datasets[0]!.files;
    expect(files).toHaveLength(10); // mnist-10k: one JSON file per digit
    predicate.datasets[0]!.files = files.map((f) => ({ ...f, sha256: "a".repeat(64) }));
    const problem = await expectRefused(await resign(predicate, signer), "wrong-score");
    expect(pathsOf(problem)).toEqual(files.map((_, j) => `predicate.datasets[0].files[${j}].sha256`));
    expect(problem.detail).toContain(`mnist-10k's ${files[0]!.name} has SHA-256 ${"a".repeat(64)}, not the pinned`);
  });

  it("7. a subset of the suite's tasks: the censored random-label run left out", async () => {
    const { signer, predicate } = await honest({ fitEpochs: { random: null } });
    const i = runIndex(predicate, `${SMOKE}/random/none/seed-2`);
    expect(predicate.runs[i]!.derived.stepsToFit).toBeNull();
    predicate.runs.splice(i, 1);
    const problem = await expectRefused(await resign(predicate, signer), "protocol-violation");
    expect(problem.errors).toEqual([
      {
        path: "predicate.runs",
        message:
          `${SMOKE}/random/none/seed-2 is missing: a bundle that covers ${SMOKE}/seed-2 must hold every ` +
          "condition of suite smoke v3 that applies to mlp-1x512 (2 runs; it has 1)",
      },
    ]);
  });

  it("8. a seed the suite does not list, with every condition", async () => {
    const signer = await newSigner();
    const predicate = await makePredicate(signer, { seeds: [7] });
    expect(predicate.runs.map((r) => taskKey(r.task))).toEqual([
      `${SMOKE}/true/none/seed-7`,
      `${SMOKE}/random/none/seed-7`,
    ]);
    const problem = await expectRefused(await resign(predicate, signer), "protocol-violation");
    expect(pathsOf(problem)).toEqual(["predicate.runs[0].task.seed", "predicate.runs[1].task.seed"]);
    expect(problem.detail).toContain("seed 7 is not one of suite smoke v3's seeds (0, 1, 2)");
  });

  it("9. a curve cut one epoch before the stopping rule ends it, and one that goes on past it", async () => {
    const { signer, predicate } = await honest();
    const i = runIndex(predicate, `${SMOKE}/true/none/seed-0`);
    const curve = predicate.runs[i]!.curve;
    expect(curve).toHaveLength(13);

    // Epoch 12 is fitted and scores what epoch 13 did, so the predictions still match.
    const early = structuredClone(predicate);
    early.runs[i]!.curve = curve.slice(0, 12);
    const cut = await expectRefused(await resign(early, signer), "protocol-violation");
    expect(pathsOf(cut)).toEqual([`predicate.runs[${i}].curve`]);
    expect(cut.detail).toContain(
      `${SMOKE}/true/none/seed-0: the curve ends after epoch 12, before the stopping rule ends the run`,
    );

    const late = structuredClone(predicate);
    late.runs[i]!.curve = [...curve, { ...curve[12]!, epoch: 14, wallSeconds: 3.5 }];
    const longer = await expectRefused(await resign(late, signer), "protocol-violation");
    expect(pathsOf(longer)).toEqual([`predicate.runs[${i}].curve`]);
    expect(longer.detail).toContain(
      `${SMOKE}/true/none/seed-0: the curve has 14 epochs, but the stopping rule ends the run after epoch 13`,
    );
  });

  it("10. __proto__ inside a topology", async () => {
    const signer = await newSigner();
    const { envelope } = await signedBundle({ signer });
    const payload = utf8.decode(fromBase64(envelope.payload)!);
    // JSON.stringify drops a __proto__ set by assignment, so the key goes into the text itself.
    const hostile = payload.replace('"topology":{', '"topology":{"__proto__":{"polluted":true},');
    expect(hostile).not.toBe(payload);
    const problem = await expectRefused(JSON.stringify(await signText(hostile, signer)), "hostile-structure");
    expect(problem.errors).toEqual([
      { path: "predicate.architectures[0].topology.__proto__", message: 'the key "__proto__" is not allowed' },
    ]);
  });

  it("11. a topology nested 2,500 levels deep: refused, not a crash", async () => {
    const { signer, predicate } = await honest();
    let deep: JsonObject = {};
    for (let level = 0; level < 2500; level++) deep = { a: deep };
    predicate.architectures[0]!.topology = { ...predicate.architectures[0]!.topology, deep };
    const problem = await expectRefused(await resign(predicate, signer), "hostile-structure");
    // The statement is level 1, predicate 2, architectures 3, [0] 4, topology 5, deep 6: the
    // first object past level 64 sits under 59 more keys.
    expect(problem.errors).toEqual([
      {
        path: `predicate.architectures[0].topology.deep${".a".repeat(59)}`,
        message: "nests deeper than 64 levels",
      },
    ]);
  });

  it("12. a bidi override in an architecture name, a zero-width space in a hardware string", async () => {
    const { signer, predicate } = await honest();
    const bidi = structuredClone(predicate);
    bidi.architectures[0]!.name = "MLP \u202E215x1";
    const named = await expectRefused(await resign(bidi, signer), "bad-name");
    expect(named.errors).toEqual([
      {
        path: "predicate.architectures[0].name",
        message: "holds U+202E at character 4: control, bidi-control and zero-width characters are not allowed",
      },
    ]);

    const zeroWidth = structuredClone(predicate);
    zeroWidth.environment.hardware.cpuModel = "Test\u200BCPU";
    const hardware = await expectRefused(await resign(zeroWidth, signer), "bad-name");
    expect(pathsOf(hardware)).toEqual(["predicate.environment.hardware.cpuModel"]);
    expect(hardware.detail).toContain("holds U+200B at character 4");
  });

  it("13. standard suite: an early-stopping run that stopped on test accuracy, not validation accuracy", async () => {
    const suite = findSuite("standard")!;
    const { signer, predicate } = await honest({ suite, seeds: [0] });
    const key = "mlp-1x512/fashion-mnist/random/early-stop/seed-0";
    const i = runIndex(predicate, key);
    const run = predicate.runs[i]!;
    // Random labels fit at epoch 20: validation accuracy (0.9 · training accuracy) rises every
    // epoch until then, while test accuracy stays at 0.1 from epoch 1. Stopping on test accuracy
    // with patience 5 ends the run after epoch 6; the rule, on validation accuracy, goes on.
    expect(run.task.regularizer.earlyStoppingPatience).toBe(5);
    expect(run.curve.slice(0, 6).map((p) => p.testAcc)).toEqual([0.1, 0.1, 0.1, 0.1, 0.1, 0.1]);
    const curve = run.curve.slice(0, 6);
    expect(curve.every((p, e) => e === 0 || p.valAcc! > curve[e - 1]!.valAcc!)).toBe(true);
    // Final training predictions that score exactly the last epoch's claim, as a runner would write.
    const labels = runLabels(run.task, testDatasets().get("fashion-mnist")!.labels!).train;
    const correct = Math.round(curve[5]!.trainAcc * labels.length);
    curve[5] = { ...curve[5]!, trainAcc: correct / labels.length };
    const train = labels.map((label, k) => (k < correct ? label : (label + 1) % 10));
    const onTest = structuredClone(predicate);
    onTest.runs[i] = { ...run, curve, predictions: { ...run.predictions!, train: encodeClasses(train) } };
    const stopped = await expectRefused(await resign(onTest, signer), "protocol-violation");
    expect(pathsOf(stopped)).toEqual([`predicate.runs[${i}].curve`]);
    expect(stopped.detail).toContain(`${key}: the curve ends after epoch 6, before the stopping rule ends the run`);

    // The same run written without the validation accuracy the rule reads.
    const unmarked = structuredClone(onTest);
    unmarked.runs[i]!.curve = curve.map(({ valAcc: _, ...point }) => point);
    const missing = await expectRefused(await resign(unmarked, signer), "protocol-violation");
    expect(pathsOf(missing)).toEqual([`predicate.runs[${i}].curve[0].valAcc`]);
    expect(missing.detail).toContain("early stopping selects on validation accuracy");
  });
});

describe("the positive control", () => {
  it("accepts the same runs re-signed by another key as confirmations, not as more seeds", async () => {
    await emptyTables(pg.handle);
    expect((await postBundle(pg.app, (await signedBundle()).text)).status).toBe(201);
    const before = Leaderboard.parse(JSON.parse((await boardTexts())[0]!)).rows[0]!;
    expect(before.counts).toMatchObject({ seeds: 3, standing: 6, confirmations: 0, submissions: 1, keys: 1 });
    // Random labels fit at epoch 20 on every seed: 40 steps.
    expect(before.stepsToFit.median).toBe(40);

    const original = await makePredicate(await newSigner());
    const res = await postBundle(pg.app, await resign(original, await newSigner()));
    expect(res.status, await res.clone().text()).toBe(201);

    const after = Leaderboard.parse(JSON.parse((await boardTexts())[0]!)).rows;
    expect(after).toHaveLength(1);
    expect(after[0]!.counts).toMatchObject({ seeds: 3, standing: 6, confirmations: 6, submissions: 2, keys: 2 });
    expect(after[0]!.stepsToFit).toEqual(before.stepsToFit);
  });
});
