// Reproduction as users do it, every step through the built CLI against a real `serve`: a smoke
// submission reproduced by a second key (exact; the board counts the confirmations) and by the
// server's operator key (verified; the badge in Chromium); a validly re-signed bundle whose curve
// was altered at one middle epoch, which `reproduce` catches at that epoch and which the operator's
// verdict takes off the ranking; and the operator daemon, `reproduce --watch --once`, draining a
// queue of two submissions, killed in the middle and restarted without training a run twice.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadOrCreateKey } from "../../runner/keys.js";
import { Leaderboard, ModerationLog, openBundle, ReproductionQueue, type ResultPredicate } from "../../schema/index.js";
import { type Browser, launchBrowser } from "../fixtures/browser.js";
import { signRaw } from "../fixtures/bundles.js";
import { type CliProcess, runCli, startCli, stopCli } from "../fixtures/cli.js";
import { SMOKE_RUN_ARGS, sharedSmokeRun, useSmokeKey } from "../fixtures/smoke-run.js";

const root = mkdtempSync(join(tmpdir(), "rb-reproduce-e2e-"));
/** Each person has their own key and outbox. */
const person = (name: string) => ({
  RETHINK_BENCH_CONFIG_DIR: join(root, name, "config"),
  RETHINK_BENCH_DATA_DIR: join(root, name, "data"),
});
const submitter = person("submitter");
const second = person("second");
const operator = person("operator");
const hostile = person("hostile");
const TRAINING = ["--backend", "wasm", "--workers", "2"];

/** The `[i/N] start <task>` lines of run progress: one per run that trained. */
const started = (stderr: string) => stderr.match(/^\[\s*\d+\/\d+\] start /gm)?.length ?? 0;

async function keyid(env: Record<string, string>): Promise<string> {
  const keys = await runCli(["keys", "--json"], env);
  expect(keys.code, keys.stderr).toBe(0);
  return (JSON.parse(keys.stdout) as { keyid: string }).keyid;
}

async function serve(name: string, operatorKeyid: string): Promise<{ server: CliProcess; api: string }> {
  const server = await startCli(
    ["serve", "--port", "0", "--data", join(root, name), "--reproducer-key", operatorKeyid],
    /leaderboard at (http:\/\/\S+)\/ · API at /,
  );
  return { server, api: server.match[1]! };
}

/** Trains the smoke suite's runs of one seed; the bundle's path and predicate. */
async function smokeBundle(seed: number, who: Record<string, string>) {
  let path: string;
  if (seed === 0) {
    // Seed 0 with these options is trained once for all the files that need it; `who` gets its key.
    expect(SMOKE_RUN_ARGS).toEqual(["run", "--suite", "smoke", "--seed", "0", ...TRAINING]);
    const run = await sharedSmokeRun();
    expect(run.code, run.stderr).toBe(0);
    useSmokeKey(run, who.RETHINK_BENCH_CONFIG_DIR!);
    path = run.bundle;
  } else {
    const out = join(root, `run-seed-${seed}`);
    const run = await runCli(["run", "--suite", "smoke", "--seed", String(seed), ...TRAINING, "--out", out], who);
    expect(run.code, run.stderr).toBe(0);
    path = join(out, readdirSync(out).find((f) => f.endsWith(".dsse.json"))!);
  }
  const opened = await openBundle(readFileSync(path, "utf8"));
  if (!opened.ok) throw new Error(opened.detail);
  return { path, predicate: opened.statement.predicate };
}

async function submit(path: string, api: string, who: Record<string, string>): Promise<string> {
  const sent = await runCli(["submit", path, "--api", api], who);
  expect(sent.code, sent.stdout + sent.stderr).toBe(0);
  const id = /sub_[0-9a-f]{32}/.exec(sent.stdout)?.[0];
  expect(id, sent.stdout).toBeDefined();
  return id!;
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  expect(response.status, url).toBe(200);
  return response.json();
}

let operatorKeyid: string;
let honest: { path: string; predicate: ResultPredicate };
let honestSeed1: { path: string; predicate: ResultPredicate };
let board: { server: CliProcess; api: string };
let browser: Browser | undefined;

beforeAll(async () => {
  operatorKeyid = await keyid(operator);
  [honest, honestSeed1] = [await smokeBundle(0, submitter), await smokeBundle(1, hostile)];
  board = await serve("board", operatorKeyid);
});

afterAll(async () => {
  await browser?.close();
  if (board) await stopCli(board.server);
});

describe("reproduce against a real server", () => {
  let id: string;
  let boardUrl: string;

  it("a second key reproduces a smoke submission exactly and the row counts it; the operator verifies it", async () => {
    id = await submit(honest.path, board.api, submitter);
    const { suite, datasets } = honest.predicate;
    boardUrl = `${board.api}/api/v1/leaderboard?suite=${suite.id}&version=${suite.version}&dataset=${datasets[0]!.id}`;

    const reproduced = await runCli(
      ["reproduce", id, "--api", board.api, "--submit", ...TRAINING, "--out", join(root, "second")],
      second,
    );
    expect(reproduced.code, reproduced.stderr).toBe(0);
    expect(reproduced.stdout).toContain("reproduced exactly: 2 of 2 runs");
    let row = Leaderboard.parse(await getJson(`${boardUrl}&verified=all`)).rows[0]!;
    // One reproduction of the submission, confirming both of its standing results.
    expect(row.counts).toMatchObject({ standing: 2, confirmations: 2, reproductions: 2, verified: 0 });
    expect(row.verification).toBe("unverified");
    // The server has an operator key, so by default the board shows verified results only: none yet.
    expect(Leaderboard.parse(await getJson(boardUrl)).rows).toEqual([]);

    const verified = await runCli(
      ["reproduce", id, "--api", board.api, "--submit", ...TRAINING, "--out", join(root, "operator")],
      operator,
    );
    expect(verified.code, verified.stderr).toBe(0);
    const byDefault = Leaderboard.parse(await getJson(boardUrl));
    expect(byDefault.verifiedOnly).toBe(true);
    row = byDefault.rows[0]!;
    expect(row.verification).toBe("verified");
    expect(row.counts).toMatchObject({ standing: 2, confirmations: 4, reproductions: 4, verified: 2 });

    browser = await launchBrowser();
    const page = await browser.context.newPage();
    await page.goto(`${board.api}/?suite=${suite.id}&version=${suite.version}&dataset=${datasets[0]!.id}`);
    const cell = page.locator("table.board tbody tr").first().locator("[data-verification]");
    expect(await cell.textContent()).toBe("verified");
    await page.goto(`${board.api}/submissions/${id}`);
    expect(await page.locator(".page-head [data-verification]").textContent()).toBe("verified");
    expect(await page.locator("article .badge-verified").first().textContent()).toBe("operator");
  });

  it("catches a re-signed bundle altered at one middle epoch, and the operator's verdict takes it off the board", async () => {
    // The hostile submitter trained seed 1 honestly, then lowered one middle epoch's training loss
    // of its random-label run and signed again: predictions and every derived figure still agree,
    // so the server accepts it, and its runs stand for the seed-1 slots.
    const { signer } = await loadOrCreateKey(hostile.RETHINK_BENCH_CONFIG_DIR);
    const forged = structuredClone(honestSeed1.predicate);
    forged.createdAt = new Date().toISOString();
    const position = forged.runs.findIndex((r) => r.task.corruption.kind === "random");
    const curve = forged.runs[position]!.curve;
    const epoch = Math.ceil(curve.length / 2);
    curve[epoch - 1] = { ...curve[epoch - 1]!, trainLoss: curve[epoch - 1]!.trainLoss * 0.999 };
    const file = join(root, "forged.dsse.json");
    writeFileSync(file, JSON.stringify(await signRaw(forged, signer)));
    const forgedId = await submit(file, board.api, hostile);
    expect(Leaderboard.parse(await getJson(`${boardUrl}&verified=all`)).rows[0]!.counts.seeds).toBe(2);

    const checked = await runCli(
      ["reproduce", forgedId, "--api", board.api, ...TRAINING, "--out", join(root, "second")],
      second,
    );
    expect(checked.code).toBe(1);
    expect(checked.stdout).toMatch(new RegExp(`epoch ${epoch} trainLoss: original \\S+ reproduced \\S+`));
    expect(checked.stdout).toContain("reproduced exactly: 1 of 2 runs");

    const ruled = await runCli(
      ["reproduce", forgedId, "--api", board.api, "--submit", ...TRAINING, "--out", join(root, "operator")],
      operator,
    );
    expect(ruled.code).toBe(1);
    // Hidden: the submission answers 410, and the public moderation log says why, with the evidence.
    expect((await fetch(`${board.api}/api/v1/submissions/${forgedId}`)).status).toBe(410);
    const log = ModerationLog.parse(await getJson(`${board.api}/api/v1/moderation`));
    const hide = log.actions.find((m) => m.submissionId === forgedId && m.action === "hide");
    expect(hide?.reproductionId).toMatch(/^rep_[0-9a-f]{32}$/);
    expect(hide?.reason).toContain(`epoch ${epoch}`);
    // Its seed-1 results left the ranking at once: the row rests on seed 0 alone again.
    expect(Leaderboard.parse(await getJson(`${boardUrl}&verified=all`)).rows[0]!.counts.seeds).toBe(1);
  });
});

describe("reproduce --watch --once", () => {
  it("drains a queue of two submissions; killed in the middle and restarted, it trains no run twice", async () => {
    const queueBoard = await serve("queue-board", operatorKeyid);
    try {
      const queueUrl = `${queueBoard.api}/api/v1/reproductions/queue`;
      await submit(honest.path, queueBoard.api, submitter);
      await submit(honestSeed1.path, queueBoard.api, hostile);
      expect(ReproductionQueue.parse(await getJson(queueUrl)).length).toBe(2);

      const out = join(root, "daemon");
      const args = ["reproduce", "--watch", "--once", "--api", queueBoard.api, ...TRAINING, "--out", out];
      // Killed (SIGKILL: no chance to tidy up) once its first finished run is checkpointed.
      const first = await startCli(args, /Watching the reproduction queue/, operator);
      const checkpoints = () =>
        existsSync(join(out, ".runs"))
          ? readdirSync(join(out, ".runs")).flatMap((d) =>
              existsSync(join(out, ".runs", d, "runs"))
                ? readdirSync(join(out, ".runs", d, "runs")).filter((f) => f.endsWith(".json"))
                : [],
            )
          : [];
      while (checkpoints().length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      await stopCli(first, "SIGKILL");
      const trainedBefore = started(first.stderr());
      const kept = checkpoints().length;
      expect(kept).toBeGreaterThanOrEqual(1);

      const second = await runCli(args, operator);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).toContain("The queue is drained.");
      // Every one of the four runs trained exactly once across the two processes: the restart
      // trained only those the killed daemon had not checkpointed.
      expect(started(second.stderr)).toBe(4 - kept);
      expect(trainedBefore - kept).toBeLessThanOrEqual(2); // at most the runs in flight when killed
      const queue = ReproductionQueue.parse(await getJson(queueUrl));
      expect(queue).toMatchObject({ length: 0, items: [] });
    } finally {
      await stopCli(queueBoard.server);
    }
  });
});
