// `rethink-bench reproduce` on the smoke suite, through the built CLI: an honest bundle
// reproduces exactly and its attestation verifies; a re-signed bundle whose curve was altered at
// one middle epoch is caught at that run, epoch and metric; --runs and --sample choose runs; an
// interrupted reproduction resumes without training a finished run again.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openBundle, type ResultPredicate, taskKey } from "../../schema/index.js";
import { newSigner, signRaw } from "../fixtures/bundles.js";
import { runCli, startCli, stopCli } from "../fixtures/cli.js";
import { sharedSmokeRun, useSmokeKey } from "../fixtures/smoke-run.js";

const root = mkdtempSync(join(tmpdir(), "rb-reproduce-"));
/** A submitter and a reproducer: separate keys, separate outboxes. */
const submitter = { RETHINK_BENCH_CONFIG_DIR: join(root, "submitter"), RETHINK_BENCH_DATA_DIR: join(root, "data-s") };
const reproducer = { RETHINK_BENCH_CONFIG_DIR: join(root, "reproducer"), RETHINK_BENCH_DATA_DIR: join(root, "data-r") };

let bundle: string;
let predicate: ResultPredicate;

interface ReproductionJson {
  submissionId: string;
  mode: string;
  attestation: string;
  runs: { position: number; task: string; verdict: string; firstDivergence: unknown }[];
}

/** The `[i/N] start <task>` lines of run progress: one per run that trained. */
const started = (stderr: string) => stderr.match(/^\[\s*\d+\/\d+\] start /gm)?.length ?? 0;

beforeAll(async () => {
  // The submitter's `run --suite smoke --seed 0` (on wasm, as on every machine without tfjs-node),
  // trained once for all the files that need it; the submitter holds the key that signed it.
  const run = await sharedSmokeRun();
  expect(run.code, run.stderr).toBe(0);
  useSmokeKey(run, submitter.RETHINK_BENCH_CONFIG_DIR);
  bundle = run.bundle;
  const opened = await openBundle(readFileSync(bundle, "utf8"));
  if (!opened.ok) throw new Error(opened.detail);
  predicate = opened.statement.predicate;
});

describe("reproduce", () => {
  it("reproduces an honest bundle exactly, and the attestation verifies against it", async () => {
    const out = join(root, "honest");
    const result = await runCli(["reproduce", bundle, "--out", out], reproducer);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("comparing exactly, bit for bit");
    expect(started(result.stderr)).toBe(2);
    expect(result.stdout).toContain("reproduced exactly: 2 of 2 runs");
    const attestation = join(out, readdirSync(out).find((f) => f.startsWith("reproduction-sub_"))!);

    const verify = await runCli(["verify", attestation, bundle], reproducer);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toMatch(
      /^OK {4}.*: reproduction of sub_[0-9a-f]{32} by [0-9a-f]{16}… · 2 exact, 0 not reproduced · wasm · verdicts checked against /m,
    );
  });

  it("names the run, epoch and metric where a re-signed bundle's curve departs, and exits 1", async () => {
    // A hostile submitter changes one middle epoch's training loss of the random-label run and
    // signs with their own key: the final predictions and every derived figure still agree, so
    // the bundle verifies; only training it again shows the curve was not measured.
    const signer = await newSigner();
    const altered = structuredClone(predicate);
    altered.submitter = { publicKey: signer.publicKey, keyid: signer.keyid };
    const position = altered.runs.findIndex((r) => r.task.corruption.kind === "random");
    const curve = altered.runs[position]!.curve;
    const epoch = Math.ceil(curve.length / 2);
    const honest = curve[epoch - 1]!.trainLoss;
    const forged = honest * 0.999;
    curve[epoch - 1] = { ...curve[epoch - 1]!, trainLoss: forged };
    const file = join(root, "forged.dsse.json");
    writeFileSync(file, JSON.stringify(await signRaw(altered, signer)));
    const check = await runCli(["verify", file], reproducer);
    expect(check.code, check.stdout).toBe(0);

    const out = join(root, "forged");
    const result = await runCli(["reproduce", file, "--runs", String(position), "--out", out, "--json"], reproducer);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain("1 of 1 run did not reproduce");
    const report = JSON.parse(result.stdout) as ReproductionJson;
    expect(report.runs).toEqual([
      {
        position,
        task: taskKey(altered.runs[position]!.task),
        verdict: "not-reproduced",
        firstDivergence: { epoch, metric: "trainLoss", original: forged, reproduced: honest },
      },
    ]);
    // The negative verdict is signed and written, and it stands against the forged original.
    const verify = await runCli(["verify", report.attestation, file], reproducer);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toContain("0 exact, 1 not reproduced");

    const table = await runCli(["reproduce", file, "--runs", String(position), "--out", out], reproducer);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(new RegExp(`epoch ${epoch} trainLoss: original \\S+ reproduced \\S+`));
    expect(table.stdout).toContain("reproduced exactly: 0 of 1 run");
  });

  it("trains only the runs --runs and --sample choose, the same sample for the same seed", async () => {
    const out = join(root, "honest");
    const positions = async (...args: string[]) => {
      const result = await runCli(["reproduce", bundle, "--out", out, "--json", ...args], reproducer);
      expect(result.code, result.stderr).toBe(0);
      return (JSON.parse(result.stdout) as ReproductionJson).runs.map((r) => r.position);
    };
    expect(await positions("--runs", "1")).toEqual([1]);
    expect(await positions("--runs", "0-1")).toEqual([0, 1]);
    const sample = await positions("--sample", "1", "--sample-seed", "11");
    expect(sample).toHaveLength(1);
    expect([0, 1]).toContain(sample[0]);
    // Another key with the same seed draws the same sample of the same submission.
    const args = ["reproduce", bundle, "--out", out, "--json", "--sample", "1", "--sample-seed", "11"];
    const other = await runCli(args, submitter);
    expect((JSON.parse(other.stdout) as ReproductionJson).runs.map((r) => r.position)).toEqual(sample);
    // Without a seed one is drawn and printed, so the draw can be repeated.
    const drawn = await runCli(["reproduce", bundle, "--out", out, "--json", "--sample", "1"], reproducer);
    const seed = /--sample-seed (\d+) draws the same ones again/.exec(drawn.stderr)?.[1];
    expect(seed, drawn.stderr).toBeDefined();
    const again = await positions("--sample", "1", "--sample-seed", seed!);
    expect(again).toEqual((JSON.parse(drawn.stdout) as ReproductionJson).runs.map((r) => r.position));
    expect(await positions("--sample", "5")).toEqual([0, 1]);
    const bad = await runCli(["reproduce", bundle, "--out", out, "--runs", "2"], reproducer);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("the submission has 2 runs (positions 0 to 1), no run 2");
  });

  it("resumes an interrupted reproduction without training a finished run again", async () => {
    const out = join(root, "interrupted");
    const args = ["reproduce", bundle, "--out", out, "--workers", "1"];
    const first = await startCli(args, /^\[1\/2\] mlp-1x512\S+: /m, reproducer);
    expect(await stopCli(first, "SIGINT")).toBe(130);
    expect(first.stderr()).toContain("1 of 2 runs are saved");
    const second = await runCli(args, reproducer);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain("1 of 2 runs already finished");
    expect(started(second.stderr)).toBe(1);
    expect(second.stdout).toContain("reproduced exactly: 2 of 2 runs");
  });

  it("leaves a run this machine could not train out of the attestation, and trains it again next time", async () => {
    // A run that ran out of memory here says nothing about the original: signing it as "not
    // reproduced" would let an operator's full disk or small GPU hide an honest result.
    const out = join(root, "out-of-memory");
    const args = ["reproduce", bundle, "--out", out, "--json"];
    expect((await runCli(args, reproducer)).code).toBe(0);
    const [store] = readdirSync(join(out, ".runs"));
    const runsDir = join(out, ".runs", store!, "runs");
    const file = join(runsDir, readdirSync(runsDir).find((f) => f.endsWith(".json"))!);
    const stored = JSON.parse(readFileSync(file, "utf8")) as { run: ResultPredicate["runs"][number] };
    const position = predicate.runs.findIndex((r) => taskKey(r.task) === taskKey(stored.run.task));
    const failure = "out of memory in epoch 2: Cannot enlarge memory arrays";
    // A failed run has no final weights, so no measures (undefined: JSON leaves the key out).
    const curve = stored.run.curve.slice(0, 1);
    const run = { ...stored.run, status: "failed", failure, curve, predictions: null, measures: undefined };
    writeFileSync(file, JSON.stringify({ ...stored, run }));

    const partial = await runCli(args, reproducer);
    expect(partial.code, partial.stderr).toBe(3);
    expect(partial.stderr).toContain(`run ${position} could not be trained on this machine (${failure})`);
    const report = JSON.parse(partial.stdout) as ReproductionJson & { unfinished: unknown };
    expect(report.runs.map((r) => [r.position, r.verdict])).toEqual([[1 - position, "exact"]]);
    expect(report.unfinished).toEqual([{ position, failure }]);
    // The failed file was set aside, not deleted, and the next invocation trains that run again.
    expect(readdirSync(runsDir).some((f) => f.includes(".machine-failure-"))).toBe(true);
    const again = await runCli(args, reproducer);
    expect(again.code, again.stderr).toBe(0);
    expect(started(again.stderr)).toBe(1);
    expect((JSON.parse(again.stdout) as ReproductionJson).runs.map((r) => r.verdict)).toEqual(["exact", "exact"]);
  });
});
