// The report's figures come from the project's own pages: the signed bundles go to a local
// leaderboard (the Node entry, in-memory PGlite), and Debian's Chromium screenshots the
// Chart.js figures that the architecture pages draw. The API's answers feed the report's
// tables, so a table and the chart beside it show the same numbers.
import { join } from "node:path";
import type { Page } from "playwright-core";
import { defaultPublicDir, type RunningServer, startServer } from "../../api/node.js";
import { ArchitectureDetail, type BoardMeasureRun, BoardMeasures, Leaderboard } from "../../schema/index.js";
import { type Browser, launchBrowser } from "../../tests/fixtures/browser.js";
import { architectureHref, type BoardRef, leaderboardHref } from "../../web/index.js";

/** Pixels per CSS pixel of the screenshots: sharp on high-density screens, small enough to commit. */
const SCALE = 2;

/** A chart to capture: the canvas id on an architecture's page, and the PNG to write. */
export interface Shot {
  canvasId: "figure-curves" | "figure-steps" | "figure-test-error";
  file: string;
}

/** The API answers under /api/v1 with the same board query as the pages. */
const API = "/api/v1";

/**
 * Every standing run with measures of a board, page by page from GET /leaderboard/measures
 * (`verified=all`: a local server has no operator reproducer keys, so nothing is verified).
 */
async function readBoardMeasures(serverUrl: string, board: BoardRef): Promise<BoardMeasureRun[]> {
  const runs: BoardMeasureRun[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({
      suite: board.suite,
      version: String(board.version),
      dataset: board.dataset,
      verified: "all",
      limit: "1000",
      ...(cursor === null ? {} : { cursor }),
    });
    const path = `${API}/leaderboard/measures?${query}`;
    const response = await fetch(`${serverUrl}${path}`);
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
    const page = BoardMeasures.parse(await response.json());
    runs.push(...page.runs);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return runs;
}

/**
 * The measures of one bundle's board on a server of its own: the same slot trained on another
 * engine is a replicate on a shared board, never a standing run, so each engine's board needs
 * its own server to be ranked like a board of that engine alone.
 */
export async function boardMeasuresOf(text: string, board: BoardRef): Promise<BoardMeasureRun[]> {
  const server = await startServer({ port: 0 });
  try {
    await submitTo(server.url, text);
    return await readBoardMeasures(server.url, board);
  } finally {
    await server.close();
  }
}

/** Submits a signed bundle through the API, as `rethink-bench submit` does. */
async function submitTo(serverUrl: string, text: string): Promise<void> {
  const response = await fetch(`${serverUrl}${API}/submissions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: text,
  });
  if (!response.ok)
    throw new Error(`the local leaderboard refused a bundle: ${response.status} ${await response.text()}`);
}

/** A local leaderboard with a browser to look at it. */
export class LocalBoard {
  private constructor(
    private readonly server: RunningServer,
    private readonly browser: Browser,
    private readonly page: Page,
  ) {}

  static async open(): Promise<LocalBoard> {
    if (!defaultPublicDir()) throw new Error("the web assets are not built: run `npm run build` first");
    // Rate limits are the server's defaults: a report submits a handful of bundles.
    const server = await startServer({ port: 0 });
    try {
      const browser = await launchBrowser({ deviceScaleFactor: SCALE });
      const page = await browser.context.newPage();
      await page.setViewportSize({ width: 1000, height: 900 });
      // Light theme, and no chart animation: Chart.js draws the final frame at once.
      await page.emulateMedia({ colorScheme: "light", reducedMotion: "reduce" });
      return new LocalBoard(server, browser, page);
    } catch (error) {
      await server.close();
      throw error;
    }
  }

  /** Submits a signed bundle through the API, as `rethink-bench submit` does. */
  async submit(text: string): Promise<void> {
    await submitTo(this.server.url, text);
  }

  /** The board's standing runs with their complexity measures, every page. */
  async measures(board: BoardRef): Promise<BoardMeasureRun[]> {
    return readBoardMeasures(this.server.url, board);
  }

  async leaderboard(board: BoardRef): Promise<Leaderboard> {
    const page = new URL(leaderboardHref({ ...board, rank: "memorization", backend: null, page: 1 }), this.server.url);
    return Leaderboard.parse(await this.get(`${API}/leaderboard${page.search}`));
  }

  async architecture(fingerprint: string, board: BoardRef): Promise<ArchitectureDetail> {
    return ArchitectureDetail.parse(await this.get(`${API}${architectureHref(fingerprint, board)}`));
  }

  /** Opens an architecture's page and saves each chart (the canvas's box, as drawn) as a PNG. */
  async screenshot(fingerprint: string, board: BoardRef, shots: readonly Shot[], dir: string): Promise<void> {
    await this.page.goto(`${this.server.url}${architectureHref(fingerprint, board)}`);
    for (const shot of shots) {
      const canvas = this.page.locator(`#${shot.canvasId}[data-chart-ready="true"]`);
      await canvas.waitFor({ timeout: 30_000 });
      await canvas.locator("xpath=..").screenshot({ path: join(dir, shot.file), scale: "device" });
    }
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.server.close();
  }

  private async get(path: string): Promise<unknown> {
    const response = await fetch(`${this.server.url}${path}`);
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
    return response.json();
  }
}
