// Slots and what the board ranks, on embedded Postgres (PGlite): one standing result per
// (architecture, task, seed), later results classified as confirmations, contests or replicates,
// moderation promoting and restoring standing results, failed and censored runs counted as not
// fitted, the slowdown's censoring, and the gap ranking of architectures that fit true labels only.
// Expected figures are worked out by hand from the fixtures' curves (smoke suite: 2 SGD steps per epoch).
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { deriveRuns, Leaderboard, type LeaderboardRow, SubmissionReceipt, type Task } from "../../schema/index.js";
import { ADMIN_TOKEN, emptyTables, postBundle, type SignedBundle, signedBundle, signRaw } from "../fixtures/api.js";
import { makePredicate, newSigner, type PredicateOptions } from "../fixtures/bundles.js";
import { usePgliteApp } from "../fixtures/pglite.js";

const pg = usePgliteApp();

async function submit(bundle: SignedBundle | string): Promise<string> {
  const res = await postBundle(pg.app, typeof bundle === "string" ? bundle : bundle.text);
  expect(res.status, await res.clone().text()).toBe(201);
  return SubmissionReceipt.parse(await res.json()).id;
}

async function board(query: string): Promise<Leaderboard> {
  const res = await pg.app.request(`/api/v1/leaderboard?suite=smoke&${query}`);
  expect(res.status).toBe(200);
  return Leaderboard.parse(await res.json());
}

function rowOf(rows: Omit<LeaderboardRow, "rank">[], id: string) {
  const found = rows.find((r) => r.architecture.id === id);
  if (!found) throw new Error(`no row for ${id} among ${rows.map((r) => r.architecture.id).join(", ")}`);
  return found;
}

function moderate(id: string, action: "hide" | "show") {
  return pg.app.request(`/api/v1/submissions/${id}/moderation`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ action, reason: "slot test" }),
  });
}

/** Each run's submission, seed, corruption and role, in acceptance order. */
async function roles(): Promise<{ submission: string; seed: number; kind: string; role: string | null }[]> {
  const result = await pg.handle.db.execute(
    sql`select submission_id as submission, seed, corruption_kind as kind, slot_role as role from runs order by id`,
  );
  return (result as unknown as { rows: { submission: string; seed: number; kind: string; role: string | null }[] })
    .rows;
}

/** Random labels fit at epochs 10, 20, 30 for seeds 0, 1, 2 (20, 40, 60 steps); true labels at 10. */
const bySeed = (task: Task) => (task.corruption.kind === "random" ? 10 * (task.seed + 1) : 10);
const slotNet = { architectures: [{ id: "slot-net" }], fitEpoch: bySeed } satisfies PredicateOptions;

describe("slots: one standing result per architecture, task and seed", () => {
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    await emptyTables(pg.handle);
    ids.first = await submit(await signedBundle({ ...slotNet, seeds: [0, 1, 2] }));
    // Another key sends seed 0 again, identical: two confirmations (true and random labels).
    ids.same = await submit(await signedBundle({ ...slotNet, seeds: [0], signer: await newSigner() }));
    // Seed 1 again on the same backend, random labels fitting at epoch 50 instead of 20: a contest
    // on random labels, a confirmation on true labels (identical there).
    ids.other = await submit(
      await signedBundle({
        ...slotNet,
        seeds: [1],
        signer: await newSigner(),
        fitEpoch: (t) => (t.corruption.kind === "random" ? 50 : 10),
      }),
    );
    // Seed 2 again from another backend: two replicates, whatever its curves say.
    ids.replicate = await submit(
      await signedBundle({ ...slotNet, seeds: [2], signer: await newSigner(), backend: "tensorflow" }),
    );
  });

  it("classifies each later result against the standing one", async () => {
    // Compared as sets: a bundle lists its runs condition by condition, not seed by seed.
    const sorted = (runs: unknown[][]) => runs.map((r) => JSON.stringify(r)).sort();
    const byRun = (await roles()).map((r) => [r.submission, r.seed, r.kind, r.role]);
    expect(sorted(byRun)).toEqual(
      sorted([
        [ids.first, 0, "true", "standing"],
        [ids.first, 0, "random", "standing"],
        [ids.first, 1, "true", "standing"],
        [ids.first, 1, "random", "standing"],
        [ids.first, 2, "true", "standing"],
        [ids.first, 2, "random", "standing"],
        [ids.same, 0, "true", "confirmation"],
        [ids.same, 0, "random", "confirmation"],
        [ids.other, 1, "true", "confirmation"],
        [ids.other, 1, "random", "contest"],
        [ids.replicate, 2, "true", "replicate"],
        [ids.replicate, 2, "random", "replicate"],
      ]),
    );
  });

  it("takes one value per seed: later results add no sample, and the counts say what they are", async () => {
    const row = rowOf((await board("")).rows, "slot-net");
    // Standing steps to fit random labels: 20, 40, 60 (the contest's 100 is not a sample).
    expect(row.stepsToFit).toEqual({
      median: 40,
      q1: 30,
      q3: 50,
      runs: 3,
      censoredRuns: 0,
      failedRuns: 0,
      seeds: 3,
      provisional: false,
    });
    expect(row.counts).toEqual({
      seeds: 3,
      standing: 6,
      confirmations: 3,
      contests: 1,
      replicates: 2,
      reproductions: 0,
      verified: 0,
      failed: 0,
      submissions: 4,
      keys: 4,
    });
  });

  it("lists each run's slot role with the architecture's runs", async () => {
    const res = await pg.app.request(`/api/v1/architectures/${(await board("")).rows[0]!.architecture.fingerprint}`);
    const detail = (await res.json()) as { runs: { submissionId: string; slotRole: string }[] };
    expect(
      detail.runs
        .filter((r) => r.submissionId === ids.other)
        .map((r) => r.slotRole)
        .sort(),
    ).toEqual(["confirmation", "contest"]);
  });

  it("promotes the earliest later result when the standing one is hidden, restores the order when shown", async () => {
    expect((await moderate(ids.first!, "hide")).status).toBe(201);
    const promoted = (await roles()).filter((r) => r.role === "standing").map((r) => [r.submission, r.seed, r.kind]);
    const sorted = (runs: unknown[][]) => runs.map((r) => JSON.stringify(r)).sort();
    expect(sorted(promoted)).toEqual(
      sorted([
        [ids.same, 0, "true"],
        [ids.same, 0, "random"],
        [ids.other, 1, "true"],
        [ids.other, 1, "random"],
        [ids.replicate, 2, "true"],
        [ids.replicate, 2, "random"],
      ]),
    );
    // Standing random-label steps now 20 (seed 0), 100 (seed 1), 60 (seed 2).
    const hidden = rowOf((await board("")).rows, "slot-net");
    expect(hidden.stepsToFit).toMatchObject({ median: 60, runs: 3, seeds: 3 });
    expect(hidden.counts).toMatchObject({ standing: 6, confirmations: 0, contests: 0, replicates: 0, keys: 3 });

    expect((await moderate(ids.first!, "show")).status).toBe(201);
    const restored = (await roles()).map((r) => [r.submission, r.role]);
    expect(restored.filter(([, role]) => role === "standing").every(([id]) => id === ids.first)).toBe(true);
    expect(restored.map(([, role]) => role).sort()).toEqual([
      "confirmation",
      "confirmation",
      "confirmation",
      "contest",
      "replicate",
      "replicate",
      ...Array(6).fill("standing"),
    ]);
    expect(rowOf((await board("")).rows, "slot-net").stepsToFit.median).toBe(40);
  });

  it("keeps one standing result per slot in the database itself", async () => {
    const twice = pg.handle.db.execute(sql`update runs set slot_role = 'standing' where slot_role = 'confirmation'`);
    const error = await twice.then(
      () => null,
      (e: Error) => e,
    );
    // drizzle wraps the driver's error: the constraint is named in its cause.
    expect(String((error?.cause as Error | undefined)?.message)).toMatch(/runs_standing_slot_key/);
  });
});

/** A predicate whose random-label runs of `failedSeeds` failed (NaN loss) after three epochs. */
async function withFailedRuns(options: PredicateOptions, failedSeeds: number[]): Promise<string> {
  const signer = await newSigner();
  const predicate = await makePredicate(signer, options);
  const runs = predicate.runs.map((run) =>
    run.task.corruption.kind === "random" && failedSeeds.includes(run.task.seed)
      ? {
          ...run,
          status: "failed" as const,
          failure: "loss became NaN",
          curve: run.curve.slice(0, 3),
          predictions: null,
          // A failed run has no final weights to measure.
          measures: undefined,
        }
      : run,
  );
  const derived = deriveRuns(runs);
  const consistent = { ...predicate, runs: runs.map((run, i) => ({ ...run, derived: derived[i]! })) };
  return JSON.stringify(await signRaw(consistent, signer));
}

describe("what the board ranks", () => {
  beforeAll(async () => {
    await emptyTables(pg.handle);
    // fits: true labels at 10 epochs, test accuracy 0.8: a gap of 1 − 0.8 = 0.2.
    await submit(await signedBundle({ architectures: [{ id: "fits" }], seeds: [0, 1, 2] }));
    // mean-only learns nothing: true labels never fit. Its final training accuracy is
    // 0.1 + 0.9 · 100/200 = 0.55 (the fixture's censored curve) and its test accuracy is set to
    // 0.55: a gap of 0, which would rank first if it were ranked.
    await submit(
      await signedBundle({
        architectures: [{ id: "mean-only" }],
        seeds: [0, 1, 2],
        fitEpochs: { true: null, random: null },
        testAcc: () => 0.55,
      }),
    );
    // slow: random labels fit at 20 and 40 epochs for seeds 0 and 1, never for seed 2; true
    // labels at 10 for all: slowdowns 2, 4 and +∞.
    await submit(
      await signedBundle({
        architectures: [{ id: "slow" }],
        seeds: [0, 1, 2],
        fitEpoch: (t) => (t.corruption.kind === "true" ? 10 : [20, 40, null][t.seed]!),
      }),
    );
    // half-true: slowdowns 2 and 4 for seeds 0 and 1; seed 2's true labels never fit, so it has none.
    await submit(
      await signedBundle({
        architectures: [{ id: "half-true" }],
        seeds: [0, 1, 2],
        fitEpoch: (t) => (t.corruption.kind === "true" ? [10, 10, null][t.seed]! : [20, 40, null][t.seed]!),
      }),
    );
    // crashy: random labels fit at 10 epochs, but seeds 1 and 2 failed (NaN) on random labels.
    await submit(
      await withFailedRuns({ architectures: [{ id: "crashy" }], seeds: [0, 1, 2], fitEpochs: { random: 10 } }, [1, 2]),
    );
  });

  it("ranks the gap only for architectures that fitted true labels and lists the others unranked", async () => {
    const b = await board("rank=gap");
    // half-true fitted true labels on two seeds of three: its censored median (20, 20, +∞) is 20, so it is ranked.
    expect(b.rows.map((r) => r.architecture.id).sort()).toEqual(["crashy", "fits", "half-true", "slow"]);
    expect(b.total).toBe(4);
    expect(b.rows.every((r) => r.trueLabels === "fitted")).toBe(true);
    expect(b.didNotFit.map((r) => [r.architecture.id, r.trueLabels])).toEqual([["mean-only", "not-fitted"]]);
    // Listed with its figures: the gap of 0 is shown, not ranked.
    expect(rowOf(b.didNotFit, "mean-only").genGap.median).toBeCloseTo(0, 12);
    expect(rowOf(b.rows, "fits").genGap.median).toBeCloseTo(0.2, 12);
    // Ranked by memorization, every architecture is ranked, mean-only included, and nothing is unranked.
    const byMemorization = await board("rank=memorization");
    expect(byMemorization.rows.map((r) => r.architecture.id)).toContain("mean-only");
    expect(rowOf(byMemorization.rows, "mean-only").trueLabels).toBe("not-fitted");
    expect(byMemorization.didNotFit).toEqual([]);
  });

  it("exports the unranked architectures in CSV with no rank", async () => {
    const res = await pg.app.request("/api/v1/leaderboard?suite=smoke&rank=gap&format=csv");
    const [header, ...lines] = (await res.text()).trimEnd().split("\r\n");
    const cells = header!.split(",");
    const rows = lines.map((line) => Object.fromEntries(cells.map((h, i) => [h, line.split(",")[i]])));
    expect(
      rows.filter((r) => r.row_kind === "did-not-fit").map((r) => [r.architecture_id, r.rank, r.true_labels]),
    ).toEqual([["mean-only", "", "not-fitted"]]);
  });

  it("counts a censored random-label run as an infinite slowdown beside a fitted true-label run", async () => {
    // Sorted slowdowns 2, 4, +∞: the median is 4 (skipping the censored seed would give 3).
    expect(rowOf((await board("")).rows, "slow").slowdown).toBe(4);
  });

  it("leaves a seed without slowdown when its true-label run did not fit", async () => {
    // Seed 2 has no slowdown: the median of 2 and 4 is 3.
    expect(rowOf((await board("")).rows, "half-true").slowdown).toBe(3);
  });

  it("counts failed runs as not fitted, and shows them", async () => {
    const crashy = rowOf((await board("")).rows, "crashy");
    // Steps 20, +∞, +∞: the median and both quartiles are censored (dropping the failed runs would give 20).
    expect(crashy.stepsToFit).toEqual({
      median: null,
      q1: null,
      q3: null,
      runs: 3,
      censoredRuns: 2,
      failedRuns: 2,
      seeds: 3,
      provisional: false,
    });
    expect(crashy.counts.failed).toBe(2);
  });
});

describe("slots on native TensorFlow", () => {
  beforeAll(async () => {
    await emptyTables(pg.handle);
  });

  it("replicates rather than contests a different result: tfjs-node is not bit for bit reproducible", async () => {
    const tensorflow = { ...slotNet, seeds: [0], backend: "tensorflow" as const };
    const first = await submit(await signedBundle(tensorflow));
    // The same outcome again confirms; a different one (random labels fit at epoch 12, not 10) replicates.
    const same = await submit(await signedBundle({ ...tensorflow, signer: await newSigner() }));
    const other = await submit(
      await signedBundle({
        ...tensorflow,
        signer: await newSigner(),
        fitEpoch: (t) => (t.corruption.kind === "random" ? 12 : 10),
      }),
    );
    const byRun = (await roles()).map((r) => [r.submission, r.kind, r.role]);
    expect(byRun.map((r) => JSON.stringify(r)).sort()).toEqual(
      [
        [first, "true", "standing"],
        [first, "random", "standing"],
        [same, "true", "confirmation"],
        [same, "random", "confirmation"],
        [other, "true", "confirmation"],
        [other, "random", "replicate"],
      ]
        .map((r) => JSON.stringify(r))
        .sort(),
    );
    expect(rowOf((await board("")).rows, "slot-net").counts).toMatchObject({
      confirmations: 3,
      contests: 0,
      replicates: 1,
    });
  });
});
