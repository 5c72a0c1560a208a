// A board of the `regularizers` suite in a real browser (Debian's Chromium, headless): a real server
// (the Node entry, PGlite on disk, the built assets of `npm run build`) with the fixture's bundles
// sent through the API. The leaderboard draws each row's Δ gap strip and the architecture page the
// Table 1 analogue beside the paper's, laid out and readable, light and dark, desktop and phone.
// Screenshots go to test-artifacts/web/ for a person to look at.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultPublicDir, type RunningServer, startServer } from "../../api/node.js";
import { ADMIN_TOKEN, httpFetcher, NO_RATE_LIMITS } from "../fixtures/api.js";
import { type Browser, launchBrowser } from "../fixtures/browser.js";
import { type SeededRegularizersBoard, seedRegularizersBoard } from "../fixtures/regularizers-board.js";

const SHOTS = join(process.cwd(), "test-artifacts", "web");
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

let dataDir: string;
let server: RunningServer;
let browser: Browser;
let board: SeededRegularizersBoard;
let page: Page;
/** Console errors, page errors and CSP violations of the whole session. */
const problems: string[] = [];

beforeAll(async () => {
  if (!defaultPublicDir()) throw new Error("the web assets are not built: run `npm run build` first");
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), "rethink-bench-web-regularizers-"));
  server = await startServer({ port: 0, dataDir, adminToken: ADMIN_TOKEN, rateLimits: NO_RATE_LIMITS });
  board = await seedRegularizersBoard(httpFetcher(server.url));
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function shoot(name: string, viewport: { width: number; height: number }, scheme: "light" | "dark") {
  await page.setViewportSize(viewport);
  await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
  await page.screenshot({ path: join(SHOTS, `${name}-${viewport.width}-${scheme}.png`), fullPage: true });
}

/** Whether an element is laid out where a reader sees it: a box of some size, not hidden. */
function drawn(selector: string): Promise<boolean[]> {
  return page.locator(selector).evaluateAll((elements) =>
    elements.map((element) => {
      const box = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      return box.width > 0 && box.height > 0 && style.visibility !== "hidden" && style.display !== "none";
    }),
  );
}

/** The WCAG contrast of an element's text against the background it sits on (the nearest one painted). */
function contrastOf(selector: string): Promise<number[]> {
  return page.locator(selector).evaluateAll((elements) => {
    const channels = (color: string) =>
      color
        .match(/[\d.]+/g)!
        .slice(0, 4)
        .map(Number);
    const luminance = (color: string) => {
      const [r, g, b] = channels(color).map((v) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const backgroundOf = (element: Element): string => {
      for (let e: Element | null = element; e; e = e.parentElement) {
        const color = getComputedStyle(e).backgroundColor;
        const alpha = channels(color)[3];
        if (alpha === undefined || alpha > 0) return color;
      }
      return getComputedStyle(document.body).backgroundColor;
    };
    return elements.map((element) => {
      const [a, b] = [luminance(getComputedStyle(element).color), luminance(backgroundOf(element))].sort(
        (x, y) => y - x,
      );
      return (a! + 0.05) / (b! + 0.05);
    });
  });
}

describe("a regularizers board in Chromium", () => {
  it("draws each row's Δ gap strip, in suite order, with its figures said in words", async () => {
    await page.setViewportSize(DESKTOP);
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(`${server.url}/?suite=regularizers&rank=gap`);
    expect(await page.locator("table.board caption").textContent()).toContain("every regularizer off");
    const strips = page.locator("table.board tbody ul.delta-strip");
    expect(await strips.count()).toBe(3);
    expect(await drawn("table.board tbody li.delta")).toEqual(new Array(18).fill(true));
    // Rows by gap with every regularizer off: AlexNet (4 pp), reg-net (7 pp), the MLP (10 pp).
    const mlp = strips.nth(2);
    expect(await mlp.locator(".delta-name").allTextContents()).toEqual([
      "wd",
      "crop",
      "crop+wd",
      "dropout",
      "early-stop",
      "bn",
    ]);
    expect(await mlp.locator(".delta-value").allTextContents()).toEqual([
      "−1.0",
      "−4.0",
      "−5.0",
      "−2.0",
      "+2.0",
      "+1.0",
    ]);
    // What a screen reader reads, and what a pointer shows on hover.
    expect(await mlp.getAttribute("aria-label")).toBe(
      "Change of the generalization gap per regularizer, in percentage points",
    );
    expect(await mlp.locator("li").nth(1).getAttribute("title")).toBe(
      "crop makes the median gap 4.0 pp smaller than 10.0 pp with every regularizer off (1 seed)",
    );
    expect(await mlp.locator("li .visually-hidden").nth(1).textContent()).toBe(
      "crop makes the median gap 4.0 pp smaller than 10.0 pp with every regularizer off (1 seed)",
    );
    for (const ratio of await contrastOf("table.board li.delta .delta-value, table.board li.delta .delta-name"))
      expect(ratio).toBeGreaterThanOrEqual(4.5);
    await shoot("leaderboard-regularizers", DESKTOP, "light");
    await shoot("leaderboard-regularizers", PHONE, "dark");
    for (const ratio of await contrastOf("table.board li.delta .delta-value, table.board li.delta .delta-name"))
      expect(ratio, "dark").toBeGreaterThanOrEqual(4.5);
    // The board scrolls inside its region; the page itself does not widen on a phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  });

  it("draws an architecture's Table 1 beside the paper's, from the leaderboard's link", async () => {
    await page.setViewportSize(DESKTOP);
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(`${server.url}/?suite=regularizers&rank=gap`);
    await page.getByRole("link", { name: "Small AlexNet, 16 filters" }).click();
    await page.waitForURL(new RegExp(`/architectures/${board.architectures.alexnet.fingerprint}`));
    const table = page.locator("#table-1 table");
    expect(await drawn("#table-1 table")).toEqual([true]);
    expect(await page.locator("#table-1-heading").textContent()).toBe("Table 1 Regularizers");
    expect(await table.locator("thead th.group").allTextContents()).toEqual([
      "True labels",
      "Random labels",
      "Paper, AlexNet (CIFAR-10)",
    ]);
    const rows = table.locator("tbody tr");
    expect(await rows.count()).toBe(7);
    const cells = (i: number) => rows.nth(i).locator("td").allTextContents();
    // crop: ours 100.0% / 98.0% on true labels, 100.0% / 10.0% on random labels fitted at epoch 11;
    // the paper's AlexNet with random crops 99.82% / 79.66%, no random-label figure.
    expect(await cells(2)).toEqual(["100.0%", "98.0%", "100.0%", "10.0%", "11", "99.82% / 79.66%", "—"]);
    // wd on random labels never fitted here, and the paper's AlexNet "failed to converge" (Appendix E).
    const wd = await cells(1);
    expect(wd[4]).toBe("not fitted");
    expect(wd[6]).toBe("did not converge");
    expect(await rows.nth(1).locator("td .censored").count()).toBe(2);
    await page.locator("#table-1").scrollIntoViewIfNeeded();
    await shoot("architecture-table-1", DESKTOP, "light");
    await shoot("architecture-table-1", PHONE, "dark");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect(await drawn("#table-1 table")).toEqual([true]);
  });

  it("hit no script error and no security-policy refusal on the way", () => {
    expect(problems).toEqual([]);
  });
});
