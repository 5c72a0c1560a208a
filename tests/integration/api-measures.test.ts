// Past 350 lines on purpose: one seeded board serves every case of the endpoint and the refusals.
// GET /api/v1/leaderboard/measures on embedded Postgres (PGlite): a board's standing ok runs with
// the measures their bundles carried, paged, filtered and exported as CSV; and the submissions
// whose measures contradict what the server knows, refused with a message that says why.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryBoardMeasures } from "../../api/db/queries/board-measures.js";
import {
  ArchitectureDetail,
  type BoardMeasureRun,
  BoardMeasures,
  MEASURES,
  type ResultPredicate,
  SubmissionReceipt,
} from "../../schema/index.js";
import { ADMIN_TOKEN, countRows, postBundle, type SignedBundle, signedBundle } from "../fixtures/api.js";
import { newSigner } from "../fixtures/bundles.js";
import { expectProblem, usePgliteApp } from "../fixtures/pglite.js";

const pg = usePgliteApp();

/** Every bundle stored in beforeAll, by name, with the id the server gave it. */
const stored: Record<string, { id: string; bundle: SignedBundle }> = {};

async function store(name: string, bundle: SignedBundle): Promise<void> {
  const res = await postBundle(pg.app, bundle.text);
  expect(res.status, await res.clone().text()).toBe(201);
  stored[name] = { id: SubmissionReceipt.parse(await res.json()).id, bundle };
}

async function measures(query: string): Promise<BoardMeasures> {
  const res = await pg.app.request(`/api/v1/leaderboard/measures?${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return BoardMeasures.parse(await res.json());
}

/** What the board must show for a stored bundle's ok runs, read from the bundle itself. */
function expectedRuns(name: string): BoardMeasureRun[] {
  const { id, bundle } = stored[name]!;
  const predicate: ResultPredicate = bundle.predicate;
  return predicate.runs.flatMap((run, position) => {
    if (run.status !== "ok" || !run.measures) return [];
    const architecture = predicate.architectures.find((a) => a.fingerprint === run.architectureFingerprint)!;
    const last = run.curve.at(-1)!;
    const { corruption } = run.task;
    return [
      {
        submissionId: id,
        position,
        architecture: {
          fingerprint: architecture.fingerprint,
          name: architecture.name,
          parameterCount: architecture.parameterCount,
        },
        backend: predicate.environment.backend,
        corruption,
        corruptionLevel: corruption.kind === "true" ? 0 : corruption.kind === "random" ? 1 : null,
        regularizer: run.task.regularizer.name,
        seed: run.task.seed,
        finalTrainAcc: last.trainAcc,
        finalTestAcc: last.testAcc,
        genGap: last.trainAcc - last.testAcc,
        measures: run.measures,
      },
    ];
  });
}

/** The endpoint's documented order: architecture fingerprint, corruption kind, p, regularizer, seed. */
function inBoardOrder(runs: BoardMeasureRun[]): BoardMeasureRun[] {
  const key = (r: BoardMeasureRun) => [
    r.architecture.fingerprint,
    r.corruption.kind,
    r.corruption.kind === "partial" ? r.corruption.p : -1,
    r.regularizer,
    r.seed,
  ];
  return [...runs].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) if (ka[i]! !== kb[i]!) return ka[i]! < kb[i]! ? -1 : 1;
    return 0;
  });
}

beforeAll(async () => {
  const [ada, bob] = [await newSigner(), await newSigner()];
  // Measures that differ per seed, so that a run shown under the wrong slot would not match.
  const bySeed =
    (offset: number) => (task: { seed: number }, m: NonNullable<ResultPredicate["runs"][0]["measures"]>) => ({
      ...m,
      frobeniusSquared: m.frobeniusSquared + 10 * task.seed + offset,
    });
  await store(
    "x",
    await signedBundle({ signer: ada, architectures: [{ id: "arch-x" }], seeds: [0, 1], measures: bySeed(0) }),
  );
  await store(
    "y",
    await signedBundle({
      signer: bob,
      architectures: [{ id: "arch-y", hiddenUnits: 64 }],
      seeds: [0],
      backend: "tensorflow",
      measures: bySeed(1),
    }),
  );
  // arch-x seed 0 again, other measures: a later result of standing slots, never shown.
  await store(
    "x-again",
    await signedBundle({ signer: bob, architectures: [{ id: "arch-x" }], seeds: [0], measures: bySeed(5) }),
  );
  // arch-y seed 1: its random-label run failed, so it has no measures and is not shown.
  await store(
    "y-failed",
    await signedBundle({
      signer: bob,
      architectures: [{ id: "arch-y", hiddenUnits: 64 }],
      seeds: [1],
      backend: "tensorflow",
      failed: (task) => task.corruption.kind === "random",
      measures: bySeed(2),
    }),
  );
  await store("z", await signedBundle({ signer: ada, architectures: [{ id: "arch-z", hiddenUnits: 32 }], seeds: [2] }));
});

describe("GET /api/v1/leaderboard/measures", () => {
  it("lists every standing ok run with the measures its bundle carried, in the board's order", async () => {
    const board = await measures("suite=smoke");
    const expected = inBoardOrder(["x", "y", "y-failed", "z"].flatMap(expectedRuns));
    // 2 seeds × 2 conditions of arch-x, 2 of arch-y seed 0, 1 of arch-y seed 1 (the other failed), 2 of arch-z.
    expect(expected).toHaveLength(9);
    expect(board).toEqual({
      suite: { id: "smoke", version: 3 },
      dataset: "mnist-10k",
      backend: null,
      verifiedOnly: false,
      total: 9,
      runs: expected,
      nextCursor: null,
    });
    // The later result of arch-x seed 0 carried other measures: none of them is on the board.
    const later = new Set(expectedRuns("x-again").map((r) => r.measures.frobeniusSquared));
    expect(board.runs.filter((r) => later.has(r.measures.frobeniusSquared))).toEqual([]);
  });

  it("narrows to the architectures the insight page shows of a large board", async () => {
    const x = stored.x!.bundle.predicate.architectures[0]!.fingerprint;
    const z = stored.z!.bundle.predicate.architectures[0]!.fingerprint;
    const narrowed = await queryBoardMeasures(pg.handle.db, {
      suiteId: "smoke",
      suiteVersion: 3,
      dataset: "mnist-10k",
      architectures: [x, z],
    });
    expect(narrowed?.runs).toEqual(inBoardOrder(["x", "z"].flatMap(expectedRuns)));
    expect(narrowed?.total).toBe(6);
  });

  it("pages with a cursor that neither skips nor repeats a run, and refuses a forged one", async () => {
    const all = (await measures("suite=smoke")).runs;
    const pages: BoardMeasureRun[][] = [];
    let query = "suite=smoke&limit=4";
    for (;;) {
      const page = await measures(query);
      expect(page.total).toBe(9);
      pages.push(page.runs);
      if (page.nextCursor === null) break;
      query = `suite=smoke&limit=4&cursor=${encodeURIComponent(page.nextCursor)}`;
    }
    expect(pages.map((p) => p.length)).toEqual([4, 4, 1]);
    expect(pages.flat()).toEqual(all);
    const forged = await expectProblem(
      pg.app.request("/api/v1/leaderboard/measures?suite=smoke&cursor=eyJvZmZzZXQiOjB9"),
      400,
      "invalid-request",
    );
    expect(forged.errors?.[0]?.path).toBe("query.cursor");
  });

  it("takes the leaderboard's scope: backend, verified results only, an empty board, unknown boards refused", async () => {
    const tensorflow = await measures("suite=smoke&backend=tensorflow");
    expect(tensorflow.backend).toBe("tensorflow");
    expect(tensorflow.runs).toEqual(inBoardOrder([...expectedRuns("y"), ...expectedRuns("y-failed")]));
    expect(tensorflow.total).toBe(3);

    expect(await measures("suite=smoke&verified=only")).toMatchObject({ verifiedOnly: true, total: 0, runs: [] });
    // An operator's exact reproduction sets this flag (api/db/queries/reproductions.ts); set here directly.
    await pg.handle.db.execute(sql`update runs set verified = true where submission_id = ${stored.z!.id}`);
    try {
      const verified = await measures("suite=smoke&verified=only");
      expect(verified.runs).toEqual(inBoardOrder(expectedRuns("z")));
    } finally {
      await pg.handle.db.execute(sql`update runs set verified = false where submission_id = ${stored.z!.id}`);
    }

    expect(await measures("suite=quick")).toMatchObject({
      suite: { id: "quick", version: 2 },
      total: 0,
      runs: [],
      nextCursor: null,
    });
    for (const [query, path] of [
      ["suite=nope", "query.suite"],
      ["suite=smoke&version=9", "query.version"],
      ["suite=smoke&dataset=cifar10", "query.dataset"],
      ["suite=smoke&backend=abacus", "query.backend"],
    ]) {
      const problem = await expectProblem(pg.app.request(`/api/v1/leaderboard/measures?${query}`), 400);
      expect(problem.errors?.[0]?.path, query).toBe(path);
    }
  });

  it("exports CSV with one column per measure, cached like the board", async () => {
    const res = await pg.app.request("/api/v1/leaderboard/measures?suite=smoke&backend=tensorflow&format=csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(
      'attachment; filename="measures-smoke-v3-mnist-10k-tensorflow.csv"',
    );
    expect(res.headers.get("cache-control")).toBe("public, max-age=5, s-maxage=10");
    const [header, ...lines] = (await res.text()).split("\r\n");
    expect(header!.split(",")).toEqual([
      "suite_id",
      "suite_version",
      "dataset",
      "submission_id",
      "position",
      "architecture_fingerprint",
      "architecture_name",
      "backend",
      "corruption",
      "corruption_p",
      "corruption_level",
      "regularizer",
      "seed",
      "final_train_acc",
      "final_test_acc",
      "gen_gap",
      "parameter_count",
      "frobenius_squared",
      "distance_from_init",
      "log_spectral_product",
      "log_spectral_over_margin",
      "log_path_l2",
      "margin",
      "flatness_sigma",
      "adversarial_sharpness",
      "measures_seconds",
    ]);
    expect(lines.at(-1)).toBe("");
    const expected = inBoardOrder([...expectedRuns("y"), ...expectedRuns("y-failed")]);
    expect(lines.slice(0, -1)).toEqual(
      expected.map((r) =>
        [
          "smoke",
          3,
          "mnist-10k",
          r.submissionId,
          r.position,
          r.architecture.fingerprint,
          r.architecture.name,
          "tensorflow",
          r.corruption.kind,
          "",
          r.corruptionLevel,
          r.regularizer,
          r.seed,
          r.finalTrainAcc,
          r.finalTestAcc,
          r.genGap,
          ...MEASURES.map((m) => r.measures[m.key] ?? ""),
          r.measures.seconds,
        ].join(","),
      ),
    );
  });

  it("pages CSV by a Link header to the next page, none on the last", async () => {
    const expected = inBoardOrder(["x", "y", "y-failed", "z"].flatMap(expectedRuns)).map(
      (r) => `${r.submissionId},${r.position}`,
    );
    const pages: string[][] = [];
    const links: (string | null)[] = [];
    let url: string | null = "/api/v1/leaderboard/measures?suite=smoke&limit=4&format=csv";
    while (url !== null && pages.length < 5) {
      const res = await pg.app.request(url);
      expect(res.status, url).toBe(200);
      const link = res.headers.get("link");
      links.push(link);
      const [header, ...lines] = (await res.text()).split("\r\n");
      expect(header!.startsWith("suite_id,")).toBe(true);
      // submission_id and position (columns 4 and 5) name the run.
      pages.push(lines.filter((line) => line !== "").map((line) => line.split(",").slice(3, 5).join(",")));
      if (link === null) url = null;
      else {
        const match = /^<([^>]+)>; rel="next"$/.exec(link);
        expect(match, link).not.toBeNull();
        url = match![1]!;
        const next = new URL(url, "http://localhost");
        expect(next.pathname).toBe("/api/v1/leaderboard/measures");
        expect(Object.fromEntries([...next.searchParams].filter(([k]) => k !== "cursor"))).toEqual({
          suite: "smoke",
          limit: "4",
          format: "csv",
        });
        expect(next.searchParams.get("cursor")).not.toBeNull();
      }
    }
    expect(pages.map((p) => p.length)).toEqual([4, 4, 1]);
    expect(pages.flat()).toEqual(expected);
    expect(links.map((l) => l !== null)).toEqual([true, true, false]);
  });

  it("gives each run's measures on its architecture's page, null on a failed run", async () => {
    const fingerprint = stored["y-failed"]!.bundle.predicate.architectures[0]!.fingerprint;
    const res = await pg.app.request(`/api/v1/architectures/${fingerprint}?suite=smoke`);
    expect(res.status).toBe(200);
    const detail = ArchitectureDetail.parse(await res.json());
    const byRun = (submissionId: string, seed: number, kind: string) =>
      detail.runs.find((r) => r.submissionId === submissionId && r.seed === seed && r.corruption.kind === kind)!;
    const y = stored.y!;
    for (const run of y.bundle.predicate.runs)
      expect(byRun(y.id, run.task.seed, run.task.corruption.kind).measures).toEqual(run.measures);
    const failed = stored["y-failed"]!;
    expect(byRun(failed.id, 1, "random")).toMatchObject({ status: "failed", measures: null });
    expect(byRun(failed.id, 1, "true").measures).toEqual(
      failed.bundle.predicate.runs.find((r) => r.task.corruption.kind === "true")!.measures,
    );
  });

  it("leaves out a hidden submission's runs, and shows them again when it is shown", async () => {
    const moderate = (action: string) =>
      pg.app.request(`/api/v1/submissions/${stored.z!.id}/moderation`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ action, reason: "test of moderation" }),
      });
    expect((await moderate("hide")).status).toBe(201);
    const hidden = await measures("suite=smoke");
    expect(hidden.total).toBe(7);
    expect(hidden.runs.filter((r) => r.submissionId === stored.z!.id)).toEqual([]);
    expect((await moderate("show")).status).toBe(201);
    expect((await measures("suite=smoke")).runs).toEqual(
      inBoardOrder(["x", "y", "y-failed", "z"].flatMap(expectedRuns)),
    );
  });
});

describe("POST /api/v1/submissions with measures that contradict the server", () => {
  async function expectRefused(bundle: SignedBundle, code: string): Promise<string> {
    const before = await countRows(pg.handle);
    const problem = await expectProblem(postBundle(pg.app, bundle.text), 422, code);
    expect(await countRows(pg.handle)).toEqual(before);
    return problem.detail ?? "";
  }

  it("refuses a parameter count other than the architecture's", async () => {
    const bundle = await signedBundle({ measures: (_, m) => ({ ...m, parameterCount: m.parameterCount + 1 }) });
    const count = bundle.predicate.architectures[0]!.parameterCount;
    expect(await expectRefused(bundle, "protocol-violation")).toContain(
      `parameterCount is ${count + 1}, but the architecture has ${count} parameters`,
    );
  });

  it("refuses a negative margin on a run whose predictions get every training example right", async () => {
    const bundle = await signedBundle({
      measures: (task, m) =>
        task.corruption.kind === "true" ? { ...m, margin: -0.5, logSpectralOverMargin: null } : m,
    });
    // The fixture's runs fit: their final predictions get all 250 training examples right.
    expect(bundle.predicate.runs.every((r) => r.curve.at(-1)!.trainAcc === 1)).toBe(true);
    expect(await expectRefused(bundle, "wrong-score")).toContain(
      "margin is -0.5, but the predictions get only 0 of 250 training examples wrong, " +
        "so the 0.1 quantile of the margins cannot be negative",
    );
  });

  it("refuses an ok run without measures in a suite that records them", async () => {
    const bundle = await signedBundle({ measures: () => undefined });
    expect(await expectRefused(bundle, "protocol-violation")).toContain(
      "records complexity measures on every run; this run has none",
    );
  });
});
