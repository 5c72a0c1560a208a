// A board of the `regularizers` suite on embedded Postgres (PGlite), seeded through the real API:
// both rankings read the runs with every regularizer off, each row's Δ gap per regularizer set
// (worked out by hand from the fixture's test accuracies) in JSON and CSV, and the architecture
// page's Table 1 with the paper's figures for the nearest model.
import { beforeAll, describe, expect, it } from "vitest";
import { ArchitectureDetail, Leaderboard, type RegularizerEffect } from "../../schema/index.js";
import { postBundle, signedBundle } from "../fixtures/api.js";
import { usePgliteApp } from "../fixtures/pglite.js";
import {
  RANDOM_TEST_ACCURACY,
  regularizersSuite,
  type SeededRegularizersBoard,
  seedRegularizersBoard,
} from "../fixtures/regularizers-board.js";

const pg = usePgliteApp();
let board: SeededRegularizersBoard;

async function json<T>(path: string, schema: { parse(value: unknown): T }): Promise<T> {
  const res = await pg.app.request(path);
  expect(res.status, path).toBe(200);
  return schema.parse(await res.json());
}

async function html(path: string): Promise<string> {
  const res = await pg.app.request(path);
  expect(res.status, path).toBe(200);
  return res.text();
}

/** Δ gaps expected to 1e-10 (they are differences of doubles such as 1 − 0.9). */
function expectEffects(actual: RegularizerEffect[], expected: [string, number | null][]) {
  expect(actual.map((e) => e.regularizer)).toEqual(expected.map(([name]) => name));
  for (const [i, [name, delta]] of expected.entries()) {
    const effect = actual[i]!;
    expect(effect.seeds, name).toBe(1);
    if (delta === null) expect(effect.gapDelta, name).toBeNull();
    else expect(effect.gapDelta, name).toBeCloseTo(delta, 10);
  }
}

/** The text of an element's cells, tags stripped and whitespace folded. */
function text(fragment: string): string {
  return fragment
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** The Table 1 row of a regularizer set on an architecture page, as text. */
function table1Row(page: string, regularizer: string): string {
  const match = new RegExp(`<tr[^>]*data-regularizer="${regularizer.replace("+", "\\+")}"[^>]*>(.*?)</tr>`, "s").exec(
    page,
  );
  expect(match, `Table 1 row ${regularizer}`).not.toBeNull();
  return text(match![1]!);
}

beforeAll(async () => {
  board = await seedRegularizersBoard(pg.app);
  // A board without ablations beside it: the smoke suite's MLP.
  const smoke = await signedBundle({ submitterName: "Smoke" });
  expect((await postBundle(pg.app, smoke.text)).status).toBe(201);
});

describe("the leaderboard of a suite with regularizer ablations", () => {
  it("uses the suite this test was written for: seven regularizer sets in this order", () => {
    // If the suite changes its sets, the worked-out figures below must be worked out again.
    expect([...new Set(regularizersSuite.conditions.map((c) => c.regularizer.name))]).toEqual([
      "none",
      "wd",
      "crop",
      "crop+wd",
      "dropout",
      "early-stop",
      "bn",
    ]);
    expect(regularizersSuite.seeds).toHaveLength(1);
  });

  it("ranks by the gap with every regularizer off, not by regularized runs", async () => {
    const b = await json(`/api/v1/leaderboard?suite=regularizers&rank=gap`, Leaderboard);
    const a = board.architectures;
    // Gaps with regularizer none (train accuracy 1 each): AlexNet 1 − 0.96 = 0.04, reg-net 1 − 0.93 = 0.07,
    // MLP 1 − 0.90 = 0.10. reg-net's regularized runs have a gap of 0.01: read together, it would rank first.
    expect(b.rows.map((r) => [r.rank, r.architecture.fingerprint])).toEqual([
      [1, a.alexnet.fingerprint],
      [2, a.regNet.fingerprint],
      [3, a.mlp.fingerprint],
    ]);
    expect(b.rows.map((r) => r.genGap.median)).toEqual([
      expect.closeTo(0.04, 10),
      expect.closeTo(0.07, 10),
      expect.closeTo(0.1, 10),
    ]);
  });

  it("ranks memorization by random labels with every regularizer off", async () => {
    const b = await json(`/api/v1/leaderboard?suite=regularizers`, Leaderboard);
    const a = board.architectures;
    // Random labels, none: AlexNet fits at epoch 10, the MLP at 12, reg-net at 12 too but fits at 3 with any
    // regularizer on; epochs tie MLP and reg-net, and both come after AlexNet.
    expect(b.rows[0]!.architecture.fingerprint).toBe(a.alexnet.fingerprint);
    expect(b.rows.map((r) => r.epochsToFit.median)).toEqual([10, 12, 12]);
  });

  it("gives each row its Δ gap per regularizer set in suite order, worked out by hand", async () => {
    const b = await json(`/api/v1/leaderboard?suite=regularizers&rank=gap`, Leaderboard);
    const byId = new Map(b.rows.map((r) => [r.architecture.id, r]));
    // MLP, gap without regularizers 0.10: wd 0.09, crop 0.06, crop+wd 0.05, dropout 0.08, early-stop 0.12,
    // bn 0.11.
    expectEffects(byId.get("mlp-1x512")!.regularizerEffects, [
      ["wd", -0.01],
      ["crop", -0.04],
      ["crop+wd", -0.05],
      ["dropout", -0.02],
      ["early-stop", 0.02],
      ["bn", 0.01],
    ]);
    // AlexNet, gap 0.04: wd 0.04, crop 0.02, crop+wd 0.03, dropout 0.05, early-stop 0.07, bn 0.03.
    expectEffects(byId.get("small-alexnet-tiny")!.regularizerEffects, [
      ["wd", 0],
      ["crop", -0.02],
      ["crop+wd", -0.01],
      ["dropout", 0.01],
      ["early-stop", 0.03],
      ["bn", -0.01],
    ]);
    // reg-net, gap 0.07, with any regularizer 0.01 (a user architecture trains every set, bn included).
    expectEffects(
      byId.get("reg-net")!.regularizerEffects,
      ["wd", "crop", "crop+wd", "dropout", "early-stop", "bn"].map((name) => [name, -0.06]),
    );
  });

  it("exports the Δ gaps as CSV columns in suite order", async () => {
    const res = await pg.app.request("/api/v1/leaderboard?suite=regularizers&rank=gap&format=csv");
    expect(res.status).toBe(200);
    const [head, ...lines] = (await res.text()).trimEnd().split("\r\n");
    const header = head!.split(",");
    expect(header.slice(-12)).toEqual(
      ["wd", "crop", "crop+wd", "dropout", "early-stop", "bn"].flatMap((n) => [
        `gap_delta_${n}`,
        `gap_delta_${n}_seeds`,
      ]),
    );
    const rows = lines.map((line) => Object.fromEntries(header.map((h, i) => [h, line.split(",")[i]!])));
    const mlp = rows.find((r) => r.architecture_id === "mlp-1x512")!;
    expect(Number(mlp.gap_delta_crop)).toBeCloseTo(-0.04, 10);
    expect(mlp.gap_delta_crop_seeds).toBe("1");
    expect(Number(mlp["gap_delta_early-stop"])).toBeCloseTo(0.02, 10);
    expect(Number(mlp.gap_delta_bn)).toBeCloseTo(0.01, 10);
    expect(mlp.gap_delta_bn_seeds).toBe("1");
  });

  it("has no Δ gaps on a suite without ablations", async () => {
    const b = await json("/api/v1/leaderboard?suite=smoke", Leaderboard);
    expect(b.rows).toHaveLength(1);
    expect(b.rows[0]!.regularizerEffects).toEqual([]);
    const csv = await (await pg.app.request("/api/v1/leaderboard?suite=smoke&format=csv")).text();
    expect(csv).not.toContain("gap_delta");
    const page = await html("/?suite=smoke");
    expect(page).not.toContain("delta-strip");
    expect(page).not.toContain("every regularizer off");
  });

  it("draws the Δ gap strip on the page, with each figure said in words", async () => {
    const page = await html("/?suite=regularizers&rank=gap");
    expect(page).toContain("Δ gap by regularizer (pp)");
    expect(page).toContain("ranked by generalization gap (smallest gap between training and test accuracy on true");
    expect(page).toContain("every regularizer off.");
    const strips = [...page.matchAll(/<ul class="delta-strip"[^>]*>(.*?)<\/ul>/gs)].map((m) => m[1]!);
    expect(strips).toHaveLength(3);
    // Rows in gap order: AlexNet, reg-net, MLP. The MLP's strip, visible figures only.
    const visible = (strip: string) =>
      [...strip.matchAll(/<span class="delta-name">(.*?)<\/span><span class="delta-value">(.*?)<\/span>/g)].map(
        (m) => `${m[1]} ${m[2]}`,
      );
    expect(visible(strips[2]!)).toEqual([
      "wd −1.0",
      "crop −4.0",
      "crop+wd −5.0",
      "dropout −2.0",
      "early-stop +2.0",
      "bn +1.0",
    ]);
    expect(visible(strips[0]!)).toEqual([
      "wd ±0.0",
      "crop −2.0",
      "crop+wd −1.0",
      "dropout +1.0",
      "early-stop +3.0",
      "bn −1.0",
    ]);
    expect(strips[2]).toContain(
      "crop makes the median gap 4.0 pp smaller than 10.0 pp with every regularizer off (1 seed)",
    );
    expect(strips[2]).toContain("early-stop makes the median gap 2.0 pp larger");
    expect(strips[0]).toContain("wd leaves the median gap unchanged");
    expect(page).toContain('class="delta delta-smaller"');
    expect(page).toContain('class="delta delta-larger"');
  });
});

describe("the architecture page's Table 1", () => {
  it("serves each condition's final training accuracy", async () => {
    const fp = board.architectures.alexnet.fingerprint;
    const detail = await json(`/api/v1/architectures/${fp}?suite=regularizers`, ArchitectureDetail);
    const condition = (corruption: string, regularizer: string) =>
      detail.conditions.find((c) => c.corruption.kind === corruption && c.regularizer === regularizer)!;
    expect(condition("true", "crop").trainAccuracy).toMatchObject({ median: 1, runs: 1, seeds: 1 });
    expect(condition("true", "crop").testError.median).toBeCloseTo(0.02, 10);
    // Random labels with weight decay never fit: the fixture's curve ends at 0.1 + 0.9/2 = 55% training accuracy.
    expect(condition("random", "wd").trainAccuracy.median).toBeCloseTo(0.55, 2);
    expect(condition("random", "wd").epochsToFit).toMatchObject({ median: null, runs: 1, censoredRuns: 1 });
  });

  it("lists the suite's regularizer sets with ours and the paper's AlexNet figures side by side", async () => {
    const page = await html(`/architectures/${board.architectures.alexnet.fingerprint}?suite=regularizers`);
    expect(page).toContain('id="table-1"');
    expect(page).toContain("Paper, AlexNet (CIFAR-10)");
    const order = [...page.matchAll(/data-regularizer="([^"]+)"/g)].map((m) => m[1]);
    expect(order).toEqual(["none", "wd", "crop", "crop+wd", "dropout", "early-stop", "bn"]);
    // Ours: train / test on true labels, train / test on random labels, epochs to fit random labels;
    // then the paper's Table 1 (true labels) and its random-labels column or Appendix E.
    expect(table1Row(page, "none")).toBe(
      "none every regularizer off 100.0% 96.0% 100.0% 10.0% 10 100.00% / 76.07% 99.82% / 9.86%",
    );
    expect(table1Row(page, "crop")).toBe("crop random crops 100.0% 98.0% 100.0% 10.0% 11 99.82% / 79.66% —");
    expect(table1Row(page, "wd")).toMatch(
      /^wd weight decay 0\.0005 100\.0% 96\.0% 55\.\d% 10\.0% not fitted 100\.00% \/ 77\.36% did not converge$/,
    );
    expect(table1Row(page, "dropout")).toMatch(/^dropout dropout 0\.\d+ 100\.0% 95\.0% 100\.0% 10\.0% 11 — —$/);
    expect(table1Row(page, "bn")).toBe("bn batch norm added 100.0% 97.0% 100.0% 10.0% 9 — —");
    expect(RANDOM_TEST_ACCURACY).toBe(0.1);
  });

  it("maps the MLP to the paper's MLP 1x512, and shows no paper figures for a user architecture", async () => {
    const mlp = await html(`/architectures/${board.architectures.mlp.fingerprint}?suite=regularizers`);
    expect(mlp).toContain("Paper, MLP 1x512 (CIFAR-10)");
    // Appendix E: MLP 1x512 with weight decay fits 99.21% of random labels; Table 1: 99.80 / 50.39.
    expect(table1Row(mlp, "wd")).toMatch(/ 99\.80% \/ 50\.39% 99\.21% \/ —$/);
    // Batch norm is added to the MLP too (after its hidden layer); the paper has no such column for it.
    expect(table1Row(mlp, "bn")).toBe("bn batch norm added 100.0% 89.0% 100.0% 10.0% 14 — —");

    const user = await html(`/architectures/${board.architectures.regNet.fingerprint}?suite=regularizers`);
    expect(user).toContain('id="table-1"');
    expect(user).toContain("No model of the paper corresponds to this architecture");
    expect(user).not.toContain("Paper, ");
    expect(table1Row(user, "crop")).toBe("crop random crops 100.0% 99.0% 100.0% 10.0% 3");
  });

  it("draws no Table 1 on a board without ablations", async () => {
    const b = await json("/api/v1/leaderboard?suite=smoke", Leaderboard);
    const page = await html(`/architectures/${b.rows[0]!.architecture.fingerprint}?suite=smoke`);
    expect(page).not.toContain('id="table-1"');
  });
});
