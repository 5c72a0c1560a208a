// The leaderboard's figures, computed in SQL on embedded Postgres (PGlite), against values
// worked out by hand from the curves the fixtures write (smoke suite: 2 SGD steps per epoch).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../api/db/client.js";
import { openDatabase } from "../../api/db/open.js";
import {
  ArchitectureDetail,
  findSuite,
  Leaderboard,
  type LeaderboardRow,
  Problem,
  SubmissionReceipt,
  type Task,
} from "../../schema/index.js";
import { ADMIN_TOKEN, appOn, emptyTables, postBundle, signedBundle } from "../fixtures/api.js";
import { newSigner } from "../fixtures/bundles.js";

let handle: DatabaseHandle;
let app: ReturnType<typeof appOn>;
const ids: Record<string, string> = {};
const fingerprints: Record<string, string> = {};

async function submit(name: string, bundle: Awaited<ReturnType<typeof signedBundle>>): Promise<void> {
  const res = await postBundle(app, bundle.text);
  expect(res.status, await res.clone().text()).toBe(201);
  ids[name] = SubmissionReceipt.parse(await res.json()).id;
  for (const a of bundle.predicate.architectures) fingerprints[a.id] = a.fingerprint;
}

async function board(query: string): Promise<Leaderboard> {
  const res = await app.request(`/api/v1/leaderboard?${query}`);
  expect(res.status).toBe(200);
  return Leaderboard.parse(await res.json());
}

function row(b: Leaderboard, id: string): LeaderboardRow {
  const found = b.rows.find((r) => r.architecture.id === id);
  if (!found) throw new Error(`no row for ${id} in ${b.rows.map((r) => r.architecture.id).join(", ")}`);
  return found;
}

/** Random labels fit at 10, 20, 30 epochs for seeds 0, 1, 2; true labels at 10. */
const bySeed = (task: Task) => (task.corruption.kind === "random" ? 10 * (task.seed + 1) : 10);

beforeAll(async () => {
  handle = await openDatabase({ driver: "pglite" });
  app = appOn(handle);
  await emptyTables(handle);
  const [ada, bob] = [await newSigner(), await newSigner()];
  // arch-x: seeds 0 and 1 from Ada, seed 2 from Bob on another machine: three seeds in all.
  await submit(
    "x-ada",
    await signedBundle({
      signer: ada,
      architectures: [{ id: "arch-x" }],
      seeds: [0, 1],
      fitEpoch: bySeed,
      hardware: { cpuModel: "CPU A" },
    }),
  );
  await submit(
    "x-bob",
    await signedBundle({
      signer: bob,
      architectures: [{ id: "arch-x" }],
      seeds: [2],
      fitEpoch: bySeed,
      hardware: { cpuModel: "CPU B", gpu: "GPU B" },
    }),
  );
  // arch-y: fastest memorizer, one seed only.
  await submit(
    "y",
    await signedBundle({
      signer: ada,
      architectures: [{ id: "arch-y" }],
      seeds: [0],
      fitEpochs: { true: 10, random: 5 },
      testAcc: () => 0.6,
    }),
  );
  // arch-z: random labels fit for seed 0 only, never for seeds 1 and 2 (censored).
  await submit(
    "z",
    await signedBundle({
      signer: bob,
      architectures: [{ id: "arch-z" }],
      seeds: [0, 1, 2],
      fitEpoch: (t) => (t.corruption.kind === "random" ? (t.seed === 0 ? 30 : null) : 10),
      testAcc: () => 0.9,
    }),
  );
  // arch-w: its random-label run failed (one seed): counted as never fitted, and as failed.
  await submit(
    "w",
    await signedBundle({
      signer: bob,
      architectures: [{ id: "arch-w" }],
      seeds: [0],
      failed: (t) => t.corruption.kind === "random",
      testAcc: () => 0.7,
    }),
  );
  // arch-v: trained on another backend.
  await submit(
    "v",
    await signedBundle({
      signer: ada,
      architectures: [{ id: "arch-v" }],
      backend: "tensorflow",
      fitEpochs: { true: 10, random: 40 },
    }),
  );
  // A quick-suite result: a different board, never mixed with smoke's.
  await submit(
    "quick",
    await signedBundle({
      signer: ada,
      suite: findSuite("quick")!,
      architectures: [{ id: "arch-x" }],
    }),
  );
});
afterAll(() => handle?.close());

describe("GET /api/v1/leaderboard", () => {
  it("ranks by median steps to fit random labels, censored runs last and no runs after them", async () => {
    const b = await board("suite=smoke");
    expect(b).toMatchObject({
      suite: { id: "smoke", version: 3 },
      dataset: "mnist-10k",
      rank: "memorization",
      backend: null,
      total: 5,
      nextCursor: null,
    });
    expect(Object.fromEntries(b.rows.map((r) => [r.architecture.id, r.rank]))).toEqual({
      "arch-y": 1,
      "arch-x": 2,
      "arch-v": 3,
      "arch-z": 4,
      "arch-w": 4,
    });
    // Sorted steps are [60, +∞, +∞]: the median and both quartiles fall among the censored runs.
    expect(row(b, "arch-z").stepsToFit).toEqual({
      median: null,
      q1: null,
      q3: null,
      runs: 3,
      censoredRuns: 2,
      failedRuns: 0,
      seeds: 3,
      provisional: false,
    });
    // A failed run counts as never fitted: arch-w ties with arch-z among the censored.
    expect(row(b, "arch-w").stepsToFit).toMatchObject({ median: null, runs: 1, failedRuns: 1, seeds: 1 });
  });

  it("gives the median and interquartile range over seeds and submissions, with the slowdown and counts", async () => {
    const x = row(await board("suite=smoke"), "arch-x");
    expect(x.stepsToFit).toEqual({
      median: 40,
      q1: 30,
      q3: 50,
      runs: 3,
      censoredRuns: 0,
      failedRuns: 0,
      seeds: 3,
      provisional: false,
    });
    expect(x.epochsToFit).toMatchObject({ median: 20, q1: 15, q3: 25 });
    expect(x.slowdown).toBe(2);
    expect(x.genGap.median).toBeCloseTo(0.2, 12);
    expect(x.testAccuracy).toBe(0.8);
    expect(x).toMatchObject({
      trueLabels: "fitted",
      counts: {
        seeds: 3,
        standing: 6,
        confirmations: 0,
        contests: 0,
        replicates: 0,
        failed: 0,
        submissions: 2,
        keys: 2,
      },
      provisional: false,
    });
    expect(x.bestWallTime).toMatchObject({
      wallSecondsToFit: 2.5,
      submissionId: ids["x-ada"],
      backend: "wasm",
      hardware: { cpuModel: "CPU A" },
    });
  });

  it("marks a metric provisional while it holds fewer seeds than its suite lists", async () => {
    // smoke lists three seeds: arch-y's one leaves it provisional, arch-x's three do not.
    const b = await board("suite=smoke");
    expect(row(b, "arch-y")).toMatchObject({
      provisional: true,
      stepsToFit: { median: 10, seeds: 1, provisional: true },
    });
    expect(row(b, "arch-x")).toMatchObject({ provisional: false, stepsToFit: { seeds: 3, provisional: false } });
    // arch-w's one random-label run failed: it counts as a seed that never fitted.
    expect(row(b, "arch-w")).toMatchObject({
      provisional: true,
      stepsToFit: { median: null, runs: 1, failedRuns: 1, seeds: 1, provisional: true },
      genGap: { seeds: 1, provisional: true },
    });
  });

  it("ranks by generalization gap on true labels", async () => {
    const b = await board("suite=smoke&rank=gap");
    // arch-v and arch-x have the same gap (1 − 0.8): the same rank.
    expect(Object.fromEntries(b.rows.map((r) => [r.architecture.id, r.rank]))).toEqual({
      "arch-z": 1,
      "arch-v": 2,
      "arch-x": 2,
      "arch-w": 4,
      "arch-y": 5,
    });
    expect(row(b, "arch-y").genGap.median).toBeCloseTo(0.4, 12);
  });

  it("filters by backend", async () => {
    expect((await board("suite=smoke&backend=tensorflow")).rows.map((r) => r.architecture.id)).toEqual(["arch-v"]);
    expect((await board("suite=smoke&backend=wasm")).rows.map((r) => r.architecture.id)).not.toContain("arch-v");
  });

  it("keeps suites apart: the quick board has only its own result", async () => {
    const b = await board("suite=quick");
    expect(b.rows).toHaveLength(1);
    expect(b.rows[0]!.stepsToFit.runs).toBe(1);
    expect(b.rows[0]!.architecture.fingerprint).toBe(fingerprints["arch-x"]);
  });

  it("pages with an opaque cursor", async () => {
    const first = await board("suite=smoke&limit=2");
    expect(first.rows.map((r) => r.rank)).toEqual([1, 2]);
    expect(first.total).toBe(5);
    const second = await board(`suite=smoke&limit=2&cursor=${first.nextCursor}`);
    expect(second.rows.map((r) => r.rank)).toEqual([3, 4]);
    const third = await board(`suite=smoke&limit=2&cursor=${second.nextCursor}`);
    expect(third.rows.map((r) => r.rank)).toEqual([4]);
    expect(third.nextCursor).toBeNull();
  });

  it("exports the board as CSV with the suite version in the file", async () => {
    const res = await app.request("/api/v1/leaderboard?suite=smoke&format=csv");
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(
      'attachment; filename="leaderboard-smoke-v3-mnist-10k-memorization.csv"',
    );
    const lines = (await res.text()).trimEnd().split("\r\n");
    expect(lines).toHaveLength(6);
    const header = lines[0]!.split(",");
    const x = Object.fromEntries(header.map((h, i) => [h, lines[2]!.split(",")[i]]));
    expect(x).toMatchObject({
      suite_id: "smoke",
      suite_version: "3",
      rank: "2",
      architecture_id: "arch-x",
      steps_to_fit_median: "40",
      steps_to_fit_q1: "30",
      steps_to_fit_q3: "50",
      provisional: "false",
    });
  });

  it("refuses unknown suites, datasets outside the suite, bad ranks and forged cursors", async () => {
    for (const [query, path] of [
      ["suite=nope", "query.suite"],
      ["suite=smoke&version=9", "query.version"],
      ["suite=smoke&dataset=cifar10", "query.dataset"],
      ["suite=smoke&rank=speed", "query.rank"],
      ["suite=smoke&limit=0", "query.limit"],
      ["suite=smoke&cursor=eyJvZmZzZXQiOi0xfQ", "query.cursor"],
    ]) {
      const res = await app.request(`/api/v1/leaderboard?${query}`);
      expect(res.status, query).toBe(400);
      expect(Problem.parse(await res.json()).errors?.[0]?.path, query).toBe(path);
    }
  });
});

describe("moderation on the board", () => {
  it("a hidden submission leaves every figure and its architecture page, and comes back when shown", async () => {
    const moderate = (action: string) =>
      app.request(`/api/v1/submissions/${ids["x-bob"]}/moderation`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ action, reason: "test of moderation" }),
      });
    expect((await moderate("hide")).status).toBe(201);
    const hidden = row(await board("suite=smoke"), "arch-x");
    expect(hidden).toMatchObject({
      counts: { submissions: 1, keys: 1, seeds: 2 },
      stepsToFit: { median: 30, runs: 2, seeds: 2 },
    });

    expect((await moderate("show")).status).toBe(201);
    expect(row(await board("suite=smoke"), "arch-x")).toMatchObject({
      counts: { submissions: 2 },
      stepsToFit: { median: 40 },
    });
  });
});

describe("GET /api/v1/architectures/{fingerprint}", () => {
  it("summarizes each condition and returns the runs with their curves", async () => {
    const res = await app.request(`/api/v1/architectures/${fingerprints["arch-x"]}?suite=smoke`);
    expect(res.status).toBe(200);
    const detail = ArchitectureDetail.parse(await res.json());
    expect(detail.architecture).toMatchObject({ id: "arch-x", kind: "layers-json", inputShape: [28, 28, 1] });
    expect(detail.conditions.map((c) => [c.corruption.kind, c.corruptionLevel, c.stepsToFit.median])).toEqual([
      ["random", 1, 40],
      ["true", 0, 20],
    ]);
    expect(detail.conditions[0]!.testError.median).toBeCloseTo(0.9, 12);
    expect(detail.runs).toHaveLength(6);
    expect(new Set(detail.runs.map((r) => r.seed))).toEqual(new Set([0, 1, 2]));
    expect(detail.runs.find((r) => r.seed === 2 && r.corruption.kind === "random")).toMatchObject({
      submissionId: ids["x-bob"],
      derived: { epochsToFit: 30 },
    });
    // Each curve ends where the stopping rule ends it: EPOCHS_AFTER_FIT (3) epochs after the fit.
    expect(detail.runs.every((r) => r.curve.length === r.derived.epochsToFit! + 3)).toBe(true);
    expect(detail.runsTruncated).toBe(false);

    const all = ArchitectureDetail.parse(
      await (await app.request(`/api/v1/architectures/${fingerprints["arch-x"]}`)).json(),
    );
    expect(all.conditions.map((c) => c.suite.id)).toContain("quick");
  });

  it("answers 404 for an unknown fingerprint and 400 for a malformed one", async () => {
    const unknown = await app.request(`/api/v1/architectures/${"0".repeat(64)}`);
    expect(unknown.status).toBe(404);
    const malformed = await app.request("/api/v1/architectures/abc");
    expect(malformed.status).toBe(400);
    expect(Problem.parse(await malformed.json()).errors?.[0]?.path).toBe("path.fingerprint");
  });
});
