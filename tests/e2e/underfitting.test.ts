// A network that learns nothing must not win the generalization-gap ranking. Two real smoke runs
// through the built CLI: the built-in MLP, and a builder module that sees only each image's mean
// intensity (tests/fixtures/models/mean-intensity.mjs), which cannot fit its training digits and
// so has a small gap for the wrong reason. Both go to the API; ranked by gap, the MLP is ranked
// and the other is listed below the ranking as "did not fit true labels", in JSON, CSV and on
// the page.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../api/db/client.js";
import { openDatabase } from "../../api/db/open.js";
import { Leaderboard } from "../../schema/index.js";
import { appOn, postBundle } from "../fixtures/api.js";
import { type CliResult, runCli } from "../fixtures/cli.js";
import { sharedSmokeRun, useSmokeKey } from "../fixtures/smoke-run.js";

const home = mkdtempSync(join(tmpdir(), "rb-underfit-"));
const env = {
  RETHINK_BENCH_CONFIG_DIR: join(home, "config"),
  RETHINK_BENCH_CACHE_DIR: join(home, "cache"),
  RETHINK_BENCH_DATA_DIR: join(home, "data"),
};
const MEAN_INTENSITY = fileURLToPath(new URL("../fixtures/models/mean-intensity.mjs", import.meta.url));

interface Trained {
  fingerprint: string;
  trueTrainAcc: number;
  gap: number;
}

/** Posts the bundle of a smoke run (the suite's first seed, by the built CLI); returns the true-label run. */
async function post(app: ReturnType<typeof appOn>, run: CliResult): Promise<Trained> {
  expect(run.code, run.stderr).toBe(0);
  const { bundle, runs } = JSON.parse(run.stdout) as {
    bundle: string;
    runs: { fingerprint: string; corruption: string; finalTrainAcc: number; genGap: number }[];
  };
  const posted = await postBundle(app, readFileSync(bundle, "utf8"));
  expect(posted.status, await posted.clone().text()).toBe(201);
  const truth = runs.find((r) => r.corruption === "true")!;
  return { fingerprint: truth.fingerprint, trueTrainAcc: truth.finalTrainAcc, gap: truth.genGap };
}

let handle: DatabaseHandle;
let app: ReturnType<typeof appOn>;
let mlp: Trained;
let meanIntensity: Trained;

beforeAll(async () => {
  handle = await openDatabase({ driver: "pglite" });
  app = appOn(handle);
  // The MLP's `run --suite smoke --seed 0 --backend wasm` is trained once for all the files that
  // need it; the mean-intensity network's run is signed with the same key.
  const smoke = await sharedSmokeRun();
  useSmokeKey(smoke, env.RETHINK_BENCH_CONFIG_DIR);
  mlp = await post(app, smoke);
  const args = ["run", "--suite", "smoke", "--seed", "0", "--backend", "wasm", "--model", MEAN_INTENSITY];
  meanIntensity = await post(app, await runCli([...args, "--out", join(home, "mean-intensity"), "--json"], env));
});
afterAll(() => handle?.close());

describe("the generalization-gap ranking", () => {
  it("trains what it says: the MLP fits its true labels, the mean-intensity network does not", () => {
    expect(mlp.trueTrainAcc).toBe(1);
    // Ten classes from one number per image: far from fitting 250 digits.
    expect(meanIntensity.trueTrainAcc).toBeLessThan(0.5);
    // The reason the rule exists: its gap is the smaller of the two.
    expect(meanIntensity.gap).toBeLessThan(mlp.gap);
  });

  it("ranks the MLP and lists the other, unranked, as not having fitted true labels", async () => {
    const res = await app.request("/api/v1/leaderboard?suite=smoke&rank=gap");
    const board = Leaderboard.parse(await res.json());
    expect(board.rows.map((r) => [r.rank, r.architecture.fingerprint, r.trueLabels])).toEqual([
      [1, mlp.fingerprint, "fitted"],
    ]);
    expect(board.total).toBe(1);
    expect(board.didNotFit.map((r) => [r.architecture.fingerprint, r.trueLabels])).toEqual([
      [meanIntensity.fingerprint, "not-fitted"],
    ]);
    // Its figures are still shown: the gap it measured, on the one seed it ran.
    expect(board.didNotFit[0]!.genGap.median).toBeCloseTo(meanIntensity.gap, 12);
  });

  it("ranks both by memorization speed, the one that never fits last", async () => {
    const board = Leaderboard.parse(await (await app.request("/api/v1/leaderboard?suite=smoke")).json());
    expect(board.rows.map((r) => r.architecture.fingerprint)).toEqual([mlp.fingerprint, meanIntensity.fingerprint]);
    expect(board.rows[1]!.stepsToFit.median).toBeNull();
  });

  it("says so on the page", async () => {
    const html = await (await app.request("/?suite=smoke&rank=gap")).text();
    expect(html).toContain("Did not fit true labels");
    expect(html).toContain(meanIntensity.fingerprint);
  });
});
