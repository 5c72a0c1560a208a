// Operator reproducer keys on embedded Postgres (PGlite): an operator's exact reproduction verifies
// results (rows, submissions, the verified-only board that is the default where the server has
// operator keys, CSV); its "not reproduced" hides the submission at once, with the reproduction as
// evidence, until an admin shows it again; and the queue of standing results they have not judged.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  fromBase64,
  Leaderboard,
  ModerationLog,
  ReproductionList,
  ReproductionQueue,
  ReproductionReceipt,
  type Signer,
  SubmissionDetail,
  SubmissionReceipt,
  sha256Hex,
} from "../../schema/index.js";
import { ADMIN_TOKEN, postBundle, type SignedBundle, signedBundle } from "../fixtures/api.js";
import { newSigner } from "../fixtures/bundles.js";
import { expectProblem, usePgliteApp } from "../fixtures/pglite.js";
import { attest, postReproduction } from "../fixtures/reproductions.js";

/** The server's operator reproducer keys: the operator's keyid, added before each test. */
const operatorKeys = new Set<string>();
const pg = usePgliteApp({ empty: true, app: { reproducerKeys: () => operatorKeys } });
let operator: Signer;

beforeAll(async () => {
  operator = await newSigner();
});
beforeEach(() => {
  operatorKeys.clear();
  operatorKeys.add(operator.keyid);
});

/** A one-seed smoke bundle of a user architecture `id` (two runs: true and random labels), stored. */
async function stored(architecture: string, signer?: Signer): Promise<{ id: string; bundle: SignedBundle }> {
  const bundle = await signedBundle({ seeds: [0], architectures: [{ id: architecture }], signer });
  const res = await postBundle(pg.app, bundle.text);
  expect(res.status).toBe(201);
  return { id: SubmissionReceipt.parse(await res.json()).id, bundle };
}

async function board(query = ""): Promise<Leaderboard> {
  const res = await pg.app.request(`/api/v1/leaderboard?suite=smoke${query}`);
  expect(res.status).toBe(200);
  return Leaderboard.parse(await res.json());
}

async function post(envelope: Awaited<ReturnType<typeof attest>>): Promise<ReproductionReceipt> {
  const res = await postReproduction(pg.app, envelope);
  expect(res.status).toBe(201);
  return ReproductionReceipt.parse(await res.json());
}

async function detail(id: string): Promise<SubmissionDetail> {
  return SubmissionDetail.parse(await (await pg.app.request(`/api/v1/submissions/${id}`)).json());
}

async function queue(limit?: number): Promise<ReproductionQueue> {
  const res = await pg.app.request(`/api/v1/reproductions/queue${limit ? `?limit=${limit}` : ""}`);
  expect(res.status).toBe(200);
  return ReproductionQueue.parse(await res.json());
}

describe("an operator's exact reproduction", () => {
  it("verifies the runs it covers, and the board shows verified results only by default", async () => {
    const a = await stored("net-a");
    const b = await stored("net-b");
    // Nothing verified yet: the default board (the server has an operator key) is empty.
    const empty = await board();
    expect({ verifiedOnly: empty.verifiedOnly, total: empty.total, rows: empty.rows }).toEqual({
      verifiedOnly: true,
      total: 0,
      rows: [],
    });
    const all = await board("&verified=all");
    expect(all.verifiedOnly).toBe(false);
    // Equal figures tie; ties are ordered by fingerprint, so compare as a set.
    expect(all.rows.map((r) => `${r.architecture.id} ${r.verification}`).sort()).toEqual([
      "net-a unverified",
      "net-b unverified",
    ]);

    const random = a.bundle.predicate.runs.findIndex((r) => r.task.corruption.kind === "random");
    const receipt = await post(await attest(a.bundle, operator, [{ position: random }]));
    expect({ operator: receipt.operator, hidden: receipt.hidden }).toEqual({ operator: true, hidden: false });
    const partly = (await board("&verified=all")).rows.find((r) => r.architecture.id === "net-a")!;
    expect({ verification: partly.verification, verified: partly.counts.verified }).toEqual({
      verification: "partly",
      verified: 1,
    });
    expect((await detail(a.id)).verification).toBe("partly");

    // Verified only: net-a's verified random-label run alone; net-b has none.
    const verifiedOnly = await board();
    expect(verifiedOnly.rows.map((r) => [r.architecture.id, r.counts.standing, r.stepsToFit.runs])).toEqual([
      ["net-a", 1, 1],
    ]);

    await post(await attest(a.bundle, operator, [{ position: 1 - random }]));
    const rowA = (await board()).rows[0]!;
    expect({ verification: rowA.verification, verified: rowA.counts.verified, standing: rowA.counts.standing }).toEqual(
      { verification: "verified", verified: 2, standing: 2 },
    );
    expect((await detail(a.id)).verification).toBe("verified");
    expect((await detail(b.id)).verification).toBe("unverified");

    const csv = await (await pg.app.request("/api/v1/leaderboard?suite=smoke&verified=all&format=csv")).text();
    const [header, ...lines] = csv
      .trimEnd()
      .split("\r\n")
      .map((line) => line.split(","));
    const column = (name: string) => header!.indexOf(name);
    const byArchitecture = new Map(lines.map((cells) => [cells[column("architecture_id")], cells]));
    expect(byArchitecture.get("net-a")![column("verification")]).toBe("verified");
    expect(byArchitecture.get("net-a")![column("verified_results")]).toBe("2");
    expect(byArchitecture.get("net-b")![column("verification")]).toBe("unverified");
    expect(byArchitecture.get("net-b")![column("reproductions")]).toBe("0");
  });

  it("answers all results by default where the server has no operator key", async () => {
    operatorKeys.clear();
    await stored("net-a");
    const all = await board();
    expect({ verifiedOnly: all.verifiedOnly, rows: all.rows.length }).toEqual({ verifiedOnly: false, rows: 1 });
  });
});

describe("an operator's 'not reproduced'", () => {
  it("hides the submission at once, with the reproduction as evidence, until an admin shows it", async () => {
    const { id, bundle } = await stored("net-a");
    const random = bundle.predicate.runs.findIndex((r) => r.task.corruption.kind === "random");
    const envelope = await attest(bundle, operator, [{ position: random, change: { epoch: 3, by: 0.25 } }]);
    const repId = `rep_${(await sha256Hex(fromBase64(envelope.payload)!)).slice(0, 32)}`;
    const receipt = await post(envelope);
    expect(receipt).toMatchObject({ id: repId, operator: true, hidden: true, verdicts: { notReproduced: 1 } });

    const hidden = await expectProblem(pg.app.request(`/api/v1/submissions/${id}`), 410, "submission-hidden");
    expect(hidden.detail).toContain(`did not reproduce run ${random}`);
    expect(hidden.detail).toContain("trainLoss at epoch 3");
    expect((await board("&verified=all")).total).toBe(0);
    // The evidence stays readable while the result is hidden.
    const list = ReproductionList.parse(await (await pg.app.request(`/api/v1/submissions/${id}/reproductions`)).json());
    expect(list.reproductions.map((r) => r.id)).toEqual([repId]);

    // Sent again: the same answer, and no second hide.
    const again = await postReproduction(pg.app, envelope);
    expect(again.status).toBe(200);
    expect(ReproductionReceipt.parse(await again.json())).toMatchObject({ id: repId, created: false, hidden: true });
    const log = ModerationLog.parse(await (await pg.app.request("/api/v1/moderation")).json());
    expect(log.actions.map((a) => [a.action, a.submissionId, a.reproductionId])).toEqual([["hide", id, repId]]);

    const shown = await pg.app.request(`/api/v1/submissions/${id}/moderation`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ action: "show", reason: "the operator's machine was misconfigured" }),
    });
    expect(shown.status).toBe(201);
    expect((await detail(id)).status).toBe("visible");
    const row = (await board("&verified=all")).rows[0]!;
    // Back on the board, contested by the operator's verdict, which stays on record.
    expect(row.counts).toMatchObject({ standing: 2, contests: 1, verified: 0 });
    expect(row.contested).toEqual({ slots: 1, submissionId: id, reproductionId: repId, contestingSubmissionId: null });
  });

  it("does not hide for another key's 'not reproduced', even once that key becomes an operator's", async () => {
    const { id, bundle } = await stored("net-a");
    const other = await newSigner();
    const envelope = await attest(bundle, other, [{ position: 0, change: { epoch: 2, by: 1 } }]);
    const receipt = await post(envelope);
    expect({ operator: receipt.operator, hidden: receipt.hidden }).toEqual({ operator: false, hidden: false });
    expect((await detail(id)).status).toBe("visible");
    // A key is an operator's for what arrives while it is listed: the stored verdict stays another key's.
    operatorKeys.add(other.keyid);
    const again = await postReproduction(pg.app, envelope);
    expect(again.status).toBe(200);
    expect(ReproductionReceipt.parse(await again.json())).toMatchObject({ operator: false, hidden: false });
    expect((await detail(id)).status).toBe("visible");
  });
});

describe("GET /api/v1/reproductions/queue", () => {
  it("lists standing results no operator judged, oldest first, until operators drain it", async () => {
    const a = await stored("net-a");
    const b = await stored("net-b");
    // The same results as net-a's by another key: confirmations, not standing, so not queued.
    await stored("net-a", await newSigner());

    const full = await queue();
    expect(full).toEqual({
      items: [a, b].map(({ id, bundle }) => ({
        submissionId: id,
        payloadSha256: expect.any(String),
        suite: { id: "smoke", version: bundle.predicate.suite.version },
        backend: "wasm",
        runnerVersion: "0.1.0",
        tfjsVersion: "4.22.0",
        receivedAt: expect.any(String),
        positions: [0, 1],
      })),
      length: 2,
      oldestReceivedAt: (await detail(a.id)).receivedAt,
      operatorKeys: 1,
    });
    expect((await queue(1)).items.map((i) => i.submissionId)).toEqual([a.id]);
    expect((await queue(1)).length).toBe(2);

    // Another key's reproduction changes nothing; an operator's takes each run it covers out.
    await post(await attest(a.bundle, await newSigner(), [{ position: 0 }, { position: 1 }]));
    expect((await queue()).items[0]).toMatchObject({ submissionId: a.id, positions: [0, 1] });
    await post(await attest(a.bundle, operator, [{ position: 1 }]));
    expect((await queue()).items[0]).toMatchObject({ submissionId: a.id, positions: [0] });
    await post(await attest(a.bundle, operator, [{ position: 0 }]));
    const left = await queue();
    expect({ items: left.items.map((i) => i.submissionId), length: left.length }).toEqual({
      items: [b.id],
      length: 1,
    });
    expect(left.oldestReceivedAt).toBe((await detail(b.id)).receivedAt);

    // A hidden submission leaves it whole.
    await post(await attest(b.bundle, operator, [{ position: 0, change: { epoch: 2, by: 1 } }]));
    expect(await queue()).toEqual({ items: [], length: 0, oldestReceivedAt: null, operatorKeys: 1 });
  });

  it("refuses a limit out of range", async () => {
    await expectProblem(pg.app.request("/api/v1/reproductions/queue?limit=0"), 400, "invalid-request");
    await expectProblem(pg.app.request("/api/v1/reproductions/queue?limit=101"), 400, "invalid-request");
  });
});
