// Past 350 lines on purpose: one seeded server and browser serve every reproduction mark.
// Reproduction marks in a real browser (Debian's Chromium, headless), on a real server with one
// operator reproducer key: a result the operator reproduced exactly shows "verified" on the board
// and its submission page; one that another key did not reproduce is flagged "contested" with a
// link to that reproduction; the board shows verified results only until asked for all; the
// protocol page counts the submissions that wait for the operator. Everything is sent through
// the API, the attestations built from the stored bundles' own runs.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultPublicDir, type RunningServer, startServer } from "../../api/node.js";
import {
  compareRun,
  comparisonMode,
  curveDigest,
  findSuite,
  predictionDigests,
  type ReproducedRun,
  type ReproductionPredicate,
  type Signer,
  signReproduction,
  type Task,
} from "../../schema/index.js";
import {
  ADMIN_TOKEN,
  httpFetcher,
  NO_RATE_LIMITS,
  postBundle,
  type SignedBundle,
  signedBundle,
} from "../fixtures/api.js";
import { type Browser, launchBrowser } from "../fixtures/browser.js";
import { type ArchitectureSpec, newSigner } from "../fixtures/bundles.js";

const SHOTS = join(process.cwd(), "test-artifacts", "web");
const DESKTOP = { width: 1280, height: 900 };
const quick = findSuite("quick")!;
const BOARD = `suite=quick&version=${quick.version}&dataset=mnist-10k`;

let dataDir: string;
let server: RunningServer;
let browser: Browser;
let page: Page;
const problems: string[] = [];

interface Posted {
  bundle: SignedBundle;
  id: string;
  payloadSha256: string;
}

/** The seeded board: what each submission and reproduction is, by role. */
const seeded = {} as {
  /** Reproduced exactly, every run, by the operator key: verified. */
  verified: Posted;
  /** One run not reproduced by a key that is not an operator's: contested, still on the board. */
  contested: Posted;
  /** Nobody reproduced it: unverified, waiting for the operator with `contested`. */
  waiting: Posted;
  /** Not reproduced by the operator: taken off the board at once. */
  hiddenByOperator: Posted;
  operatorReproduction: string;
  contestingReproduction: string;
  /** The operator's not-reproduced verdict on `hiddenByOperator`. */
  hidingReproduction: string;
  /** The contested run: its position and the epoch whose training loss the reproduction changed. */
  divergence: { position: number; epoch: number; originalLoss: number; reproducedLoss: number };
};

function bundleOf(signer: Signer, spec: ArchitectureSpec, name: string, fit: { true: number; random: number }) {
  return signedBundle({
    signer,
    suite: quick,
    architectures: [spec],
    seeds: [quick.seeds[0]!],
    fitEpoch: (task: Task) => (task.corruption.kind === "true" ? fit.true : fit.random),
    submitterName: name,
    backend: "wasm",
  });
}

async function post(bundle: SignedBundle): Promise<Posted> {
  const response = await postBundle(httpFetcher(server.url), bundle.text);
  if (response.status !== 201)
    throw new Error(`POST /submissions answered ${response.status}: ${await response.text()}`);
  const receipt = (await response.json()) as { id: string; payloadSha256: string };
  return { bundle, id: receipt.id, payloadSha256: receipt.payloadSha256 };
}

/**
 * An attestation that reproduces every run of `original` on its own engine (exact mode), the
 * run at `diverge.position` with its training loss at `diverge.epoch` changed by `diverge.by`.
 */
async function attestation(
  original: Posted,
  reproducer: Signer,
  name: string,
  diverge?: { position: number; epoch: number; by: number },
) {
  const p = original.bundle.predicate;
  const mode = comparisonMode(p.environment, p.environment);
  const runs: ReproducedRun[] = [];
  for (const [position, run] of p.runs.entries()) {
    const curve =
      position === diverge?.position
        ? run.curve.map((point) =>
            point.epoch === diverge.epoch ? { ...point, trainLoss: point.trainLoss + diverge.by } : point,
          )
        : run.curve;
    const predictions = await predictionDigests(run.predictions);
    const comparison = compareRun(
      run.task,
      { status: run.status, curve: run.curve, predictions, measures: run.measures },
      { status: run.status, curve, predictions, measures: run.measures },
      mode,
    );
    runs.push({
      position,
      task: run.task,
      architectureFingerprint: run.architectureFingerprint,
      ...comparison,
      status: run.status,
      curve,
      curveSha256: await curveDigest(curve),
      predictions,
      ...(run.measures && { measures: run.measures }),
    });
  }
  const predicate: ReproductionPredicate = {
    original: {
      submissionId: original.id,
      payloadSha256: original.payloadSha256,
      submitterKeyid: p.submitter.keyid,
      suite: { id: p.suite.id, version: p.suite.version },
      backend: p.environment.backend,
      runnerVersion: p.environment.runnerVersion,
      tfjsVersion: p.environment.tfjsVersion,
    },
    mode,
    environment: p.environment,
    reproducer: { publicKey: reproducer.publicKey, keyid: reproducer.keyid, name },
    runs,
    createdAt: new Date().toISOString(),
  };
  return signReproduction(predicate, reproducer);
}

async function postReproduction(envelope: object): Promise<{ id: string; operator: boolean; hidden: boolean }> {
  const response = await fetch(new URL("/api/v1/reproductions", server.url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(envelope),
  });
  if (response.status !== 201)
    throw new Error(`POST /reproductions answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as { id: string; operator: boolean; hidden: boolean };
}

beforeAll(async () => {
  if (!defaultPublicDir()) throw new Error("the web assets are not built: run `npm run build` first");
  mkdirSync(SHOTS, { recursive: true });
  const [ada, bo, cy, operator, dee] = await Promise.all([
    newSigner(),
    newSigner(),
    newSigner(),
    newSigner(),
    newSigner(),
  ]);
  dataDir = mkdtempSync(join(tmpdir(), "rethink-bench-web-rep-"));
  server = await startServer({
    port: 0,
    dataDir,
    adminToken: ADMIN_TOKEN,
    rateLimits: NO_RATE_LIMITS,
    reproducerKeys: [operator.keyid],
  });

  seeded.verified = await post(await bundleOf(ada, { id: "mlp-1x512" }, "Ada", { true: 6, random: 24 }));
  seeded.contested = await post(await bundleOf(bo, { id: "small-alexnet-tiny" }, "Bo", { true: 5, random: 36 }));
  seeded.waiting = await post(
    await bundleOf(cy, { id: "queue-net", name: "Queue net", hiddenUnits: 96 }, "Cy", { true: 7, random: 40 }),
  );

  const byOperator = await postReproduction(await attestation(seeded.verified, operator, "Operator"));
  expect(byOperator.operator).toBe(true);
  seeded.operatorReproduction = byOperator.id;

  // Dee's reproduction departs on the random-label run without regularizer: a ranked result.
  const runs = seeded.contested.bundle.predicate.runs;
  const position = runs.findIndex((r) => r.task.corruption.kind === "random" && r.task.regularizer.name === "none");
  const epoch = 3;
  const by = 0.001;
  const byDee = await postReproduction(await attestation(seeded.contested, dee, "Dee", { position, epoch, by }));
  expect(byDee).toMatchObject({ operator: false, hidden: false });
  seeded.contestingReproduction = byDee.id;
  const originalLoss = runs[position]!.curve[epoch - 1]!.trainLoss;
  seeded.divergence = { position, epoch, originalLoss, reproducedLoss: originalLoss + by };

  seeded.hiddenByOperator = await post(
    await bundleOf(cy, { id: "copied-net", name: "Copied net", hiddenUnits: 64 }, "Cy", { true: 4, random: 20 }),
  );
  const hiding = await postReproduction(
    await attestation(seeded.hiddenByOperator, operator, "Operator", { position: 0, epoch: 1, by: 0.5 }),
  );
  expect(hiding).toMatchObject({ operator: true, hidden: true });
  seeded.hidingReproduction = hiding.id;

  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on("console", (message) => {
    // The hidden submission's page answers 410 on purpose, which the console reports.
    if (message.type() === "error" && !/status of 410/.test(message.text()))
      problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function rowNames(): Promise<string[]> {
  return page.locator("table.board tbody th.arch > a").allTextContents();
}

/** The board row of an architecture by its name. */
function row(name: string) {
  return page.locator("table.board tbody tr", { has: page.locator("th.arch > a", { hasText: name }) });
}

describe("reproduction marks in Chromium", () => {
  it("shows verified results only by default, and all of them when asked, keeping the other filters", async () => {
    await page.setViewportSize(DESKTOP);
    await page.goto(`${server.url}/?${BOARD}`);
    expect(await rowNames()).toEqual(["MLP 1×512"]);
    expect(await row("MLP 1×512").locator("[data-verification]").textContent()).toBe("verified");
    expect(await page.locator("table.board caption").textContent()).toContain("verified results only");
    const results = page.getByRole("group", { name: "Results" });
    expect(await results.locator("[aria-current=true]").textContent()).toBe("Verified only");
    await page.screenshot({ path: join(SHOTS, "leaderboard-verified-only-1280-light.png"), fullPage: true });

    await results.getByRole("link", { name: "All results" }).click();
    await page.waitForURL(/verified=all/);
    expect((await rowNames()).sort()).toEqual(["MLP 1×512", "Queue net", "Small AlexNet, 16 filters"].sort());
    expect(await results.locator("[aria-current=true]").textContent()).toBe("All results");
    expect(await row("Queue net").locator(".unverified").textContent()).toBe("unverified");
    expect(await row("MLP 1×512").locator(".badge-verified").textContent()).toBe("verified");
    // Every standing result of the verified row is counted as verified; none of the waiting row's.
    const verifiedOf = async (name: string) =>
      (await row(name).locator("td.counts").getAttribute("title"))?.match(
        /(\d+) of (\d+) standing results? reproduced exactly by an operator/,
      );
    const mlp = await verifiedOf("MLP 1×512");
    expect(Number(mlp?.[1])).toBeGreaterThan(0);
    expect(mlp?.[1]).toBe(mlp?.[2]);
    expect((await verifiedOf("Queue net"))?.[1]).toBe("0");

    // Ranking by gap keeps verified=all.
    await page.getByRole("link", { name: "Generalization gap", exact: true }).click();
    await page.waitForURL(/rank=gap/);
    expect(new URL(page.url()).searchParams.get("verified")).toBe("all");
    expect(await rowNames()).toHaveLength(3);
    await page.screenshot({ path: join(SHOTS, "leaderboard-all-results-1280-light.png"), fullPage: true });
  });

  it("says when a filtered board is empty because nothing is verified, with a link to every result", async () => {
    await page.goto(`${server.url}/?${BOARD}&backend=tensorflow`);
    expect(await page.locator(".empty h2").textContent()).toContain("Nothing verified from the tensorflow backend");
    await page.getByRole("link", { name: "Show all results, verified or not" }).click();
    await page.waitForURL(/verified=all/);
    expect(new URL(page.url()).searchParams.get("backend")).toBe("tensorflow");
    expect(await page.locator(".empty h2").textContent()).toContain("No results from the tensorflow backend");
  });

  it("flags the contested row and links it to the reproduction that did not reproduce it", async () => {
    await page.goto(`${server.url}/?${BOARD}&verified=all`);
    const flag = row("Small AlexNet, 16 filters").locator("a.flag-contested");
    expect(await flag.getAttribute("href")).toBe(
      `/submissions/${seeded.contested.id}#${seeded.contestingReproduction}`,
    );
    await flag.click();
    await page.waitForURL(new RegExp(`#${seeded.contestingReproduction}$`));
    const article = page.locator(`article#${seeded.contestingReproduction}`);
    expect(await article.locator("h3").textContent()).toContain("Dee");
    expect(await article.locator(".badge-verified").count()).toBe(0); // not an operator
    const { position, epoch, originalLoss, reproducedLoss } = seeded.divergence;
    const line = (await article.locator(".divergences li").textContent())!;
    expect(line).toContain(`run ${position + 1} (Small AlexNet, 16 filters · random labels · none · seed`);
    expect(line).toContain("not reproduced");
    // "epoch 3 · trainLoss · A → B", each value printed to the digits that tell them apart.
    const printed = line.match(/epoch (\d+) · trainLoss · ([\d.e-]+) → ([\d.e-]+)/);
    expect(printed?.[1]).toBe(String(epoch));
    // At least 4 significant digits: within half a unit of the 4th digit of each true value.
    const [shownOriginal, shownReproduced] = [Number(printed![2]), Number(printed![3])];
    expect(Math.abs(shownOriginal - originalLoss)).toBeLessThanOrEqual(5e-4 * Math.abs(originalLoss));
    expect(Math.abs(shownReproduced - reproducedLoss)).toBeLessThanOrEqual(5e-4 * Math.abs(reproducedLoss));
    expect(shownReproduced).toBeGreaterThan(shownOriginal);
    expect(await page.locator(".page-head [data-verification]").textContent()).toBe("unverified");
  });

  it("marks the verified submission, its runs and the operator's reproduction, and shows the commands", async () => {
    const { id, bundle } = seeded.verified;
    await page.goto(`${server.url}/submissions/${id}`);
    expect(await page.locator(".page-head [data-verification]").textContent()).toBe("verified");
    const runs = bundle.predicate.runs.length;
    expect(await page.locator("td.reproductions .badge-verified").count()).toBe(runs);
    expect(await page.locator("td.reproductions .verdicts").first().textContent()).toBe("1 exact");
    const article = page.locator(`article#${seeded.operatorReproduction}`);
    expect(await article.locator(".badge-verified").textContent()).toBe("operator");
    expect(await article.locator(".facts dd").first().textContent()).toBe(`${runs} exact`);
    expect(await article.locator(".divergences").count()).toBe(0);
    const box = page.locator("section.reproduce-box");
    expect(await box.locator("code").allTextContents()).toEqual(
      expect.arrayContaining([`npx rethink-bench reproduce ${id}`, `npx rethink-bench reproduce ${id} --submit`]),
    );
    await page.screenshot({ path: join(SHOTS, "submission-verified-1280-light.png"), fullPage: true });
  });

  it("marks the architecture's standing and each run on its page", async () => {
    const fingerprint = seeded.verified.bundle.predicate.architectures[0]!.fingerprint;
    await page.goto(`${server.url}/architectures/${fingerprint}?${BOARD}`);
    expect(await page.locator(".verification-line [data-verification]").textContent()).toBe("verified");
    await page.getByText(/newest runs/).click();
    expect(await page.locator("td.reproductions .badge-verified").count()).toBe(
      seeded.verified.bundle.predicate.runs.length,
    );
  });

  it("takes a submission the operator did not reproduce off the board, and says why with the evidence", async () => {
    await page.goto(`${server.url}/?${BOARD}&verified=all`);
    expect(await rowNames()).not.toContain("Copied net");
    const { id } = seeded.hiddenByOperator;
    const response = await page.goto(`${server.url}/submissions/${id}`);
    expect(response?.status()).toBe(410);
    const evidence = page.locator(".empty p", { hasText: "operator reproducer" });
    expect(await evidence.locator("code").textContent()).toBe(seeded.hidingReproduction);
    expect(await evidence.getByRole("link").getAttribute("href")).toBe(`/api/v1/submissions/${id}/reproductions`);
  });

  it("counts the submissions waiting for the operator on the protocol page", async () => {
    await page.goto(`${server.url}/protocol#reproduction-queue`);
    const stat = (label: string) => page.locator("#reproduction .stat", { hasText: label }).locator(".stat-value");
    // The contested and the unreproduced submissions: neither has an operator's verdict.
    expect(await stat("Waiting").textContent()).toBe("2");
    // Received when the suite began: seconds ago, or a few minutes on a slow machine.
    expect(await stat("Oldest waits").textContent()).toMatch(/^(less than a minute|\d minutes?)$/);
    expect(await stat("Operator keys").textContent()).toBe("1");
    expect(await page.locator("#consistent dd").textContent()).toContain("within 2 epochs or 25% of the smaller");
    await page.screenshot({ path: join(SHOTS, "protocol-reproduction-1280-light.png") });
  });

  it("hit no script error or security-policy refusal on the way", () => {
    expect(problems).toEqual([]);
  });
});
