// Non-neural baselines on the board, on embedded Postgres (PGlite): a real kernel bundle
// (minimum-norm interpolation solved on 250 MNIST digits, smoke suite) next to two trained
// architectures. The kernel is never ranked; its gap and accuracies are shown as baselines
// by the API (JSON, CSV, OpenAPI) and the pages, and its SGD figures as not applicable.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../api/db/client.js";
import { openDatabase } from "../../api/db/open.js";
import {
  ArchitectureDetail,
  Leaderboard,
  type ResultPredicate,
  type RunResult,
  SubmissionReceipt,
} from "../../schema/index.js";
import { appOn, postBundle, signedBundle } from "../fixtures/api.js";
import { newSigner } from "../fixtures/bundles.js";
import { kernelBundle } from "../fixtures/kernel-bundle.js";

const ASSETS = {
  stylesheet: "/assets/site-TEST.css",
  icon: "/assets/icon-TEST.svg",
  scripts: { architecture: "/assets/architecture-TEST.js", insight: "/assets/insight-TEST.js" },
};

let handle: DatabaseHandle;
let app: ReturnType<typeof appOn>;
let kernel: ResultPredicate;
let kernelSubmission: string;
const fingerprints: Record<string, string> = {};

/** The kernel bundle's run on this corruption. */
function kernelRun(kind: "true" | "random"): RunResult {
  return kernel.runs.find((r) => r.task.corruption.kind === kind)!;
}

async function submit(bundle: Awaited<ReturnType<typeof signedBundle>>): Promise<string> {
  const res = await postBundle(app, bundle.text);
  expect(res.status, await res.clone().text()).toBe(201);
  for (const a of bundle.predicate.architectures) fingerprints[a.id] = a.fingerprint;
  return SubmissionReceipt.parse(await res.json()).id;
}

async function board(query: string): Promise<Leaderboard> {
  const res = await app.request(`/api/v1/leaderboard?${query}`);
  expect(res.status).toBe(200);
  return Leaderboard.parse(await res.json());
}

/** The cells of one RFC 4180 line (quoted cells may hold commas: the kernel's name does). */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      cells.push(cell);
      cell = "";
    } else cell += ch;
  }
  return [...cells, cell];
}

async function html(path: string): Promise<string> {
  const res = await app.request(path);
  expect(res.status, path).toBe(200);
  return res.text();
}

beforeAll(async () => {
  handle = await openDatabase({ driver: "pglite" });
  app = appOn(handle, { assets: async () => ASSETS });
  const [ada, kai] = [await newSigner(), await newSigner()];
  // Two trained architectures: random labels fit after 30 and 40 epochs (60 and 80 SGD steps).
  await submit(
    await signedBundle({
      signer: ada,
      architectures: [{ id: "arch-a" }],
      fitEpochs: { true: 10, random: 30 },
      testAcc: (t) => (t.corruption.kind === "true" ? 0.8 : 0.1),
    }),
  );
  await submit(
    await signedBundle({
      signer: ada,
      architectures: [{ id: "arch-b" }],
      fitEpochs: { true: 12, random: 40 },
      testAcc: (t) => (t.corruption.kind === "true" ? 0.85 : 0.1),
    }),
  );
  const bundle = await kernelBundle(kai);
  kernel = bundle.predicate;
  kernelSubmission = await submit(bundle);
});
afterAll(() => handle?.close());

describe("a kernel bundle", () => {
  it("is a real interpolation: every training label fitted, true and random, and one epoch's steps claimed", () => {
    expect(kernel.architectures).toEqual([expect.objectContaining({ id: "rbf-kernel", kind: "kernel" })]);
    expect(kernelRun("true").derived.finalTrainAcc).toBe(1);
    expect(kernelRun("random").derived.finalTrainAcc).toBe(1);
    expect(kernelRun("true").derived.finalTestAcc!).toBeGreaterThan(0.6);
    // Two SGD steps per smoke epoch: were it ranked, the kernel would be the fastest memorizer by far.
    expect(kernelRun("random").derived.stepsToFit).toBe(2);
  });
});

describe("GET /api/v1/leaderboard with a baseline", () => {
  it("ranks only the trained architectures, lists the kernel as a baseline with its true-label figures", async () => {
    const b = await board("suite=smoke");
    expect(b.rows.map((r) => [r.rank, r.architecture.id])).toEqual([
      [1, "arch-a"],
      [2, "arch-b"],
    ]);
    expect(b.total).toBe(2);
    const truth = kernelRun("true").derived;
    expect(b.baselines).toEqual([
      {
        architecture: expect.objectContaining({
          id: "rbf-kernel",
          kind: "kernel",
          fingerprint: fingerprints["rbf-kernel"],
          parameterCount: 250 * 10,
        }),
        genGap: {
          median: truth.genGap,
          q1: truth.genGap,
          q3: truth.genGap,
          // True labels do not depend on the seed: the kernel's three seeds give one gap.
          runs: 3,
          censoredRuns: 0,
          failedRuns: 0,
          seeds: 3,
          provisional: false,
        },
        trainAccuracy: 1,
        testAccuracy: truth.finalTestAcc,
        counts: {
          seeds: 3,
          standing: 6,
          confirmations: 0,
          contests: 0,
          replicates: 0,
          reproductions: 0,
          verified: 0,
          failed: 0,
          submissions: 1,
          keys: 1,
        },
      },
    ]);
  });

  it("leaves the kernel out of the gap ranking too", async () => {
    const b = await board("suite=smoke&rank=gap");
    expect(b.rows.map((r) => r.architecture.id)).toEqual(["arch-b", "arch-a"]);
    expect(b.baselines.map((r) => r.architecture.id)).toEqual(["rbf-kernel"]);
  });

  it("lists baselines on the first page only", async () => {
    const first = await board("suite=smoke&limit=1");
    expect(first.baselines).toHaveLength(1);
    const second = await board(`suite=smoke&limit=1&cursor=${first.nextCursor}`);
    expect(second.rows.map((r) => r.architecture.id)).toEqual(["arch-b"]);
    expect(second.baselines).toEqual([]);
  });

  it("filters baselines by backend like the rows: the kernel's backend is none", async () => {
    const none = await board("suite=smoke&backend=none");
    expect(none).toMatchObject({ rows: [], total: 0 });
    expect(none.baselines.map((r) => r.architecture.id)).toEqual(["rbf-kernel"]);
    expect((await board("suite=smoke&backend=wasm")).baselines).toEqual([]);
  });

  it("exports baselines in CSV after the ranked rows, without rank or SGD figures", async () => {
    const text = await (await app.request("/api/v1/leaderboard?suite=smoke&format=csv")).text();
    const [header, ...lines] = text.trimEnd().split("\r\n").map(csvCells);
    const records = lines.map((cells) => Object.fromEntries(header!.map((h, i) => [h, cells[i]])));
    expect(
      records.every(
        (r) => Object.keys(r).length === header!.length && lines.every((cells) => cells.length === header!.length),
      ),
    ).toBe(true);
    expect(records[2]!.architecture_name).toBe(kernel.architectures[0]!.name);
    expect(records.map((r) => [r.row_kind, r.rank, r.architecture_id])).toEqual([
      ["ranked", "1", "arch-a"],
      ["ranked", "2", "arch-b"],
      ["baseline", "", "rbf-kernel"],
    ]);
    const truth = kernelRun("true").derived;
    expect(records[2]).toMatchObject({
      steps_to_fit_median: "",
      epochs_to_fit_median: "",
      slowdown_median: "",
      best_wall_seconds_to_fit: "",
      gen_gap_median: String(truth.genGap),
      test_accuracy_median: String(truth.finalTestAcc),
    });
    expect(records[0]!.steps_to_fit_median).toBe("60");
  });

  it("describes baselines in the OpenAPI document", async () => {
    const doc = (await (await app.request("/api/v1/openapi.json")).json()) as {
      components: { schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }> };
    };
    expect(doc.components.schemas.Leaderboard!.required).toContain("baselines");
    expect(doc.components.schemas.Leaderboard!.properties.baselines).toMatchObject({
      type: "array",
      items: { $ref: "#/components/schemas/BaselineRow" },
    });
    expect(Object.keys(doc.components.schemas.BaselineRow!.properties).sort()).toEqual([
      "architecture",
      "counts",
      "genGap",
      "testAccuracy",
      "trainAccuracy",
    ]);
  });
});

describe("GET /api/v1/architectures/{fingerprint} of a kernel", () => {
  it("gives test error per corruption and no SGD figures", async () => {
    const detail = ArchitectureDetail.parse(
      await (await app.request(`/api/v1/architectures/${fingerprints["rbf-kernel"]}`)).json(),
    );
    expect(detail.architecture.kind).toBe("kernel");
    expect(
      detail.conditions.map((c) => [
        c.corruptionLevel,
        c.testError.median,
        c.stepsToFit.runs,
        c.epochsToFit.runs,
        c.slowdown,
      ]),
    ).toEqual([
      [1, 1 - kernelRun("random").derived.finalTestAcc!, 0, 0, null],
      [0, 1 - kernelRun("true").derived.finalTestAcc!, 0, 0, null],
    ]);
  });
});

describe("pages with a baseline", () => {
  it("the leaderboard shows the kernel under Non-neural baselines, not ranked, with n/a for SGD figures", async () => {
    const page = await html("/?suite=smoke");
    const [ranked, baselines] = page.split('id="baselines-heading"');
    expect(baselines, "a baselines section").toBeDefined();
    expect(ranked).toContain(`/architectures/${fingerprints["arch-a"]}`);
    expect(ranked).not.toContain(`/architectures/${fingerprints["rbf-kernel"]}`);
    expect(ranked).toContain("2 architectures, ranked by memorization speed");
    expect(baselines).toContain(`/architectures/${fingerprints["rbf-kernel"]}`);
    expect(baselines).toContain("Non-neural baselines");
    const kernelRow = baselines!.slice(baselines!.indexOf("<tbody>"), baselines!.indexOf("</tbody>"));
    expect(kernelRow.match(/>n\/a</g)).toHaveLength(4); // rank, steps, epochs, slowdown
    expect(kernelRow).toContain(`${(100 * kernelRun("true").derived.finalTestAcc!).toFixed(1)}%`);
  });

  it("the kernel's page draws Figure 1c only, says it is not ranked, and lists its settings", async () => {
    const page = await html(`/architectures/${fingerprints["rbf-kernel"]}`);
    expect(page).toContain('id="figure-test-error"');
    expect(page).not.toContain('id="figure-curves"');
    expect(page).not.toContain('id="figure-steps"');
    expect(page).toContain("not ranked");
    expect(page).toContain("minimum-norm-kernel-interpolation");
    const data = JSON.parse(/<script type="application\/json" id="page-data">(.*?)<\/script>/s.exec(page)![1]!) as {
      curves: unknown[];
      sweep: { level: number; testError: { median: number } }[];
    };
    expect(data.curves).toEqual([]);
    expect(data.sweep.map((p) => [p.level, p.testError.median])).toEqual([
      [0, 1 - kernelRun("true").derived.finalTestAcc!],
      [1, 1 - kernelRun("random").derived.finalTestAcc!],
    ]);
  });

  it("a trained architecture's page ranks it among trained architectures only", async () => {
    const page = await html(`/architectures/${fingerprints["arch-b"]}`);
    expect(page).toContain("#2 of 2");
    expect(page).toContain('id="figure-curves"');
  });

  it("the kernel's submission page marks epochs and steps to fit as not applicable", async () => {
    const page = await html(`/submissions/${kernelSubmission}`);
    const body = page.slice(page.indexOf("<tbody>"), page.indexOf("</tbody>"));
    expect(body.match(/>n\/a</g)).toHaveLength(2 * kernel.runs.length);
  });
});
