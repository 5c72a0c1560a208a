// The board's read path over stored rows (board_rows, board_totals, boards) on embedded Postgres:
// pages, ranks and totals against a competition ranking worked out here in plain TypeScript,
// on rows written directly so that ties, censored (+∞) and missing (NaN) keys come in numbers.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../api/db/client.js";
import { openDatabase } from "../../api/db/open.js";
import { queryBaselines, queryLeaderboard, queryStanding } from "../../api/db/queries/leaderboard.js";
import { countBoards } from "../../api/db/queries/runs.js";
import { architectures, boardRows, boards, boardTotals, type RankMetric } from "../../schema/index.js";
import { emptyTables } from "../fixtures/api.js";

let handle: DatabaseHandle;

const BOARD = { suiteId: "smoke", suiteVersion: 1, dataset: "mnist" } as const;
const BACKENDS = ["", "tensorflow"] as const;

interface Stored {
  fingerprint: string;
  backend: string;
  baseline: boolean;
  memorizationKey: number;
  fitsTrueLabels: boolean;
  gapKey: number;
}

/** A small deterministic generator (a linear congruence), so a failure reproduces. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/**
 * 400 architectures, most on both scopes: memorization keys from 12 values (many ties), some
 * +∞ (censored) and NaN (no runs); gap keys from 8 values and NaN; a few baselines.
 */
function storedRows(): Stored[] {
  const random = generator(16);
  const rows: Stored[] = [];
  for (let i = 0; i < 400; i++) {
    // Digits of one length: every collation orders them as plain strings compare.
    const fingerprint = `${String(Math.floor(random() * 1e6)).padStart(6, "0")}${String(i).padStart(4, "0")}`;
    const u = random();
    const memorizationKey =
      u < 0.08 ? Number.NaN : u < 0.2 ? Number.POSITIVE_INFINITY : 100 * Math.floor(random() * 12);
    const gapKey = random() < 0.06 ? Number.NaN : Math.floor(random() * 8) / 20;
    const fitsTrueLabels = random() < 0.7;
    const baseline = random() < 0.03;
    for (const backend of BACKENDS)
      if (backend === "" || random() < 0.6)
        rows.push({ fingerprint, backend, baseline, memorizationKey, fitsTrueLabels, gapKey });
  }
  return rows;
}

const rows = storedRows();

/** Stand-in figures: enough to tell a row's own figures and its metric's `provisional` apart. */
function figuresOf(row: Stored) {
  return {
    stepsToFit: { provisional: row.memorizationKey > 500 },
    genGap: { provisional: row.gapKey > 0.2 },
    marker: row.fingerprint,
  };
}

/** Postgres's float8 order: NaN after +∞ and equal to itself. */
function compareKeys(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number(Number.isNaN(a)) - Number(Number.isNaN(b));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The ranking the way rank() ranked it: in key order, then fingerprint; rank = 1 + rows of a smaller key. */
function expectedRanking(backend: string, metric: RankMetric): { fingerprint: string; rank: number }[] {
  const key = (r: Stored) => (metric === "gap" ? r.gapKey : r.memorizationKey);
  const ranked = rows
    .filter((r) => r.backend === backend && !r.baseline && (metric === "memorization" || r.fitsTrueLabels))
    .sort((a, b) => compareKeys(key(a), key(b)) || (a.fingerprint < b.fingerprint ? -1 : 1));
  return ranked.map((r) => ({
    fingerprint: r.fingerprint,
    rank: 1 + ranked.filter((other) => compareKeys(key(other), key(r)) < 0).length,
  }));
}

beforeAll(async () => {
  handle = await openDatabase({ driver: "pglite" });
  await emptyTables(handle);
  const { db } = handle;
  const fingerprints = [...new Set(rows.map((r) => r.fingerprint))];
  await db.insert(architectures).values(
    fingerprints.map((fingerprint) => ({
      fingerprint,
      slug: `id-${fingerprint}`,
      name: `name ${fingerprint}`,
      kind: rows.find((r) => r.fingerprint === fingerprint)?.baseline ? ("kernel" as const) : ("builtin" as const),
      inputShape: [28, 28, 1] as [number, number, number],
      parameterCount: 10,
      topology: {},
    })),
  );
  await db.insert(boardRows).values(
    rows.map((r) => ({
      suiteId: BOARD.suiteId,
      suiteVersion: BOARD.suiteVersion,
      datasetId: BOARD.dataset,
      backend: r.backend,
      verifiedOnly: false,
      architectureFingerprint: r.fingerprint,
      baseline: r.baseline,
      memorizationKey: r.memorizationKey,
      fitsTrueLabels: r.fitsTrueLabels,
      gapKey: r.gapKey,
      figures: figuresOf(r),
    })),
  );
  for (const backend of BACKENDS) {
    const scope = rows.filter((r) => r.backend === backend);
    await db.insert(boardTotals).values({
      suiteId: BOARD.suiteId,
      suiteVersion: BOARD.suiteVersion,
      datasetId: BOARD.dataset,
      backend,
      verifiedOnly: false,
      architectures: scope.length,
      ranked: scope.filter((r) => !r.baseline).length,
      fitted: scope.filter((r) => !r.baseline && r.fitsTrueLabels).length,
    });
  }
  await db
    .insert(boards)
    .values({ suiteId: BOARD.suiteId, suiteVersion: BOARD.suiteVersion, datasetId: BOARD.dataset, submissions: 7 });
});

afterAll(() => handle?.close());

describe("a board read from its stored rows", () => {
  it("stores NaN and +∞ keys as such (what the expected ranking assumes)", async () => {
    const result = (await handle.db.execute(
      sql`select count(*) filter (where memorization_key = 'NaN')::int as nan,
        count(*) filter (where memorization_key = 'Infinity')::int as inf from board_rows`,
    )) as unknown as { rows: { nan: number; inf: number }[] };
    const [counts] = result.rows;
    expect(counts?.nan).toBe(rows.filter((r) => Number.isNaN(r.memorizationKey)).length);
    expect(counts?.inf).toBe(rows.filter((r) => r.memorizationKey === Number.POSITIVE_INFINITY).length);
    expect(counts?.nan).toBeGreaterThan(1);
  });

  for (const backend of BACKENDS)
    for (const metric of ["memorization", "gap"] as const)
      it(`pages the ${metric} ranking${backend ? ` of ${backend}` : ""} with competition ranks at any offset`, async () => {
        const expected = expectedRanking(backend, metric);
        // Offsets that start inside a run of ties, at the censored and NaN rows at the end, and past it.
        const offsets = [0, 1, 17, 60, 123, expected.length - 25, expected.length - 1, expected.length];
        for (const offset of offsets) {
          const page = await queryLeaderboard(handle.db, {
            ...BOARD,
            rank: metric,
            backend: backend === "" ? undefined : (backend as "tensorflow"),
            limit: 20,
            offset,
          });
          const want = expected.slice(offset, offset + 20);
          expect(page.total, `total at offset ${offset}`).toBe(expected.length);
          expect(
            page.rows.map((r) => [r.architecture.fingerprint, r.rank]),
            `page at offset ${offset}`,
          ).toEqual(want.map((r) => [r.fingerprint, r.rank]));
          for (const r of page.rows) {
            const figures = r as unknown as ReturnType<typeof figuresOf>;
            expect(figures.marker).toBe(r.architecture.fingerprint);
            expect(r.architecture.id).toBe(`id-${r.architecture.fingerprint}`);
            expect(r.provisional).toBe(metric === "gap" ? figures.genGap.provisional : figures.stepsToFit.provisional);
          }
        }
        // The ties really are there: some rank is shared, and the last ranks are one tie (the NaN rows).
        const ranks = expected.map((r) => r.rank);
        expect(new Set(ranks).size).toBeLessThan(ranks.length);
      });

  it("answers the total past the end, and an empty scope with nothing", async () => {
    const past = await queryLeaderboard(handle.db, { ...BOARD, rank: "gap", limit: 20, offset: 10_000 });
    expect(past).toEqual({ rows: [], total: expectedRanking("", "gap").length });
    const none = await queryLeaderboard(handle.db, {
      ...BOARD,
      rank: "memorization",
      backend: "wasm",
      limit: 20,
      offset: 0,
    });
    expect(none).toEqual({ rows: [], total: 0 });
  });

  it("gives an architecture's standing the rank its page gives it, and none to a baseline", async () => {
    const byMemorization = expectedRanking("tensorflow", "memorization");
    const byGap = new Map(expectedRanking("tensorflow", "gap").map((r) => [r.fingerprint, r.rank]));
    const probes = [byMemorization[0], byMemorization[90], byMemorization.at(-1)].map((r) => r?.fingerprint ?? "");
    const unfitted = rows.find((r) => r.backend === "tensorflow" && !r.baseline && !r.fitsTrueLabels);
    for (const fingerprint of [...probes, unfitted?.fingerprint ?? ""]) {
      const standing = await queryStanding(handle.db, fingerprint, { ...BOARD, backend: "tensorflow" });
      expect(standing.memorization?.rank).toBe(byMemorization.find((r) => r.fingerprint === fingerprint)?.rank);
      expect(standing.gap?.rank ?? null).toBe(byGap.get(fingerprint) ?? null);
      expect(standing.unrankedByGap === null).toBe(byGap.has(fingerprint));
      expect(standing.total).toBe(byMemorization.length);
      expect(standing.fittedTotal).toBe(byGap.size);
    }
    const baseline = rows.find((r) => r.baseline && r.backend === "");
    const standing = await queryStanding(handle.db, baseline?.fingerprint ?? "", BOARD);
    expect(standing).toEqual({ memorization: null, gap: null, unrankedByGap: null, total: 0, fittedTotal: 0 });
  });

  it("lists baselines by gap key whether or not they fit, with their current name", async () => {
    const expected = rows
      .filter((r) => r.baseline && r.backend === "")
      .sort((a, b) => compareKeys(a.gapKey, b.gapKey) || (a.fingerprint < b.fingerprint ? -1 : 1));
    expect(new Set(expected.map((r) => r.fitsTrueLabels)).size).toBe(2);
    const first = expected[0]?.fingerprint ?? "";
    // A rename touches architectures only: the read joins it, so no stored row is recomputed.
    await handle.db.execute(sql`update architectures set name = 'renamed' where fingerprint = ${first}`);
    const baselines = await queryBaselines(handle.db, BOARD);
    expect(baselines.map((b) => b.architecture.fingerprint)).toEqual(expected.map((r) => r.fingerprint));
    expect(baselines[0]?.architecture.name).toBe("renamed");
  });

  it("counts boards from the stored totals", async () => {
    expect(await countBoards(handle.db)).toEqual([
      {
        suite: { id: BOARD.suiteId, version: BOARD.suiteVersion },
        dataset: BOARD.dataset,
        architectures: rows.filter((r) => r.backend === "").length,
        submissions: 7,
      },
    ]);
  });
});
