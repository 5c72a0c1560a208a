// The leaderboard in a real browser (Debian's Chromium, headless): a real server (the Node
// entry, PGlite on disk, the built assets of `npm run build`) with a board seeded through the
// API. Sort, filter, follow links, see the charts drawn, download a bundle and verify it,
// read the pages with hostile names, light and dark, desktop and phone. Screenshots go to
// test-artifacts/web/ for a person to look at.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultPublicDir, type RunningServer, startServer } from "../../api/node.js";
import { openBundle } from "../../schema/index.js";
import { ADMIN_TOKEN, httpFetcher, NO_RATE_LIMITS } from "../fixtures/api.js";
import { HOSTILE_NAME, HOSTILE_SUBMITTER, type SeededBoard, seedBoard } from "../fixtures/board.js";
import { type Browser, launchBrowser } from "../fixtures/browser.js";

const SHOTS = join(process.cwd(), "test-artifacts", "web");
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

let dataDir: string;
let server: RunningServer;
let browser: Browser;
let board: SeededBoard;
let page: Page;
/** Console errors, page errors, CSP violations and dialogs (a script that ran) of the whole session. */
const problems: string[] = [];
/** Set while a test blocks the page scripts on purpose: their failed loads are expected. */
let blockingScripts = false;

beforeAll(async () => {
  if (!defaultPublicDir()) throw new Error("the web assets are not built: run `npm run build` first");
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), "rethink-bench-web-"));
  server = await startServer({ port: 0, dataDir, adminToken: ADMIN_TOKEN, rateLimits: NO_RATE_LIMITS });
  board = await seedBoard(httpFetcher(server.url));
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on("console", (message) => {
    // A page answered 404 or 410 on purpose logs that its document failed to load.
    const expected =
      /status of (404|410)/.test(message.text()) || (blockingScripts && /ERR_FAILED/.test(message.text()));
    if (message.type() === "error" && !expected) problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("dialog", (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function shoot(name: string, viewport: { width: number; height: number }, scheme: "light" | "dark") {
  await page.setViewportSize(viewport);
  await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
  // Charts redraw on a color-scheme or layout change; give them a frame.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await page.screenshot({ path: join(SHOTS, `${name}-${viewport.width}-${scheme}.png`), fullPage: true });
}

/** Structural accessibility of the current page: landmarks, labels, captions, chart descriptions. */
async function accessibilityProblems(): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    if (!document.documentElement.lang) found.push("no lang on <html>");
    if (document.querySelectorAll("h1").length !== 1) found.push("not exactly one h1");
    if (!document.querySelector("main#main")) found.push("no main landmark");
    for (const table of Array.from(document.querySelectorAll("table")))
      if (!table.querySelector("caption")?.textContent?.trim()) found.push("a table without caption");
    for (const canvas of Array.from(document.querySelectorAll("canvas")))
      if (canvas.getAttribute("role") !== "img" || !canvas.getAttribute("aria-label"))
        found.push(`canvas ${canvas.id} without role=img and aria-label`);
    for (const control of Array.from(document.querySelectorAll("select, input:not([type=hidden]), button"))) {
      const labelled =
        (control.id && document.querySelector(`label[for="${control.id}"]`)) ||
        control.textContent?.trim() ||
        control.getAttribute("aria-label");
      if (!labelled) found.push(`unlabelled ${control.tagName}`);
    }
    return found;
  });
}

/** WCAG contrast ratios of text against the page background, in the current color scheme. */
async function lowContrast(selectors: string[]): Promise<string[]> {
  return page.evaluate((list) => {
    const rgb = (color: string) =>
      color
        .match(/[\d.]+/g)!
        .slice(0, 3)
        .map(Number);
    const luminance = (color: string) => {
      const [r, g, b] = rgb(color).map((v) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const background = getComputedStyle(document.body).backgroundColor;
    return list.flatMap((selector) => {
      const element = document.querySelector(selector);
      if (!element) return [`${selector}: missing`];
      const [a, b] = [luminance(getComputedStyle(element).color), luminance(background)].sort((x, y) => y - x);
      const ratio = (a! + 0.05) / (b! + 0.05);
      return ratio >= 4.5 ? [] : [`${selector}: ${ratio.toFixed(2)}`];
    });
  }, selectors);
}

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

function rowNames(): Promise<string[]> {
  return page.locator("table.board tbody th.arch > a").allTextContents();
}

describe("the leaderboard in Chromium", () => {
  it("ranks, sorts and filters through links and the form, and shows hostile names as text", async () => {
    await page.setViewportSize(DESKTOP);
    await page.goto(`${server.url}/`);
    expect(await rowNames()).toEqual(["MLP 1×512", "Small AlexNet, 16 filters", HOSTILE_NAME, "Wide MLP, no fit"]);
    // The hostile name is one text node: no element, no script ran (no dialog).
    const hostile = page.locator("table.board tbody th.arch > a").nth(2);
    expect(await hostile.evaluate((a) => a.children.length)).toBe(0);
    expect(await accessibilityProblems()).toEqual([]);
    await shoot("leaderboard", DESKTOP, "light");
    expect(
      await lowContrast(["body", ".lede", "thead th", ".spread", "caption", ".site-nav a", "table.board a"]),
    ).toEqual([]);

    await page.getByRole("link", { name: "Generalization gap", exact: true }).click();
    await page.waitForURL(/rank=gap/);
    expect(await rowNames()).toEqual([HOSTILE_NAME, "Small AlexNet, 16 filters", "MLP 1×512", "Wide MLP, no fit"]);
    expect(await page.locator("th[aria-sort=ascending]").textContent()).toContain("Gen. gap");

    await page.getByLabel("Backend").selectOption("tensorflow");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/backend=tensorflow/);
    expect(new URL(page.url()).searchParams.get("rank")).toBe("gap");
    // The hostile-named architecture's result and the MLP's replicate come from tensorflow.
    expect(await rowNames()).toHaveLength(2);

    // Keyboard: the first Tab reaches the skip link, which moves focus to the content.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe("Skip to content");
    await page.goto(`${server.url}/?suite=quick`);
    await shoot("leaderboard", PHONE, "dark");
    expect(
      await lowContrast(["body", ".lede", "thead th", ".spread", "caption", ".site-nav a", "table.board a"]),
    ).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  });

  it("draws an architecture's three Figure 1 charts, in light and in dark", async () => {
    await page.setViewportSize(DESKTOP);
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(`${server.url}/`);
    await page.getByRole("link", { name: "MLP 1×512" }).click();
    await page.waitForURL(/\/architectures\//);
    await page.waitForSelector("canvas[data-chart-ready=true] >> nth=2");
    for (const id of ["figure-curves", "figure-steps", "figure-test-error"])
      expect(await paintedPixels(id), id).toBeGreaterThan(2000);
    expect(await page.locator("h1").textContent()).toBe("MLP 1×512");
    expect(await accessibilityProblems()).toEqual([]);
    await shoot("architecture", DESKTOP, "light");
    await shoot("architecture", PHONE, "dark");
    for (const id of ["figure-curves", "figure-steps", "figure-test-error"])
      expect(await paintedPixels(id), `${id} after redraw`).toBeGreaterThan(1000);
  });

  it("keeps every figure's data in a table without JavaScript", async () => {
    await page.route("**/assets/*.js", (route) => route.abort());
    blockingScripts = true;
    try {
      await page.setViewportSize(DESKTOP);
      await page.goto(`${server.url}/architectures/${board.architectures.alexnet.fingerprint}`);
      expect(await page.locator("canvas[data-chart-ready]").count()).toBe(0);
      const figure = page.locator("figure", { hasText: "Figure 1c" });
      await figure.getByText("Data table").click();
      const rows = figure.locator("tbody tr");
      expect(await rows.count()).toBe(6);
      expect(await rows.first().textContent()).toContain("true labels");
    } finally {
      await page.unroute("**/assets/*.js");
      blockingScripts = false;
    }
  });

  it("shows a submission and serves its bundle, which verifies", async () => {
    await page.goto(`${server.url}/submissions/${board.hostileSubmission}`);
    expect(await page.locator(".stat", { hasText: "Submitted by" }).locator(".stat-value").textContent()).toBe(
      HOSTILE_SUBMITTER,
    );
    expect(await page.locator("body").textContent()).toContain(
      `npx rethink-bench verify ${board.hostileSubmission}.dsse.json`,
    );
    expect(await accessibilityProblems()).toEqual([]);
    await shoot("submission", DESKTOP, "light");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: `${board.hostileSubmission}.dsse.json` }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${board.hostileSubmission}.dsse.json`);
    const opened = await openBundle(readFileSync((await download.path())!, "utf8"));
    expect(opened.ok && opened.statement.predicate.submitter.name).toBe(HOSTILE_SUBMITTER);

    await page.goto(`${server.url}/submissions/${board.hidden.id}`);
    expect(await page.locator("q").textContent()).toBe(board.hidden.reason);
    await shoot("submission-hidden", PHONE, "dark");
  });

  it("plots memorization speed and capacity against the gap on the insight page", async () => {
    await page.setViewportSize(DESKTOP);
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(`${server.url}/insight`);
    await page.waitForSelector("canvas[data-chart-ready=true] >> nth=1");
    for (const id of ["figure-memorization-gap", "figure-capacity-gap"])
      expect(await paintedPixels(id), id).toBeGreaterThan(1000);
    expect(
      await page.locator(".stat", { hasText: "Memorization speed vs gap" }).locator(".stat-value").textContent(),
    ).toMatch(/^τ = [+−]?\d\.\d\d$/);
    expect(await accessibilityProblems()).toEqual([]);
    await shoot("insight", DESKTOP, "light");
    await shoot("insight", PHONE, "dark");
  });

  it("explains the protocol with every suite, and links columns to their definitions", async () => {
    await page.goto(`${server.url}/`);
    await page.locator(".columns").getByRole("link", { name: "Protocol" }).nth(2).click();
    await page.waitForURL(/\/protocol#steps-to-fit$/);
    expect(await page.locator("#steps-to-fit dt").textContent()).toBe("Steps and epochs to fit");
    expect(await page.locator("section.suite h3").allTextContents()).toEqual([
      "Smoke test (smoke v3)",
      "Quick sweep (quick v2)",
      "Regularizers (Table 1) (regularizers v2)",
      "Standard (standard v3)",
      "Paper (CIFAR-10) (paper v2)",
    ]);
    expect(await accessibilityProblems()).toEqual([]);
    await shoot("protocol", PHONE, "light");
    await shoot("protocol", DESKTOP, "dark");
  });

  it("ran no script from the data, hit no security-policy refusal and no error on the way", () => {
    expect(problems).toEqual([]);
  });
});
