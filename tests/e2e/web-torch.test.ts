// A PyTorch engine's bundle in a real browser (Debian's Chromium, headless) on a real server: its
// board row says PyTorch and "PyTorch module", the backend filter offers the PyTorch backends, the
// architecture page shows the module tree instead of a layer table, and the submission page the
// torch, CUDA and cuDNN versions and the device.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultPublicDir, type RunningServer, startServer } from "../../api/node.js";
import { ADMIN_TOKEN, httpFetcher, NO_RATE_LIMITS, postBundle, signedBundle } from "../fixtures/api.js";
import { type Browser, launchBrowser } from "../fixtures/browser.js";
import { mlpModuleDescription, mlpModuleParameterCount, TORCH_CUDA_ENGINE } from "../fixtures/torch-module.js";

const SHOTS = join(process.cwd(), "test-artifacts", "web");
const BOARD = "suite=smoke&dataset=mnist-10k&verified=all";

let dataDir: string;
let server: RunningServer;
let browser: Browser;
let page: Page;
const problems: string[] = [];
const posted = {} as { torchId: string; fingerprint: string };

async function post(bundle: { text: string }): Promise<string> {
  const response = await postBundle(httpFetcher(server.url), bundle.text);
  if (response.status !== 201)
    throw new Error(`POST /submissions answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

beforeAll(async () => {
  if (!defaultPublicDir()) throw new Error("the web assets are not built: run `npm run build` first");
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), "rethink-bench-web-torch-"));
  server = await startServer({ port: 0, dataDir, adminToken: ADMIN_TOKEN, rateLimits: NO_RATE_LIMITS });
  const torch = await signedBundle({
    engine: TORCH_CUDA_ENGINE,
    architectures: [
      {
        id: "tiny-net",
        name: "Tiny net",
        topology: mlpModuleDescription(784),
        torchModule: { parameterCount: mlpModuleParameterCount(784) },
      },
    ],
    fitEpochs: { true: 4, random: 5 },
    hardware: { gpu: "NVIDIA H100 80GB HBM3" },
    submitterName: "Ada",
  });
  posted.torchId = await post(torch);
  posted.fingerprint = torch.predicate.architectures[0]!.fingerprint;
  await post(await signedBundle({ submitterName: "Bo" }));

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

/** The board row of an architecture by its name. */
function row(name: string) {
  return page.locator("table.board tbody tr", { has: page.locator("th.arch > a", { hasText: name }) });
}

describe("a PyTorch result in Chromium", () => {
  it("says PyTorch and PyTorch module on its board row, beside a TF.js row", async () => {
    await page.goto(`${server.url}/?${BOARD}`);
    expect(await page.locator("table.board tbody th.arch > a").allTextContents()).toEqual(["Tiny net", "MLP 1×512"]);
    const torchRow = row("Tiny net");
    expect(await torchRow.locator("th.arch .badge").textContent()).toBe("PyTorch module");
    expect(await torchRow.locator("td.best .sub").textContent()).toContain("PyTorch (CUDA)");
    expect(await row("MLP 1×512").locator("th.arch .badge").count()).toBe(0);
    expect(await row("MLP 1×512").locator("td.best .sub").textContent()).toContain("wasm");
    await page.screenshot({ path: join(SHOTS, "leaderboard-torch-1280-light.png"), fullPage: true });
  });

  it("filters the board to the PyTorch (CUDA) backend by its label", async () => {
    await page.goto(`${server.url}/?${BOARD}`);
    await page.locator("select#backend").selectOption({ label: "PyTorch (CUDA)" });
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/backend=torch-cuda/);
    expect(await page.locator("table.board tbody th.arch > a").allTextContents()).toEqual(["Tiny net"]);
  });

  it("shows the module tree on the architecture page", async () => {
    await page.goto(`${server.url}/architectures/${posted.fingerprint}?suite=smoke`);
    expect(await page.locator("header.page-head .meta").first().textContent()).toContain("PyTorch module");
    const topology = page.locator("section[aria-labelledby=topology-heading]");
    expect(await topology.locator("p").first().textContent()).toContain("A PyTorch module (TinyNet) of 5 submodules");
    await topology.locator("summary", { hasText: "Every module" }).click();
    const fc1 = topology.locator("tbody tr", { has: page.locator("code", { hasText: /^fc1$/ }) });
    expect(await fc1.locator("th").getAttribute("title")).toBe("torch.nn.modules.linear.Linear");
    expect(await fc1.locator("td").nth(2).textContent()).toBe("bias 32, weight 32×784");
    await page.screenshot({ path: join(SHOTS, "architecture-torch-module-1280-light.png"), fullPage: true });
  });

  it("shows the engine's versions and device on the submission page", async () => {
    await page.goto(`${server.url}/submissions/${posted.torchId}`);
    expect(await page.locator(".stat", { hasText: "Backend" }).textContent()).toContain("PyTorch (CUDA)");
    const engine = page.locator("dl.facts div", { has: page.locator("dt", { hasText: "PyTorch engine" }) });
    const text = await engine.locator("dd").textContent();
    for (const part of ["PyTorch 2.5.1+cu124", "CUDA 12.4", "cuDNN 9.1.0", "cuda:0 (NVIDIA H100 80GB HBM3)"])
      expect(text).toContain(part);
    expect(problems).toEqual([]);
  });
});
