// `tasks export` → `python3 worker.py` (a bare child process: no Node.js on its PATH) → `tasks import`
// on the smoke suite: the bundle verifies and the leaderboard ranks it; a missing, tampered or
// mixed-engine result is refused naming its task; both ends can be run again without redoing work;
// and the runs are those `run --engine torch` trains, bit for bit apart from the timings.
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../api/db/client.js";
import { openDatabase } from "../../api/db/open.js";
import type { TorchResult } from "../../runner/torch/task-files.js";
import {
  decodeClasses,
  Leaderboard,
  openBundle,
  type ResultPredicate,
  SubmissionReceipt,
  taskKey,
} from "../../schema/index.js";
import { appOn, emptyTables, postBundle } from "../fixtures/api.js";
import { type CliResult, runCli } from "../fixtures/cli.js";

const PYTHON = process.env.RETHINK_BENCH_PYTHON || "/usr/bin/python3";
const root = mkdtempSync(join(tmpdir(), "rb-tasks-"));
const env = { RETHINK_BENCH_CONFIG_DIR: join(root, "config"), RETHINK_BENCH_DATA_DIR: join(root, "data") };
const dir = join(root, "smoke");
/** The smoke suite: 2 conditions × 3 seeds of mlp-1x512. */
const TASKS = 6;

/** Runs the exported worker as a cluster node would: Python only, no Node.js on the PATH. */
function worker(folder: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      PYTHON,
      [join(folder, "worker.py"), "--dir", folder, ...args],
      { env: { PATH: "/usr/bin:/bin", HOME: root }, timeout: 120_000, maxBuffer: 16 * 2 ** 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const importTasks = (folder: string, out: string) => runCli(["tasks", "import", folder, "--out", out, "--json"], env);

/** A copy of the finished export, with results/<index>.json changed by `edit`. */
function tampered(name: string, index: number, edit: (result: TorchResult) => void): string {
  const copy = join(root, name);
  cpSync(dir, copy, { recursive: true });
  rmSync(join(copy, "imported.json"), { force: true });
  const path = join(copy, "results", `${index}.json`);
  const result = JSON.parse(readFileSync(path, "utf8")) as TorchResult;
  edit(result);
  writeFileSync(path, JSON.stringify(result));
  return copy;
}

const mtimes = () => Array.from({ length: TASKS }, (_, i) => statSync(join(dir, "results", `${i}.json`)).mtimeMs);

let keys: string[];
let bundle: string;
let predicate: ResultPredicate;
let handle: DatabaseHandle;

beforeAll(async () => {
  const exported = await runCli(["tasks", "export", "--suite", "smoke", "--out", dir], env);
  expect(exported.code, exported.stderr).toBe(0);
  keys = (JSON.parse(readFileSync(join(dir, "tasks.json"), "utf8")).tasks as { key: string }[]).map((t) => t.key);
  handle = await openDatabase({ driver: "pglite" });
  await emptyTables(handle);
}, 120_000);

afterAll(async () => {
  await handle?.close();
  rmSync(root, { recursive: true, force: true });
});

describe("tasks export, worker.py, tasks import", () => {
  it("exports a self-contained folder whose README maps array indices to its tasks", () => {
    expect(keys).toHaveLength(TASKS);
    expect(new Set(keys).size).toBe(TASKS);
    for (const file of ["worker.py", "export.json", "tasks.json", "run.sbatch", "job.yaml"])
      expect(existsSync(join(dir, file))).toBe(true);
    const readme = readFileSync(join(dir, "README.md"), "utf8");
    expect(readme).toContain(`#SBATCH --array=0-${TASKS - 1}`);
    expect(readme).toContain('python3 worker.py --dir . --task "$SLURM_ARRAY_TASK_ID"');
    expect(readme).toContain("completionMode: Indexed");
    expect(readme).toContain(`completions: ${TASKS}`);
    expect(readme).toContain("--task $JOB_COMPLETION_INDEX");
    expect(readme).toContain(`   5  ${keys[5]}`);
    // The same script and manifest sit beside the README, ready for sbatch and kubectl.
    const sbatch = readFileSync(join(dir, "run.sbatch"), "utf8");
    expect(sbatch).toMatch(/^#!\/bin\/bash\n/);
    expect(readme).toContain(sbatch.trimEnd());
    expect(readme).toContain(readFileSync(join(dir, "job.yaml"), "utf8").trimEnd());
  });

  it("refuses to import before every task has a result, naming the missing ones", async () => {
    const one = await worker(dir, ["--task", "0"]);
    expect(one.code, one.stderr).toBe(0);
    expect(existsSync(join(dir, "results", "0.json"))).toBe(true);
    expect(existsSync(join(dir, "results", "1.json"))).toBe(false);
    const result = await importTasks(dir, join(root, "early"));
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`5 of ${TASKS} tasks have no result`);
    for (let i = 1; i < TASKS; i++) expect(result.stderr).toContain(`${i} (${keys[i]})`);
    expect(result.stderr).not.toContain(`0 (${keys[0]})`);
    expect(existsSync(join(root, "early"))).toBe(false);
  });

  it("--all trains the rest, keeps a finished result, and a second --all trains nothing", async () => {
    const first = readFileSync(join(dir, "results", "0.json"), "utf8");
    const firstTime = statSync(join(dir, "results", "0.json")).mtimeMs;
    const all = await worker(dir, ["--all"]);
    expect(all.code, all.stderr).toBe(0);
    expect(readFileSync(join(dir, "results", "0.json"), "utf8")).toBe(first);
    expect(statSync(join(dir, "results", "0.json")).mtimeMs).toBe(firstTime);
    const before = mtimes();
    const again = await worker(dir, ["--all"]);
    expect(again.code, again.stderr).toBe(0);
    expect(mtimes()).toEqual(before);
  }, 120_000);

  it("imports a bundle that verify accepts, from the torch engine, with the worker's predictions", async () => {
    const result = await importTasks(dir, join(root, "bundles"));
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { bundle: string; fresh: boolean; runs: number };
    expect(summary).toMatchObject({ fresh: true, runs: TASKS });
    expect(result.stderr).toMatch(/mlp-1x512: \d+ examples\/s \(6 runs, \d+ examples in [\d.]+ s\)/);
    bundle = summary.bundle;
    const opened = await openBundle(readFileSync(bundle, "utf8"));
    if (!opened.ok) throw new Error(opened.detail);
    predicate = opened.statement.predicate;
    expect(predicate.environment.backend).toBe("torch-cpu");
    expect(predicate.environment.engine?.device).toBe("cpu");
    expect(predicate.runs.map((run) => taskKey(run.task))).toEqual(keys);
    // Each run's predictions are the worker's bytes for its task, untouched on the way.
    const worker3 = JSON.parse(readFileSync(join(dir, "results", "3.json"), "utf8"));
    for (const split of ["train", "test"] as const) {
      const size = split === "train" ? predicate.datasets[0]!.trainSize : predicate.datasets[0]!.testSize;
      const classes = decodeClasses(predicate.runs[3]!.predictions![split], size);
      expect(classes && Buffer.from(classes)).toEqual(Buffer.from(worker3.predictions[split], "base64"));
    }
    expect(predicate.runs[3]!.curve).toEqual(worker3.curve);

    const verify = await runCli(["verify", bundle], env);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toMatch(
      /^OK {4}.*suite smoke v\d+ · mlp-1x512 · 6 runs over 2 corruptions · torch-cpu backend/m,
    );
  });

  it("imports the same results again into the same bundle", async () => {
    const result = await importTasks(dir, join(root, "bundles"));
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ bundle, fresh: false, runs: TASKS });
  });

  it("trains the same experiment as run --engine torch: the same curves and predictions", async () => {
    const out = join(root, "run");
    const run = await runCli(
      ["run", "--suite", "smoke", "--seed", "0", "--engine", "torch", "--python", PYTHON, "--out", out, "--json"],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const opened = await openBundle(readFileSync((JSON.parse(run.stdout) as { bundle: string }).bundle, "utf8"));
    if (!opened.ok) throw new Error(opened.detail);
    const direct = opened.statement.predicate;
    expect(direct.environment.backendDetail).toBe(predicate.environment.backendDetail);
    expect(direct.architectures).toEqual(predicate.architectures);
    // Training and measuring time differ from one invocation to the next; everything else is the experiment.
    const measured = (runs: ResultPredicate["runs"]) =>
      runs.map(({ derived: _, curve, measures, ...run }) => {
        const { seconds: __, ...values } = measures!;
        return { ...run, curve: curve.map(({ wallSeconds: _, ...p }) => p), measures: values };
      });
    const seed0 = predicate.runs.filter((run) => run.task.seed === 0);
    expect(direct.runs).toHaveLength(2);
    expect(measured(direct.runs)).toEqual(measured(seed0));
  }, 120_000);

  it("the leaderboard accepts the bundle and ranks the architecture on the torch backend", async () => {
    const app = appOn(handle);
    const res = await postBundle(app, readFileSync(bundle, "utf8"));
    expect(res.status, await res.clone().text()).toBe(201);
    SubmissionReceipt.parse(await res.json());
    const board = await app.request("/api/v1/leaderboard?suite=smoke&dataset=mnist-10k");
    expect(board.status).toBe(200);
    const rows = Leaderboard.parse(await board.json()).rows;
    expect(rows.map((r) => [r.rank, r.architecture.id, r.provisional])).toEqual([[1, "mlp-1x512", false]]);
    expect(rows[0]!.architecture.fingerprint).toBe(predicate.architectures[0]!.fingerprint);
    expect(rows[0]!.bestWallTime?.backend).toBe("torch-cpu");
  });

  it("refuses a result whose predictions were changed, naming the task", async () => {
    const copy = tampered("tampered-prediction", 2, (result) => {
      const predictions = result.predictions!;
      const bytes = Buffer.from(predictions.train, "base64");
      bytes[0] = (bytes[0]! + 1) % 10;
      predictions.train = bytes.toString("base64");
    });
    const result = await importTasks(copy, join(root, "refused-1"));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`task 2 (${keys[2]}, results/2.json)`);
    expect(result.stderr).toMatch(/final train predictions score/);
    expect(existsSync(join(root, "refused-1"))).toBe(false);
  });

  it("refuses a result whose curve was changed, naming the task", async () => {
    const copy = tampered("tampered-curve", 4, (result) => {
      const last = result.curve.at(-1)!;
      last.testAcc = last.testAcc >= 0.5 ? last.testAcc - 0.004 : last.testAcc + 0.004;
    });
    const result = await importTasks(copy, join(root, "refused-2"));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`task 4 (${keys[4]}, results/4.json)`);
    expect(result.stderr).toMatch(/testAcc/);
  });

  it("refuses results from two engine identities, listing which tasks came from which", async () => {
    const copy = tampered("mixed-engines", 5, (result) => {
      result.engine.threads = 7;
    });
    const result = await importTasks(copy, join(root, "refused-3"));
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("from 2 different engines or machines");
    expect(result.stderr).toMatch(/7 threads\).*tasks 5 \(/);
    expect(result.stderr).toContain(`tasks 0 (${keys[0]}), 1 (${keys[1]})`);
  });

  it("signs a PyTorch module as the worker describes it, and refuses results that describe it differently", async () => {
    const net = join(root, "net.py");
    writeFileSync(
      net,
      [
        "from torch import nn",
        "def make(input_shape, classes, regularizer, seed):",
        "    c, h, w = input_shape",
        "    return nn.Sequential(nn.Flatten(), nn.Linear(c * h * w, 64), nn.ReLU(), nn.Linear(64, classes))",
        "",
      ].join("\n"),
    );
    const folder = join(root, "module");
    const exported = await runCli(
      ["tasks", "export", "--suite", "smoke", "--seed", "0", "--model", `${net}:make`, "--out", folder],
      env,
    );
    expect(exported.code, exported.stderr).toBe(0);
    const trained = await worker(folder, ["--all"]);
    expect(trained.code, trained.stderr).toBe(0);
    const described = await worker(folder, ["--describe", "0"]);
    expect(described.code, described.stderr).toBe(0);
    const { fingerprint, parameterCount } = JSON.parse(described.stdout) as Record<string, unknown>;

    const result = await importTasks(folder, join(root, "module-bundle"));
    expect(result.code, result.stderr).toBe(0);
    const opened = await openBundle(readFileSync((JSON.parse(result.stdout) as { bundle: string }).bundle, "utf8"));
    if (!opened.ok) throw new Error(opened.detail);
    const [architecture] = opened.statement.predicate.architectures;
    // The fingerprint Python computes from the module is the one the bundle signs; 784·64+64+64·10+10 weights.
    expect(architecture).toMatchObject({ id: "net", name: "net.py:make", kind: "torch-module", fingerprint });
    expect(architecture!.parameterCount).toBe(parameterCount);
    expect(parameterCount).toBe(784 * 64 + 64 + 64 * 10 + 10);

    const copy = join(root, "module-tampered");
    cpSync(folder, copy, { recursive: true });
    rmSync(join(copy, "imported.json"));
    const path = join(copy, "results", "1.json");
    const tamperedResult = JSON.parse(readFileSync(path, "utf8")) as TorchResult;
    (tamperedResult.description!.children as Record<string, { config: Record<string, number> }>)[
      "1"
    ]!.config.out_features = 65;
    writeFileSync(path, JSON.stringify(tamperedResult));
    const refused = await importTasks(copy, join(root, "refused-4"));
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("describe the PyTorch module of net in 2 different ways");
    expect(refused.stderr).toMatch(/tasks 0 \(net\/mnist-10k\/true\/none\/seed-0\); tasks 1 \(/);
  }, 120_000);

  it("exporting the same tasks again keeps data and results; other tasks are refused", async () => {
    const before = mtimes();
    const again = await runCli(["tasks", "export", "--suite", "smoke", "--out", dir], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("holds this export already");
    expect(mtimes()).toEqual(before);
    const other = await runCli(["tasks", "export", "--suite", "smoke", "--seed", "1", "--out", dir], env);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(`${dir} holds the export of suite smoke`);
    expect(other.stderr).toContain("export into an empty or new folder");
  }, 60_000);
});
