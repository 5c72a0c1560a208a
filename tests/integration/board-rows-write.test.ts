// The board's stored rows as the write path keeps them (api/db/queries/board-rows.ts): after real
// submissions through the app on PGlite, board_rows, board_totals and boards hold the figures
// worked out by hand below, a hide and a show move them, and a rebuild from the runs agrees.
import { describe, expect, it } from "vitest";
import { readBoardTables, rebuildBoardRows } from "../../api/db/queries/board-rows.js";
import { ReproductionReceipt, SubmissionReceipt, type Task } from "../../schema/index.js";
import { ADMIN_TOKEN, postBundle, signedBundle } from "../fixtures/api.js";
import { newSigner } from "../fixtures/bundles.js";
import { usePgliteApp } from "../fixtures/pglite.js";
import { attest, postReproduction } from "../fixtures/reproductions.js";

/** The server's operator reproducer keys (one, added by the test that needs it). */
const operatorKeys = new Set<string>();
const pg = usePgliteApp({ empty: true, app: { reproducerKeys: () => operatorKeys } });

const BOARD = { suiteId: "smoke", suiteVersion: 3, datasetId: "mnist-10k" };

async function submit(bundle: Awaited<ReturnType<typeof signedBundle>>): Promise<string> {
  const res = await postBundle(pg.app, bundle.text);
  expect(res.status, await res.clone().text()).toBe(201);
  return SubmissionReceipt.parse(await res.json()).id;
}

async function reproduce(envelope: Awaited<ReturnType<typeof attest>>): Promise<string> {
  const res = await postReproduction(pg.app, envelope);
  expect(res.status, await res.clone().text()).toBe(201);
  return ReproductionReceipt.parse(await res.json()).id;
}

async function moderate(id: string, action: "hide" | "show"): Promise<void> {
  const res = await pg.app.request(`/api/v1/submissions/${id}/moderation`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ action, reason: "board rows test" }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

/** Random labels fit at epoch 10 × (seed + 1), true labels at 10; smoke takes 2 SGD steps an epoch. */
const bySeed = (task: Task) => (task.corruption.kind === "random" ? 10 * (task.seed + 1) : 10);

/** The stored rows as {architecture id/backend/verified → row}, for reading expectations by name. */
async function stored(names: Record<string, string>) {
  const tables = await readBoardTables(pg.handle.db);
  const rows = Object.fromEntries(
    tables.rows.map((r) => [`${names[r.architectureFingerprint]}/${r.backend || "all"}/${r.verifiedOnly}`, r]),
  );
  const totals = Object.fromEntries(
    tables.totals.map((t) => [`${t.backend || "all"}/${t.verifiedOnly}`, [t.architectures, t.ranked, t.fitted]]),
  );
  return { tables, rows, totals };
}

describe("board_rows on write", () => {
  it("holds each scope's figures, moves with a hide and a show, and equals a rebuild", async () => {
    const [ada, bob] = [await newSigner(), await newSigner()];
    const x01 = await signedBundle({ signer: ada, architectures: [{ id: "arch-x" }], seeds: [0, 1], fitEpoch: bySeed });
    const x2 = await signedBundle({
      signer: bob,
      architectures: [{ id: "arch-x" }],
      seeds: [2],
      fitEpoch: bySeed,
      backend: "tensorflow",
    });
    // arch-y: random labels never fit (censored), true labels at epoch 10.
    const y = await signedBundle({
      signer: bob,
      architectures: [{ id: "arch-y" }],
      seeds: [0],
      fitEpochs: { true: 10, random: null },
      backend: "tensorflow",
    });
    await submit(x01);
    const x2Id = await submit(x2);
    await submit(y);
    const x = x01.predicate.architectures[0]!.fingerprint;
    const names = { [x]: "x", [y.predicate.architectures[0]!.fingerprint]: "y" };

    const before = await stored(names);
    // Nothing is verified: no verified-only scope has a row. Every row is on the smoke board.
    expect(Object.keys(before.rows).sort()).toEqual([
      "x/all/false",
      "x/tensorflow/false",
      "x/wasm/false",
      "y/all/false",
      "y/tensorflow/false",
    ]);
    for (const row of before.tables.rows) expect(row).toMatchObject(BOARD);
    // arch-x over every backend: random labels fit at steps 20, 40, 60 (seeds 0, 1, 2).
    expect(before.rows["x/all/false"]).toMatchObject({
      baseline: false,
      memorizationKey: 40,
      fitsTrueLabels: true,
      figures: {
        stepsToFit: { q1: 30, median: 40, q3: 50, runs: 3, censoredRuns: 0, seeds: 3, provisional: false },
        // Steps over the true-label sibling's 20: 1, 2, 3.
        slowdown: 2,
        trueLabels: "fitted",
        counts: { seeds: 3, standing: 6, submissions: 2, keys: 2, verified: 0 },
        verification: "unverified",
        contested: null,
      },
    });
    expect(before.rows["x/all/false"]!.gapKey).toBeCloseTo(0.2, 12);
    // Only the wasm runs (seeds 0 and 1): steps 20 and 40, type-7 quartiles 25, 30, 35.
    expect(before.rows["x/wasm/false"]).toMatchObject({
      memorizationKey: 30,
      figures: { stepsToFit: { q1: 25, median: 30, q3: 35, runs: 2, seeds: 2, provisional: true } },
    });
    expect(before.rows["x/tensorflow/false"]).toMatchObject({
      memorizationKey: 60,
      figures: { stepsToFit: { median: 60, runs: 1 }, counts: { submissions: 1 } },
    });
    // arch-y never fitted random labels: censored, its key +∞ (after every finite median).
    expect(before.rows["y/all/false"]).toMatchObject({
      memorizationKey: Number.POSITIVE_INFINITY,
      fitsTrueLabels: true,
      figures: { stepsToFit: { median: null, runs: 1, censoredRuns: 1 }, slowdown: null },
    });
    // [architectures, ranked, fitted] per scope.
    expect(before.totals).toEqual({ "all/false": [2, 2, 2], "tensorflow/false": [2, 2, 2], "wasm/false": [1, 1, 1] });
    expect(before.tables.boards).toEqual([{ ...BOARD, submissions: 3 }]);

    // Hiding Bob's arch-x result takes its tensorflow row away and seed 2 out of the medians.
    await moderate(x2Id, "hide");
    const hidden = await stored(names);
    expect(hidden.rows["x/tensorflow/false"]).toBeUndefined();
    expect(hidden.rows["x/all/false"]).toMatchObject({
      memorizationKey: 30,
      figures: { stepsToFit: { median: 30, runs: 2, seeds: 2 }, counts: { submissions: 1, keys: 1 } },
    });
    expect(hidden.totals).toEqual({ "all/false": [2, 2, 2], "tensorflow/false": [1, 1, 1], "wasm/false": [1, 1, 1] });
    expect(hidden.tables.boards).toEqual([{ ...BOARD, submissions: 2 }]);
    // Hiding it again changes nothing: the count moves only when the status does.
    await moderate(x2Id, "hide");
    expect((await stored(names)).tables).toEqual(hidden.tables);
    await rebuildBoardRows(pg.handle.db);
    expect((await stored(names)).tables).toEqual(hidden.tables);

    // Shown again: exactly the tables before the hide.
    await moderate(x2Id, "show");
    const shown = await readBoardTables(pg.handle.db);
    expect(shown).toEqual(before.tables);
    await rebuildBoardRows(pg.handle.db);
    expect(await readBoardTables(pg.handle.db)).toEqual(before.tables);
  });

  it("adds the verified-only rows when an operator reproduces, and the contest when another key does not", async () => {
    const [ada, operator, other] = [await newSigner(), await newSigner(), await newSigner()];
    operatorKeys.add(operator.keyid);
    // One seed: true labels fit at epoch 10, random labels at 20 (steps 40).
    const x = await signedBundle({ signer: ada, architectures: [{ id: "arch-x" }], seeds: [0] });
    const xId = await submit(x);
    const names = { [x.predicate.architectures[0]!.fingerprint]: "x" };
    expect(Object.keys((await stored(names)).rows).sort()).toEqual(["x/all/false", "x/wasm/false"]);

    await reproduce(await attest(x, operator, [{ position: 0 }, { position: 1 }]));
    const verified = await stored(names);
    expect(Object.keys(verified.rows).sort()).toEqual(["x/all/false", "x/all/true", "x/wasm/false", "x/wasm/true"]);
    // Both standing results verified: the verified-only row rests on the same two runs.
    for (const key of ["x/all/true", "x/all/false"])
      expect(verified.rows[key], key).toMatchObject({
        memorizationKey: 40,
        figures: {
          stepsToFit: { median: 40, runs: 1 },
          counts: { standing: 2, verified: 2, confirmations: 2, reproductions: 2 },
          verification: "verified",
          contested: null,
        },
      });
    expect(verified.totals).toEqual({
      "all/false": [1, 1, 1],
      "all/true": [1, 1, 1],
      "wasm/false": [1, 1, 1],
      "wasm/true": [1, 1, 1],
    });

    // Another key did not reproduce run 1: every scope's row names the evidence.
    const contest = await reproduce(await attest(x, other, [{ position: 1, change: { epoch: 2, by: 0.5 } }]));
    const contested = await stored(names);
    for (const key of ["x/all/false", "x/all/true", "x/wasm/false", "x/wasm/true"])
      expect(contested.rows[key], key).toMatchObject({
        figures: {
          counts: { contests: 1, reproductions: 3 },
          contested: { slots: 1, submissionId: xId, reproductionId: contest, contestingSubmissionId: null },
        },
      });
    await rebuildBoardRows(pg.handle.db);
    expect(await readBoardTables(pg.handle.db)).toEqual(contested.tables);
  });
});
