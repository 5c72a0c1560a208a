// POST /submissions on embedded Postgres (PGlite): acceptance, idempotency, and every kind of
// bad input answered with its problem and nothing stored.
import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../../api/index.js";
import {
  canonicalJson,
  type Envelope,
  findSuite,
  fromBase64,
  type Problem,
  SubmissionDetail,
  SubmissionReceipt,
  utf8,
} from "../../schema/index.js";
import {
  countRows,
  emptyTables,
  postBundle,
  type RowCounts,
  signedBundle,
  signRaw,
  signText,
} from "../fixtures/api.js";
import { newSigner } from "../fixtures/bundles.js";
import { expectProblem, usePgliteApp } from "../fixtures/pglite.js";

const pg = usePgliteApp({ empty: true });

const EMPTY: RowCounts = { submitters: 0, architectures: 0, submissions: 0, runs: 0, moderation_actions: 0 };

/** Expects the problem, and checks that nothing was stored. */
async function expectRefused(response: Response | Promise<Response>, status: number, code: string): Promise<Problem> {
  const problem = await expectProblem(response, status, code);
  expect(await countRows(pg.handle)).toEqual(EMPTY);
  return problem;
}

function payloadOf(envelope: Envelope): string {
  return utf8.decode(fromBase64(envelope.payload)!);
}

describe("POST /api/v1/submissions", () => {
  it("stores a valid bundle once: 201, then 200 with the same id and no new rows", async () => {
    const bundle = await signedBundle({ submitterName: "Ada" });
    const first = await postBundle(pg.app, bundle.text);
    expect(first.status).toBe(201);
    const receipt = SubmissionReceipt.parse(await first.json());
    expect(receipt).toMatchObject({ created: true, status: "visible", suite: { id: "smoke", version: 3 }, runs: 6 });
    expect(receipt.id).toMatch(/^sub_[0-9a-f]{32}$/);
    expect(first.headers.get("location")).toBe(`/api/v1/submissions/${receipt.id}`);
    const stored = await countRows(pg.handle);
    expect(stored).toEqual({ submitters: 1, architectures: 1, submissions: 1, runs: 6, moderation_actions: 0 });

    const again = await postBundle(pg.app, bundle.text);
    expect(again.status).toBe(200);
    expect(SubmissionReceipt.parse(await again.json())).toMatchObject({ id: receipt.id, created: false });
    expect(await countRows(pg.handle)).toEqual(stored);
  });

  it("stores one row for concurrent submissions of the same bundle", async () => {
    const bundle = await signedBundle();
    const responses = await Promise.all(Array.from({ length: 6 }, () => postBundle(pg.app, bundle.text)));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 201]);
    const ids = new Set(await Promise.all(responses.map(async (r) => SubmissionReceipt.parse(await r.json()).id)));
    expect(ids.size).toBe(1);
    expect(await countRows(pg.handle)).toMatchObject({ submissions: 1, runs: 6 });
  });

  it("accepts a full paper-suite bundle (the body-size limit's reason), refuses one byte over the limit", async () => {
    const suite = findSuite("paper")!;
    const bundle = await signedBundle({
      suite,
      architectures: suite.architectures.map((a) => ({ id: a.id })),
      // Runs that never fit train to the budget: the longest curves a valid bundle can hold.
      fitEpochs: { true: null, random: null },
      fullPrecision: true,
    });
    expect(bundle.predicate.runs).toHaveLength(186);
    const bytes = utf8.encode(bundle.text).length;
    expect(bytes).toBeGreaterThan(12 * 2 ** 20);
    expect(bytes).toBeLessThan(MAX_BODY_BYTES);
    const res = await postBundle(pg.app, bundle.text);
    expect(res.status).toBe(201);
    expect(await countRows(pg.handle)).toMatchObject({ architectures: 4, submissions: 1, runs: 186 });

    await emptyTables(pg.handle);
    // Valid JSON, one byte over: refused on its declared length, before anything is parsed.
    const oversized = JSON.stringify({ pad: "x".repeat(MAX_BODY_BYTES - 9) });
    expect(utf8.encode(oversized).length).toBe(MAX_BODY_BYTES + 1);
    await expectRefused(postBundle(pg.app, oversized), 413, "payload-too-large");
  });

  it("refuses malformed JSON", async () => {
    await expectRefused(postBundle(pg.app, '{"payloadType": '), 400, "bad-json");
  });

  it("refuses a body that is not application/json", async () => {
    const bundle = await signedBundle();
    await expectRefused(
      postBundle(pg.app, bundle.text, { "content-type": "text/plain" }),
      415,
      "unsupported-media-type",
    );
    await expectRefused(
      postBundle(pg.app, bundle.text, { "content-type": "application/x-www-form-urlencoded" }),
      415,
      "unsupported-media-type",
    );
  });

  it("refuses JSON that is not a DSSE envelope, naming the failing paths", async () => {
    const problem = await expectRefused(
      postBundle(pg.app, { payloadType: "x", payload: "AAAA", signatures: [] }),
      400,
      "bad-envelope",
    );
    expect(problem.errors?.map((e) => e.path)).toContain("signatures");
    await expectRefused(postBundle(pg.app, [1, 2, 3]), 400, "bad-envelope");
  });

  it("refuses bad base64 in the payload and in the signature", async () => {
    const { envelope } = await signedBundle();
    const payload = await expectRefused(
      postBundle(pg.app, { ...envelope, payload: "not base64!" }),
      400,
      "bad-envelope",
    );
    expect(payload.errors).toEqual([{ path: "payload", message: "must be standard padded base64" }]);
    const sig = await expectRefused(
      postBundle(pg.app, { ...envelope, signatures: [{ ...envelope.signatures[0]!, sig: "A" }] }),
      400,
      "bad-envelope",
    );
    expect(sig.errors?.[0]?.path).toBe("signatures[0].sig");
  });

  it("refuses a bad signature", async () => {
    const { envelope } = await signedBundle();
    const sig = fromBase64(envelope.signatures[0]!.sig)!;
    sig[10]! ^= 1;
    await expectRefused(
      postBundle(pg.app, {
        ...envelope,
        signatures: [{ ...envelope.signatures[0]!, sig: Buffer.from(sig).toString("base64") }],
      }),
      422,
      "bad-signature",
    );
  });

  it("refuses a signature by another key, whichever keyid it claims", async () => {
    const { envelope, predicate } = await signedBundle();
    const other = await newSigner();
    const byOther = await signText(payloadOf(envelope), other);
    await expectRefused(postBundle(pg.app, byOther), 422, "keyid-mismatch");
    await expectRefused(
      postBundle(pg.app, {
        ...byOther,
        signatures: [{ keyid: predicate.submitter.keyid, sig: byOther.signatures[0]!.sig }],
      }),
      422,
      "bad-signature",
    );
  });

  it("refuses a tampered payload", async () => {
    const { envelope } = await signedBundle();
    const tampered = payloadOf(envelope).replace('"testAcc":0.8', '"testAcc":0.9');
    expect(tampered).not.toBe(payloadOf(envelope));
    const problem = await expectRefused(
      postBundle(pg.app, { ...envelope, payload: Buffer.from(tampered).toString("base64") }),
      422,
      "bad-signature",
    );
    expect(problem.detail).toMatch(/changed or signed by another key/);
  });

  it("refuses a suite the server does not rank, and a known suite with a changed definition", async () => {
    const smoke = findSuite("smoke")!;
    const custom = { ...smoke, id: "my-suite" };
    const unknown = await signedBundle({ suite: custom });
    const problem = await expectRefused(postBundle(pg.app, unknown.text), 422, "unknown-suite");
    expect(problem.detail).toContain("my-suite v3");

    const easier = await signedBundle({ suite: { ...smoke, fitThreshold: 0.5 } });
    const changed = await expectRefused(postBundle(pg.app, easier.text), 422, "unknown-suite");
    expect(changed.errors?.[0]?.path).toBe("predicate.suiteDigest");
  });

  it("refuses claimed metrics that disagree with the curves", async () => {
    const signer = await newSigner();
    const { predicate } = await signedBundle({ signer });
    predicate.runs[1]!.derived.stepsToFit = 1;
    const problem = await expectRefused(postBundle(pg.app, await signRaw(predicate, signer)), 422, "inconsistent");
    expect(problem.errors?.map((e) => e.path)).toContain("predicate.runs[1].derived.stepsToFit");
  });

  it("refuses NaN, numbers beyond a double, lone surrogates and out-of-range huge values", async () => {
    const signer = await newSigner();
    const { envelope, predicate } = await signedBundle({ signer, architectureName: "MLP 1x512" });
    const text = payloadOf(envelope);
    expect(text).toContain('"trainAcc":1');
    await expectRefused(
      postBundle(pg.app, await signText(text.replace('"trainAcc":1', '"trainAcc":NaN'), signer)),
      422,
      "bad-payload",
    );
    const beyond = await expectRefused(
      postBundle(pg.app, await signText(text.replace('"trainAcc":1', '"trainAcc":1e400'), signer)),
      422,
      "non-canonical",
    );
    expect(beyond.detail).toMatch(/no RFC 8785 canonical form/);
    expect(text).toContain('"name":"MLP 1x512"');
    await expectRefused(
      postBundle(pg.app, await signText(text.replace('"name":"MLP 1x512"', '"name":"MLP \\ud800"'), signer)),
      422,
      "non-canonical",
    );

    predicate.runs[0]!.curve[0]!.trainLoss = 1e300;
    predicate.runs[0]!.derived.stepsToFit = 2 ** 60;
    const huge = await expectRefused(postBundle(pg.app, await signRaw(predicate, signer)), 422, "bad-predicate");
    expect(huge.errors?.map((e) => e.path)).toContain("predicate.runs[0].derived.stepsToFit");
  });

  it("refuses text Postgres cannot store (U+0000) with its path", async () => {
    const nul = await signedBundle({ architectures: [{ id: "nul-net", modelName: "a\u0000b" }] });
    const problem = await expectRefused(postBundle(pg.app, nul.text), 422, "unstorable-text");
    expect(problem.errors?.[0]?.path).toBe("predicate.architectures[0].topology.config.name");
  });

  it("stores SQL and HTML metacharacters verbatim and returns them unchanged", async () => {
    const name = `Robert'); DROP TABLE runs; -- <script>alert("x")</script> & "quotes" \\ back`;
    const bundle = await signedBundle({ architectureName: name, submitterName: `<img src=x onerror=alert(1)>'; --` });
    const res = await postBundle(pg.app, bundle.text);
    expect(res.status).toBe(201);
    const { id } = SubmissionReceipt.parse(await res.json());
    const detail = SubmissionDetail.parse(await (await pg.app.request(`/api/v1/submissions/${id}`)).json());
    expect(detail.submitter.name).toBe(`<img src=x onerror=alert(1)>'; --`);
    expect(canonicalJson(detail.envelope)).toBe(canonicalJson(bundle.envelope));
    const board = await (await pg.app.request("/api/v1/leaderboard?suite=smoke")).json();
    expect(board.rows[0].architecture.name).toBe(name);
    // The runs table is still there and still holds the runs.
    expect(await countRows(pg.handle)).toMatchObject({ runs: 6 });
  });
});

describe("the receipt's links to the boards that show the submission at once", () => {
  it("links each board of the runs with after=<id>, page and API, both for 201 and for 200", async () => {
    const bundle = await signedBundle({ architectureName: "Linked net" });
    const datasets = new Set(bundle.predicate.runs.map((run) => run.task.dataset.id));
    expect([...datasets]).toEqual(["mnist-10k"]);
    const receipt = SubmissionReceipt.parse(await (await postBundle(pg.app, bundle.text)).json());
    const query = `suite=smoke&version=3&dataset=mnist-10k&verified=all&after=${receipt.id}`;
    const expected = [{ dataset: "mnist-10k", page: `/?${query}`, api: `/api/v1/leaderboard?${query}` }];
    expect(receipt.boards).toEqual(expected);
    const again = SubmissionReceipt.parse(await (await postBundle(pg.app, bundle.text)).json());
    expect(again).toMatchObject({ created: false, boards: expected });

    const api = await pg.app.request(receipt.boards[0]!.api);
    expect(api.status).toBe(200);
    expect(api.headers.get("cache-control")).toBe("public, max-age=5, s-maxage=10");
    const board = await api.json();
    expect(board.rows.map((r: { architecture: { name: string } }) => r.architecture.name)).toEqual(["Linked net"]);
    // `after` changes nothing in the answer: the same board as without it.
    const plain = await (await pg.app.request("/api/v1/leaderboard?suite=smoke&version=3&verified=all")).json();
    expect(board).toEqual(plain);
    const page = await pg.app.request(receipt.boards[0]!.page);
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("public, max-age=5, s-maxage=10");
    expect(await page.text()).toContain("Linked net");
  });

  it("takes after= only as a submission id, on the board and architecture reads, API and pages", async () => {
    const bundle = await signedBundle();
    const fingerprint = bundle.predicate.architectures[0]!.fingerprint;
    await postBundle(pg.app, bundle.text);
    const problem = await expectProblem(
      pg.app.request("/api/v1/leaderboard?suite=smoke&after=sub_nothex"),
      400,
      "invalid-request",
    );
    expect(problem.errors?.map((e) => e.path)).toEqual(["query.after"]);
    const architecture = await expectProblem(
      pg.app.request(`/api/v1/architectures/${fingerprint}?after=1`),
      400,
      "invalid-request",
    );
    expect(architecture.errors?.map((e) => e.path)).toEqual(["query.after"]);
    expect((await pg.app.request("/?suite=smoke&after=x")).status).toBe(400);
    expect((await pg.app.request(`/architectures/${fingerprint}?after=x`)).status).toBe(400);

    const id = `sub_${"0".repeat(32)}`;
    const read = await pg.app.request(`/api/v1/architectures/${fingerprint}?after=${id}`);
    expect(read.status).toBe(200);
    expect(read.headers.get("cache-control")).toBe("public, max-age=5, s-maxage=10");
    expect((await pg.app.request(`/architectures/${fingerprint}?after=${id}`)).status).toBe(200);
    // A problem is never marked cacheable.
    const missing = await pg.app.request(`/api/v1/architectures/${"f".repeat(64)}`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("cache-control")).toBeNull();
  });
});
