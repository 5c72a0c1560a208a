// The complexity measures in Chromium: on a real server (the Node entry, PGlite, the built assets) with the seeded
// board, the insight page ranks the measures (rows in descending τ, the verdict naming the first), draws a scatter
// per measure, and links the export; an architecture page draws each measure per corruption level.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultPublicDir, type RunningServer, startServer } from "../../api/node.js";
import { BoardMeasures, MEASURES } from "../../schema/index.js";
import { ADMIN_TOKEN, httpFetcher, NO_RATE_LIMITS } from "../fixtures/api.js";
import { type SeededBoard, seedBoard } from "../fixtures/board.js";
import { type Browser, launchBrowser } from "../fixtures/browser.js";

const SHOTS = join(process.cwd(), "test-artifacts", "web");

let dataDir: string;
let server: RunningServer;
let browser: Browser;
let board: SeededBoard;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  if (!defaultPublicDir()) throw new Error("the web assets are not built: run `npm run build` first");
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), "rethink-bench-measures-"));
  server = await startServer({ port: 0, dataDir, adminToken: ADMIN_TOKEN, rateLimits: NO_RATE_LIMITS });
  board = await seedBoard(httpFetcher(server.url));
  browser = await launchBrowser();
  page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("crash", () => problems.push("the page crashed"));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Pixels a chart painted (alpha > 0) in its canvas. */
function paintedPixels(id: string): Promise<number> {
  return page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
    const pixels = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted++;
    return painted;
  }, id);
}

/** "+0.87" / "−0.33" / "—" as a number, or null for the dash of an undefined τ. */
function tauOf(text: string): number | null {
  const trimmed = text.trim();
  return trimmed === "—" ? null : Number(trimmed.replace("−", "-"));
}

describe("complexity measures in Chromium", () => {
  it("ranks the measures on the insight page, draws a scatter of each and names the best in the verdict", async () => {
    // What the board holds, from the API: every standing run with measures.
    const response = await fetch(`${server.url}/api/v1/leaderboard/measures?suite=quick&limit=500`);
    const api = BoardMeasures.parse(await response.json());
    expect(api.runs.length).toBeGreaterThan(10);

    await page.goto(`${server.url}/insight`);
    const rows = page.locator("#measure-ranking tbody tr");
    expect(await rows.count()).toBe(MEASURES.length);
    const keys = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-measure")));
    expect([...keys].sort()).toEqual(MEASURES.map((m) => m.key).sort());
    // The τ column (4th) descends, undefined τ last.
    const taus = (await rows.locator("td:nth-child(4)").allTextContents()).map(tauOf);
    const defined = taus.filter((t): t is number => t !== null);
    expect(defined.length).toBeGreaterThan(0);
    expect(taus.slice(0, defined.length)).toEqual(defined);
    expect(defined).toEqual([...defined].sort((a, b) => b - a));
    // Every run carries every measure the fixture writes that is not null: the runs column counts them.
    const counts = (await rows.locator("td:last-child").allTextContents()).map((t) => Number(t.replace(/,/g, "")));
    const parameterRow = keys.indexOf("parameterCount");
    expect(counts[parameterRow]).toBe(api.runs.length);

    // The verdict names the first row's measure with its τ, and says what parameter count does within one network.
    const first = MEASURES.find((m) => m.key === keys[0])!;
    const verdict = (await page.locator("#measure-verdict").textContent())!;
    const firstTau = (await rows.first().locator("td:nth-child(4)").textContent())!.trim();
    expect(verdict.toLowerCase()).toContain(first.name.toLowerCase());
    expect(verdict).toContain(`τ = ${firstTau}`);
    expect(verdict).toMatch(/parameter count predicts nothing within one architecture/);

    await page.waitForSelector(`canvas#figure-measure-${MEASURES.at(-1)!.key}[data-chart-ready=true]`);
    for (const m of MEASURES) {
      const id = `figure-measure-${m.key}`;
      // A measure with no defined value on this board draws only its axes.
      const values = api.runs.filter((r) => r.measures[m.key] !== null).length;
      if (values > 0) expect(await paintedPixels(id), id).toBeGreaterThan(1000);
    }

    // The export links answer with the same runs.
    const csvHref = await page.locator("#measures a", { hasText: "CSV" }).getAttribute("href");
    const csv = await (await fetch(`${server.url}${csvHref}`)).text();
    expect(csv.trim().split("\n")).toHaveLength(api.runs.length + 1);
    await page.locator("#measures").screenshot({ path: join(SHOTS, "insight-measures-1280-light.png") });
  });

  it("draws each measure per label-corruption level on an architecture page", async () => {
    await page.goto(`${server.url}/architectures/${board.architectures.mlp.fingerprint}`);
    await page.waitForSelector(`canvas#figure-measure-sweep-${MEASURES.at(-1)!.key}[data-chart-ready=true]`);
    for (const key of ["frobeniusSquared", "margin", "flatnessSigma"])
      expect(await paintedPixels(`figure-measure-sweep-${key}`), key).toBeGreaterThan(1000);
    // The table beside a chart: one row per label-corruption level of the quick suite, true labels first.
    const levels = await page.locator("#measures figure").first().locator("tbody tr td:first-child").allTextContents();
    expect(levels[0]).toBe("0");
    expect(levels.at(-1)).toBe("1");
    await page.locator("#measures").screenshot({ path: join(SHOTS, "architecture-measures-1280-light.png") });
  });

  it("hit no script error on the way", () => {
    expect(problems).toEqual([]);
  });
});
