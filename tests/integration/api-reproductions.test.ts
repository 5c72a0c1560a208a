// POST /api/v1/reproductions and the reads of what it stored, on embedded Postgres (PGlite), with
// keys that are not operator reproducer keys: receipts, refusals (lying verdicts, unknown
// originals, bad envelopes), which verdicts count, and the counts and contest marks they add to
// the board. Operator keys (verification, hiding, the queue) are in api-reproductions-operator.test.ts.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  ArchitectureDetail,
  fromBase64,
  Leaderboard,
  ReproductionList,
  ReproductionReceipt,
  ReproductionSummary,
  type Signer,
  SubmissionDetail,
  SubmissionReceipt,
  sha256Hex,
} from "../../schema/index.js";
import { postBundle, type SignedBundle, signedBundle } from "../fixtures/api.js";
import { newSigner } from "../fixtures/bundles.js";
import { expectProblem, usePgliteApp } from "../fixtures/pglite.js";
import { attest, postReproduction } from "../fixtures/reproductions.js";

const pg = usePgliteApp({ empty: true });

/** A one-seed smoke bundle (true labels and random labels: two runs), stored; its id. */
async function storedBundle(options: { signer?: Signer } = {}): Promise<{ id: string; bundle: SignedBundle }> {
  const bundle = await signedBundle({ seeds: [0], ...options });
  const res = await postBundle(pg.app, bundle.text);
  expect(res.status).toBe(201);
  return { id: SubmissionReceipt.parse(await res.json()).id, bundle };
}

/** The position of the bundle's run on `kind` labels. */
function positionOf(bundle: SignedBundle, kind: "true" | "random"): number {
  return bundle.predicate.runs.findIndex((r) => r.task.corruption.kind === kind);
}

async function reproductionIdOfEnvelope(envelope: { payload: string }): Promise<string> {
  return `rep_${(await sha256Hex(fromBase64(envelope.payload)!)).slice(0, 32)}`;
}

/** Every architecture's row on the smoke board, with all results (no operator keys here: the default). */
async function smokeRow() {
  const res = await pg.app.request("/api/v1/leaderboard?suite=smoke");
  expect(res.status).toBe(200);
  const board = Leaderboard.parse(await res.json());
  expect(board.verifiedOnly).toBe(false);
  expect(board.rows).toHaveLength(1);
  return board.rows[0]!;
}

async function tableCounts(): Promise<{ reproductions: number; verdicts: number }> {
  const result = (await pg.handle.db.execute(
    sql`select (select count(*) from reproductions)::int as reproductions,
        (select count(*) from reproduction_runs)::int as verdicts`,
  )) as unknown as { rows: { reproductions: number; verdicts: number }[] };
  return result.rows[0]!;
}

describe("POST /api/v1/reproductions", () => {
  it("stores an exact reproduction once: 201, then 200 with the same id and nothing new", async () => {
    const { id, bundle } = await storedBundle();
    const reproducer = await newSigner();
    const envelope = await attest(bundle, reproducer, [{ position: 0 }, { position: 1 }], { name: "Repro Lab" });
    const repId = await reproductionIdOfEnvelope(envelope);

    const first = await postReproduction(pg.app, envelope);
    expect(first.status).toBe(201);
    expect(first.headers.get("location")).toBe(`/api/v1/reproductions/${repId}`);
    const receipt = ReproductionReceipt.parse(await first.json());
    expect(receipt).toEqual({
      id: repId,
      payloadSha256: await sha256Hex(fromBase64(envelope.payload)!),
      created: true,
      submissionId: id,
      reproducerKeyid: reproducer.keyid,
      operator: false,
      verdicts: { exact: 2, notReproduced: 0, consistent: 0, inconsistent: 0 },
      hidden: false,
      location: `/api/v1/reproductions/${repId}`,
    });
    const again = await postReproduction(pg.app, envelope);
    expect(again.status).toBe(200);
    expect(ReproductionReceipt.parse(await again.json())).toEqual({ ...receipt, created: false });
    expect(await tableCounts()).toEqual({ reproductions: 1, verdicts: 2 });

    const summary = ReproductionSummary.parse(await (await pg.app.request(`/api/v1/reproductions/${repId}`)).json());
    expect(summary).toMatchObject({
      id: repId,
      submissionId: id,
      reproducer: { keyid: reproducer.keyid, name: "Repro Lab" },
      operator: false,
      mode: "exact",
      backend: "wasm",
      hardware: { cpuModel: "Other CPU" },
      verdicts: { exact: 2, notReproduced: 0, consistent: 0, inconsistent: 0 },
      runs: [
        { position: 0, verdict: "exact", firstDivergence: null, counted: true },
        { position: 1, verdict: "exact", firstDivergence: null, counted: true },
      ],
      createdAt: "2026-12-01T00:00:00.000Z",
    });
    expect(summary.envelope).toEqual(envelope);
    const list = ReproductionList.parse(await (await pg.app.request(`/api/v1/submissions/${id}/reproductions`)).json());
    expect(list.reproductions.map((r) => r.id)).toEqual([repId]);
    const detail = SubmissionDetail.parse(await (await pg.app.request(`/api/v1/submissions/${id}`)).json());
    expect({ verification: detail.verification, reproductions: detail.reproductions }).toEqual({
      verification: "unverified",
      reproductions: 1,
    });
  });

  it("stores one reproduction for concurrent requests with the same attestation", async () => {
    const { bundle } = await storedBundle();
    const envelope = await attest(bundle, await newSigner(), [{ position: 0 }]);
    const statuses = await Promise.all([postReproduction(pg.app, envelope), postReproduction(pg.app, envelope)]);
    expect(statuses.map((r) => r.status).sort()).toEqual([200, 201]);
    expect(await tableCounts()).toEqual({ reproductions: 1, verdicts: 1 });
  });

  it("counts another key's exact reproductions as confirmations of the standing results, unverified", async () => {
    const { bundle } = await storedBundle();
    await postReproduction(pg.app, await attest(bundle, await newSigner(), [{ position: 0 }, { position: 1 }]));
    const row = await smokeRow();
    // Two standing results (true and random labels, seed 0), each reproduced exactly once.
    expect(row.counts).toMatchObject({
      standing: 2,
      confirmations: 2,
      contests: 0,
      replicates: 0,
      reproductions: 2,
      verified: 0,
    });
    expect(row.verification).toBe("unverified");
    expect(row.contested).toBeNull();
    const fingerprint = bundle.predicate.architectures[0]!.fingerprint;
    const architecture = ArchitectureDetail.parse(
      await (await pg.app.request(`/api/v1/architectures/${fingerprint}`)).json(),
    );
    expect(architecture.runs.map((r) => r.reproductions)).toEqual([
      { exact: 1, notReproduced: 0, consistent: 0, inconsistent: 0, verified: false },
      { exact: 1, notReproduced: 0, consistent: 0, inconsistent: 0, verified: false },
    ]);
  });

  it("counts only a key's first verdict on a run, and never the submitter's own", async () => {
    const submitter = await newSigner();
    const { id, bundle } = await storedBundle({ signer: submitter });
    const reproducer = await newSigner();
    await postReproduction(pg.app, await attest(bundle, reproducer, [{ position: 0 }]));
    const later = await attest(bundle, reproducer, [{ position: 0, change: { epoch: 3, by: 0.25 } }], {
      createdAt: "2026-12-02T00:00:00.000Z",
    });
    const second = await postReproduction(pg.app, later);
    expect(second.status).toBe(201);
    expect(ReproductionReceipt.parse(await second.json()).verdicts.notReproduced).toBe(1);
    const own = await postReproduction(pg.app, await attest(bundle, submitter, [{ position: 1 }]));
    expect(own.status).toBe(201);

    const list = ReproductionList.parse(await (await pg.app.request(`/api/v1/submissions/${id}/reproductions`)).json());
    expect(list.reproductions.map((r) => r.runs.map((v) => [v.position, v.verdict, v.counted]))).toEqual([
      [[0, "exact", true]],
      [[0, "not-reproduced", false]],
      [[1, "exact", true]],
    ]);
    // Only the first key's first verdict reaches the board: one exact reproduction, no contest.
    expect((await smokeRow()).counts).toMatchObject({ confirmations: 1, contests: 0, reproductions: 1 });
  });

  it("counts another key's 'not reproduced' as a contest and flags the slot with the reproduction", async () => {
    const { id, bundle } = await storedBundle();
    const random = positionOf(bundle, "random");
    const original = bundle.predicate.runs[random]!.curve[2]!.trainLoss;
    const envelope = await attest(bundle, await newSigner(), [{ position: random, change: { epoch: 3, by: 0.25 } }]);
    const res = await postReproduction(pg.app, envelope);
    expect(res.status).toBe(201);
    const repId = await reproductionIdOfEnvelope(envelope);
    const summary = ReproductionSummary.parse(await (await pg.app.request(`/api/v1/reproductions/${repId}`)).json());
    expect(summary.runs).toEqual([
      {
        position: random,
        verdict: "not-reproduced",
        firstDivergence: { epoch: 3, metric: "trainLoss", original, reproduced: original + 0.25 },
        counted: true,
      },
    ]);
    const row = await smokeRow();
    expect(row.counts).toMatchObject({ confirmations: 0, contests: 1, reproductions: 1, verified: 0 });
    expect(row.contested).toEqual({ slots: 1, submissionId: id, reproductionId: repId, contestingSubmissionId: null });
    // Another key's verdict is evidence, not a ruling: the submission stays on the board.
    expect((await pg.app.request(`/api/v1/submissions/${id}`)).status).toBe(200);
  });

  it("refuses a verdict the comparison with the original contradicts, and stores nothing", async () => {
    const { bundle } = await storedBundle();
    const random = positionOf(bundle, "random");
    const lying = await attest(bundle, await newSigner(), [
      { position: random, change: { epoch: 3, by: 0.25 }, verdict: "exact", firstDivergence: null },
    ]);
    const problem = await expectProblem(postReproduction(pg.app, lying), 422, "wrong-verdict");
    expect(problem.errors?.[0]?.path).toBe("predicate.runs[0].verdict");
    expect(problem.detail).toContain("trainLoss at epoch 3");
    expect(await tableCounts()).toEqual({ reproductions: 0, verdicts: 0 });
  });

  it("refuses a reproduction of a result the server does not hold", async () => {
    const unsent = await signedBundle({ seeds: [0] });
    const envelope = await attest(unsent, await newSigner(), [{ position: 0 }]);
    const problem = await expectProblem(postReproduction(pg.app, envelope), 422, "unknown-original");
    expect(problem.errors?.[0]?.path).toBe("predicate.original.payloadSha256");
    expect(await tableCounts()).toEqual({ reproductions: 0, verdicts: 0 });
  });

  it("refuses a result bundle, a forged signature, malformed JSON and another media type", async () => {
    const { bundle } = await storedBundle();
    await expectProblem(postReproduction(pg.app, bundle.envelope), 422, "wrong-predicate-type");
    const reproducer = await newSigner();
    const a = await attest(bundle, reproducer, [{ position: 0 }]);
    const b = await attest(bundle, reproducer, [{ position: 1 }]);
    // B's signature, by the same key, over A's payload.
    const forged = { ...a, signatures: b.signatures };
    await expectProblem(postReproduction(pg.app, forged), 422, "bad-signature");
    await expectProblem(postReproduction(pg.app, "{not json"), 400, "bad-json");
    const plain = await pg.app.request("/api/v1/reproductions", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify(a),
    });
    await expectProblem(plain, 415, "unsupported-media-type");
    expect(await tableCounts()).toEqual({ reproductions: 0, verdicts: 0 });
  });
});

describe("GET /api/v1/reproductions/{id} and /api/v1/submissions/{id}/reproductions", () => {
  it("answers 404 for an unknown reproduction or submission and 400 for a malformed id", async () => {
    await expectProblem(pg.app.request(`/api/v1/reproductions/rep_${"0".repeat(32)}`), 404, "not-found");
    await expectProblem(pg.app.request(`/api/v1/submissions/sub_${"0".repeat(32)}/reproductions`), 404, "not-found");
    await expectProblem(pg.app.request("/api/v1/reproductions/rep_nope"), 400, "invalid-request");
  });

  it("lists a submission without reproductions as empty", async () => {
    const { id } = await storedBundle();
    const list = ReproductionList.parse(await (await pg.app.request(`/api/v1/submissions/${id}/reproductions`)).json());
    expect(list).toEqual({ reproductions: [] });
  });
});
