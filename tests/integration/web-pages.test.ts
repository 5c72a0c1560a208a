// Each web page route on embedded Postgres (PGlite), with a board seeded through the real
// API: status, cache headers and security policy, what each page shows, escaping of hostile
// names, not-found and invalid filters, and HTML (not problem+json) for every page error.
import { beforeAll, describe, expect, it } from "vitest";
import { Leaderboard, MEASURES, openBundle, Problem } from "../../schema/index.js";
import { appOn, postBundle, signedBundle } from "../fixtures/api.js";
import { HOSTILE_NAME, HOSTILE_SUBMITTER, type SeededBoard, seedBoard } from "../fixtures/board.js";
import { usePgliteApp } from "../fixtures/pglite.js";

const ASSETS = {
  stylesheet: "/assets/site-TEST.css",
  icon: "/assets/icon-TEST.svg",
  scripts: { architecture: "/assets/architecture-TEST.js", insight: "/assets/insight-TEST.js" },
};

const pg = usePgliteApp({ app: { assets: async () => ASSETS } });
let board: SeededBoard;

async function page(path: string, status = 200): Promise<{ html: string; res: Response }> {
  const res = await pg.app.request(path);
  expect(res.status, path).toBe(status);
  expect(res.headers.get("content-type")).toBe("text/html; charset=UTF-8");
  expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
  return { html: await res.text(), res };
}

/** The JSON a page embeds for its charts. */
function pageData<T>(html: string): T {
  const match = /<script type="application\/json" id="page-data">(.*?)<\/script>/s.exec(html);
  expect(match, "page-data element").not.toBeNull();
  return JSON.parse(match![1]!) as T;
}

/** Architecture links of the board's rows, in order: fingerprints. */
function rowFingerprints(html: string): string[] {
  return [...html.matchAll(/<th scope="row" class="arch"><a href="\/architectures\/([0-9a-f]{64})/g)].map((m) => m[1]!);
}

const entity = (text: string) =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

describe("an empty board", () => {
  it("says how to submit, with the suite's own commands", async () => {
    const { html, res } = await page("/");
    expect(html).toContain("No results on Quick sweep v2 · mnist-10k yet");
    expect(html).toContain("npx rethink-bench run --suite quick");
    expect(html).toContain("npx rethink-bench submit rethink-results/quick-*.dsse.json");
    expect(html).toContain(`<link rel="stylesheet" href="${ASSETS.stylesheet}"/>`);
    expect(res.headers.get("cache-control")).toBe("public, max-age=5, s-maxage=10");
    expect(res.headers.get("cache-tag")).toBe("rb-page,rb-suite-quick-v2");
  });

  it("renders the protocol with the reproduction queue, cached like a board since the queue changes", async () => {
    const app = appOn(pg.handle, { assets: async () => ASSETS });
    const res = await app.request("/protocol");
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const id of ["smoke", "quick", "regularizers", "standard", "paper"])
      expect(html).toContain(`id="suite-${id}"`);
    // The paper suite: 4 architectures × 15 conditions (+2 for small-inception) × 3 seeds.
    expect(html).toContain("186 per dataset");
    // What each regularizer does, with the regularizers suite's figures (web/pages/protocol/regularizers.tsx).
    expect(html).toContain('<section id="regularizers" aria-labelledby="regularizers-heading">');
    expect(html).toContain('<a href="#regularizers">Regularizers</a>');
    expect(res.headers.get("cache-control")).toBe("public, max-age=5, s-maxage=10");
  });
});

describe("with a seeded board", () => {
  beforeAll(async () => {
    board = await seedBoard(pg.app);
  });

  it("ranks by memorization speed by default, marks provisional and censored rows, escapes names", async () => {
    const { html } = await page("/");
    const a = board.architectures;
    expect(rowFingerprints(html)).toEqual([
      a.mlp.fingerprint,
      a.alexnet.fingerprint,
      a.hostile.fingerprint,
      a.stuck.fingerprint,
    ]);
    expect(html).toContain(entity(HOSTILE_NAME));
    expect(html).not.toContain(HOSTILE_NAME);
    expect(html).not.toContain("<script>alert");
    // The quick suite lists one seed, and every row holds it: nothing is provisional.
    expect(html).not.toContain('class="provisional"');
    expect(html).toContain("not fitted");
    // MLP fits random labels at epoch 24 → 8 steps per epoch (1,000 images, batch 128): 192 steps.
    expect(html).toContain('<span class="median">192</span>');
    expect(html).not.toContain(board.hidden.architecture);
    expect(html).toMatch(/aria-sort="ascending"><a href="[^"]*rank=memorization/);
  });

  it("sorts by generalization gap", async () => {
    const { html } = await page("/?suite=quick&rank=gap");
    const a = board.architectures;
    expect(rowFingerprints(html)).toEqual([
      a.hostile.fingerprint,
      a.alexnet.fingerprint,
      a.mlp.fingerprint,
      a.stuck.fingerprint,
    ]);
    expect(html).toMatch(/aria-sort="ascending"><a href="[^"]*rank=gap/);
  });

  it("filters by backend, and keeps the filter in every sort link", async () => {
    const { html } = await page("/?suite=quick&version=2&dataset=mnist-10k&backend=tensorflow");
    // From tensorflow: the hostile-named architecture's standing result, and Bo's replicate of the
    // MLP, which is listed but ranks after it: figures rest on standing results only.
    expect(rowFingerprints(html)).toEqual([
      board.architectures.hostile.fingerprint,
      board.architectures.mlp.fingerprint,
    ]);
    expect(html).toContain("tensorflow backend only");
    expect(html).toContain(
      'href="/?suite=quick&amp;version=2&amp;dataset=mnist-10k&amp;rank=gap&amp;backend=tensorflow"',
    );
    expect(html).toContain('<option value="tensorflow" selected="">tensorflow</option>');
    const none = await page("/?suite=quick&backend=cpu");
    expect(none.html).toContain("No results from the cpu backend on this board");
  });

  it("offers CSV and JSON downloads of exactly the rows shown", async () => {
    const { html } = await page("/?rank=gap&backend=wasm");
    const shown = rowFingerprints(html);
    const json = /href="(\/api\/v1\/leaderboard\?[^"]*)">JSON<\/a>/.exec(html)![1]!.replace(/&amp;/g, "&");
    const csv = /href="(\/api\/v1\/leaderboard\?[^"]*)">CSV<\/a>/.exec(html)![1]!.replace(/&amp;/g, "&");
    const body = Leaderboard.parse(await (await pg.app.request(json)).json());
    expect(body.rows.map((r) => r.architecture.fingerprint)).toEqual(shown);
    expect(body).toMatchObject({ rank: "gap", backend: "wasm" });
    const lines = (await (await pg.app.request(csv)).text()).trim().split("\r\n");
    const column = lines[0]!.split(",").indexOf("architecture_fingerprint");
    expect(lines.slice(1).map((line) => line.split(",")[column])).toEqual(shown);
  });

  it("pages a board of more architectures than a page holds, each page with its own downloads", async () => {
    // 52 architectures on the smoke board, in two bundles (at most 32 architectures each).
    const specs = Array.from({ length: 52 }, (_, i) => ({ id: `net-${String(i).padStart(2, "0")}`, name: `Net ${i}` }));
    for (const part of [specs.slice(0, 26), specs.slice(26)]) {
      const res = await postBundle(
        pg.app,
        (
          await signedBundle({
            architectures: part,
            fitEpoch: (task) => (task.corruption.kind === "true" ? 5 : 7 + (Number(task.architecture.slice(4)) % 40)),
          })
        ).text,
      );
      expect(res.status).toBe(201);
    }
    const first = await page("/?suite=smoke");
    expect(rowFingerprints(first.html)).toHaveLength(50);
    expect(first.html).toContain("Rows 1–50 of 52 · page 1 of 2");
    const next = /<a rel="next" href="([^"]+)"/.exec(first.html)![1]!.replace(/&amp;/g, "&");
    const second = await page(next);
    const shown = rowFingerprints(second.html);
    expect(shown).toHaveLength(2);
    expect(second.html).toContain("Rows 51–52 of 52 · page 2 of 2");
    expect(second.html).toContain('rel="prev"');
    const csv = /href="(\/api\/v1\/leaderboard\?[^"]*)">CSV<\/a>/.exec(second.html)![1]!.replace(/&amp;/g, "&");
    expect(csv).toContain("cursor=");
    const lines = (await (await pg.app.request(csv)).text()).trim().split("\r\n");
    const column = lines[0]!.split(",").indexOf("architecture_fingerprint");
    expect(lines.slice(1).map((line) => line.split(",")[column])).toEqual(shown);
  });

  it("pages: a page past the end says so and links the first", async () => {
    const { html } = await page("/?page=2");
    expect(html).toContain("No page 2");
    expect(html).toContain('href="/?suite=quick&amp;version=2&amp;dataset=mnist-10k&amp;rank=memorization"');
  });

  it("answers a bad filter or a board this server does not rank with a 400 page, never cached", async () => {
    const bad = await page("/?rank=fastest", 400);
    expect(bad.html).toContain("This filter is not valid");
    expect(bad.res.headers.get("cache-control")).toBe("no-store");
    const unknown = await page("/?suite=nope", 400);
    expect(unknown.html).toContain("No such board");
    expect(unknown.html).toContain(
      "suite: unknown suite nope; this server ranks smoke v3, quick v2, regularizers v2, standard v3, paper v2.",
    );
    expect(unknown.res.headers.get("cache-control")).toBe("no-store");
  });

  it("refuses a dataset the suite does not have instead of showing another board, and lists the boards", async () => {
    // The suite's own board holds rows: a page that fell back to it would show them.
    expect(rowFingerprints((await page("/?suite=quick&dataset=mnist-10k")).html)).toHaveLength(4);
    const { html } = await page("/?suite=quick&dataset=cifar10", 400);
    expect(rowFingerprints(html)).toHaveLength(0);
    expect(html).toContain("dataset: suite quick v2 has no dataset cifar10 (it has mnist-10k).");
    expect(html).toContain('<a href="/?suite=quick&amp;version=2&amp;dataset=mnist-10k&amp;rank=memorization">');
    expect(html).toContain('<a href="/?suite=paper&amp;version=2&amp;dataset=cifar10&amp;rank=memorization">');
    const insight = await page("/insight?suite=quick&dataset=cifar10", 400);
    expect(insight.html).toContain("dataset: suite quick v2 has no dataset cifar10 (it has mnist-10k).");
    expect(insight.html).toContain('<a href="/insight?suite=quick&amp;version=2&amp;dataset=mnist-10k">');
  });

  it("names a board exactly as the API does: the same boards answer, the same parameter is refused", async () => {
    for (const [query, path] of [
      ["suite=quick&version=2&dataset=mnist-10k", null],
      ["suite=quick&dataset=cifar10", "query.dataset"],
      ["suite=nope", "query.suite"],
      ["suite=quick&version=9", "query.version"],
    ] as const) {
      const api = await pg.app.request(`/api/v1/leaderboard?${query}`);
      if (path === null) {
        expect(api.status, query).toBe(200);
        const rows = Leaderboard.parse(await api.json()).rows.map((r) => r.architecture.fingerprint);
        expect(rowFingerprints((await page(`/?${query}`)).html), query).toEqual(rows);
        continue;
      }
      expect(api.status, query).toBe(400);
      const problem = Problem.parse(await api.json());
      expect(problem.errors?.[0]?.path, query).toBe(path);
      const { html } = await page(`/?${query}`, 400);
      expect(html, query).toContain(entity(`${path.slice("query.".length)}: ${problem.errors![0]!.message}.`));
    }
  });

  it("shows an architecture: standing, Figure 1 data with spread, every condition, topology", async () => {
    const { html, res } = await page(`/architectures/${board.architectures.mlp.fingerprint}`);
    expect(res.headers.get("cache-tag")).toContain("rb-suite-quick-v2");
    expect(html).toContain("#1 of 4");
    expect(html).toContain("A model of 4 layers with 407,050 parameters");
    const data = pageData<{
      curves: { name: string; runs: number; points: { median: number }[] }[];
      sweep: { level: number; testError: { median: number; q1: number; q3: number; runs: number } }[];
      fitThreshold: number;
    }>(html);
    expect(data.curves.map((s) => s.name)).toEqual([
      "true labels",
      "20% random labels",
      "40% random labels",
      "60% random labels",
      "80% random labels",
      "random labels",
      "shuffled pixels",
      "random pixels",
      "Gaussian inputs",
    ]);
    // Every visible run of each condition is drawn: Ada's, Bo's confirmation and Bo's replicate on
    // tensorflow, each fitted by its last epoch.
    expect(data.curves.every((s) => s.runs === 3 && s.points.at(-1)!.median === 1)).toBe(true);
    expect(data.sweep.map((p) => p.level)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    // Test error on true labels: 1 − 0.91.
    expect(data.sweep[0]!.testError).toMatchObject({ runs: 1 });
    expect(data.sweep[0]!.testError.median).toBeCloseTo(0.09, 9);
    expect(data.sweep[0]!.testError.q1).toBeCloseTo(0.09, 9);
    expect(data.fitThreshold).toBe(1);
    expect(html).toContain(`<script type="module" src="${ASSETS.scripts.architecture}"></script>`);
    // Figures 1a–1c, and one chart per complexity measure (Figure 4).
    expect(html.match(/<canvas /g)).toHaveLength(3 + MEASURES.length);
  });

  it("answers 404 for an unknown, malformed or hidden architecture, or a board it never ran on", async () => {
    await page(`/architectures/${"0".repeat(64)}`, 404);
    await page("/architectures/not-a-fingerprint", 404);
    await page(`/architectures/${board.hidden.architecture}`, 404);
    await page(`/architectures/${board.architectures.mlp.fingerprint}?suite=smoke`, 404);
    await page(`/architectures/${board.architectures.mlp.fingerprint}?version=zero`, 400);
  });

  it("shows a submission with its signer, machine, runs and how to verify it", async () => {
    const id = board.hostileSubmission;
    const { html } = await page(`/submissions/${id}`);
    expect(html).toContain(entity(HOSTILE_SUBMITTER));
    expect(html).not.toContain("<img src=x");
    expect(html).toContain(`npx rethink-bench verify ${id}.dsse.json`);
    expect(html).toContain(`curl -fLo ${id}.dsse.json http://localhost/submissions/${id}/bundle`);
    expect(html.match(/<tr>/g)!.length).toBeGreaterThanOrEqual(9);
    expect(html).toContain("NVIDIA T4");
  });

  it("serves the bundle as a file that verifies and is this submission", async () => {
    const id = board.hostileSubmission;
    const res = await pg.app.request(`/submissions/${id}/bundle`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${id}.dsse.json"`);
    const opened = await openBundle(await res.text());
    expect(opened.ok).toBe(true);
    expect(opened.ok && `sub_${opened.payloadSha256.slice(0, 32)}`).toBe(id);
  });

  it("shows a hidden submission's moderation reason with 410, never cached; 404 for an unknown one", async () => {
    const { html, res } = await page(`/submissions/${board.hidden.id}`, 410);
    expect(html).toContain(entity(board.hidden.reason));
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect((await pg.app.request(`/submissions/${board.hidden.id}/bundle`)).status).toBe(410);
    await page(`/submissions/sub_${"0".repeat(32)}`, 404);
    await page("/submissions/nothing", 404);
  });

  it("relates memorization speed and capacity to the gap by Kendall's tau, chart data names escaped", async () => {
    const { html } = await page("/insight?suite=quick");
    const data = pageData<{
      points: { name: string; stepsToFit: number | null; censored: boolean; genGap: number; parameterCount: number }[];
    }>(html);
    expect(data.points.map((p) => p.name)).toContain(HOSTILE_NAME);
    // Inside the data element no character can end it or start markup.
    const raw = html.slice(html.indexOf('id="page-data">') + 15, html.lastIndexOf("</script>"));
    expect(raw).toContain("\\u003cscript\\u003e");
    expect(raw).not.toMatch(/[<>&]/);
    // The seeded board: steps to fit random labels, parameters → gap: 192, 407,050 → 9.0 pp;
    // 288, 384,122 → 4.5; 352, 101,770 (784·128 + 128 + 128·10 + 10) → 3.5; never (slowest),
    // 3,256,330 (784·4096 + 4096 + 4096·10 + 10) → 10.0. Steps: of the six pairs three order
    // both figures alike and three oppositely, τ = 0. Parameters: all six alike, τ = +1.
    expect(data.points.map((p) => [p.stepsToFit, p.parameterCount, Math.round(p.genGap * 1000) / 1000])).toEqual([
      [192, 407050, 0.09],
      [288, 384122, 0.045],
      [352, 101770, 0.035],
      [null, 3256330, 0.1],
    ]);
    // The two stat cards come first; the complexity measures' verdict and ranking follow (tests/e2e/web-measures).
    expect(html.match(/τ = [+−]?\d\.\d\d/g)!.slice(0, 2)).toEqual(["τ = 0.00", "τ = +1.00"]);
    expect(html).toContain("Not drawn, ranked as slowest: Wide MLP, no fit");
  });

  it("answers unknown paths with a 404 page and keeps problem+json for the API", async () => {
    const { html } = await page("/no/such/page", 404);
    expect(html).toContain("Nothing lives at /no/such/page.");
    const api = await pg.app.request("/api/v1/no-such-route");
    expect(api.headers.get("content-type")).toBe("application/problem+json");
  });

  it("answers 503 with a page and Retry-After when the database cannot be reached", async () => {
    const down = appOn(pg.handle, {
      assets: async () => ASSETS,
      log: () => undefined,
      database: () => {
        throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
      },
    });
    const res = await down.request("/");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("30");
    expect(res.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    expect(await res.text()).toContain("the database cannot be reached right now");
  });
});
