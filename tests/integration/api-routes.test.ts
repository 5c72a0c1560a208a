// Each route of /api/v1 on embedded Postgres (PGlite): happy path, validation, security, not
// found; and what every route shares: headers, CORS for reads only, rate limits, logs, errors.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { LogRecord } from "../../api/index.js";
import {
  Health,
  ModerationAction,
  ModerationLog,
  openEnvelope,
  SubmissionDetail,
  SubmissionList,
  SubmissionReceipt,
  SuiteList,
} from "../../schema/index.js";
import {
  ADMIN_TOKEN,
  appOn,
  countRows,
  NO_RATE_LIMITS,
  postBundle,
  type SignedBundle,
  signedBundle,
} from "../fixtures/api.js";
import { newSigner } from "../fixtures/bundles.js";
import { expectProblem, usePgliteApp } from "../fixtures/pglite.js";

const pg = usePgliteApp({ empty: true });

async function stored(bundle?: SignedBundle): Promise<{ id: string; bundle: SignedBundle }> {
  const b = bundle ?? (await signedBundle());
  const res = await postBundle(pg.app, b.text);
  expect(res.status).toBe(201);
  return { id: SubmissionReceipt.parse(await res.json()).id, bundle: b };
}

function moderate(id: string, body: unknown, token: string | null = ADMIN_TOKEN): Promise<Response> {
  return Promise.resolve(
    pg.app.request(`/api/v1/submissions/${id}/moderation`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body),
    }),
  );
}

describe("GET /api/v1/health", () => {
  it("answers without the database, with security headers and a request id", async () => {
    const res = await pg.app.request("/api/v1/health");
    expect(Health.parse(await res.json())).toEqual({ status: "ok", service: "rethink-bench" });
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(res.headers.get("strict-transport-security")).toMatch(/max-age=/);
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("GET /api/v1/openapi.json", () => {
  it("describes every route and its problems from the zod schemas (OpenAPI 3.1)", async () => {
    const doc = await (await pg.app.request("/api/v1/openapi.json")).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/api/v1/architectures/{fingerprint}",
      "/api/v1/architectures/{fingerprint}/name",
      "/api/v1/health",
      "/api/v1/leaderboard",
      "/api/v1/leaderboard/measures",
      "/api/v1/moderation",
      "/api/v1/reproductions",
      "/api/v1/reproductions/queue",
      "/api/v1/reproductions/{id}",
      "/api/v1/submissions",
      "/api/v1/submissions/{id}",
      "/api/v1/submissions/{id}/moderation",
      "/api/v1/submissions/{id}/reproductions",
      "/api/v1/suites",
    ]);
    expect(Object.keys(doc.paths["/api/v1/submissions"].post.responses).sort()).toEqual([
      "200",
      "201",
      "400",
      "413",
      "415",
      "422",
      "429",
      "503",
    ]);
    expect(doc.paths["/api/v1/submissions"].post.responses["422"].content["application/problem+json"].schema).toEqual({
      $ref: "#/components/schemas/Problem",
    });
    expect(doc.components.schemas.LeaderboardRow.required).toContain("stepsToFit");
    expect(doc.paths["/api/v1/submissions/{id}/moderation"].post.security).toEqual([{ adminToken: [] }]);
  });
});

describe("unknown routes", () => {
  it("answer 404 problem+json", async () => {
    const problem = await expectProblem(await pg.app.request("/api/v1/nothing-here"), 404);
    expect(problem).toMatchObject({ code: "not-found", instance: "/api/v1/nothing-here" });
    await expectProblem(await pg.app.request("/api/v1/leaderboard", { method: "DELETE" }), 404);
  });
});

describe("CORS", () => {
  it("lets any origin read, and no browser submit", async () => {
    const read = await pg.app.request("/api/v1/suites", { headers: { origin: "https://example.org" } });
    expect(read.headers.get("access-control-allow-origin")).toBe("*");
    const preflight = await pg.app.request("/api/v1/submissions", {
      method: "OPTIONS",
      headers: {
        origin: "https://example.org",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(preflight.headers.get("access-control-allow-methods")).toBe("GET,HEAD");
    const post = await postBundle(pg.app, (await signedBundle()).text, { origin: "https://example.org" });
    expect(post.status).toBe(201);
    expect(post.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("GET /api/v1/submissions/{id}", () => {
  it("returns the submission with an envelope that verifies again", async () => {
    const { id, bundle } = await stored(await signedBundle({ submitterName: "Ada" }));
    const res = await pg.app.request(`/api/v1/submissions/${id}`);
    expect(res.status).toBe(200);
    const detail = SubmissionDetail.parse(await res.json());
    expect(detail).toMatchObject({
      id,
      status: "visible",
      submitter: { keyid: bundle.signer.keyid, name: "Ada" },
      suite: { id: "smoke", version: 3 },
      runs: 6,
      moderation: [],
    });
    expect(detail.publicKey).toBe(bundle.signer.publicKey);
    const reopened = await openEnvelope(detail.envelope);
    expect(reopened.ok && `sub_${reopened.payloadSha256.slice(0, 32)}`).toBe(id);
  });

  it("refuses a malformed id and answers 404 for an unknown one", async () => {
    expect((await expectProblem(await pg.app.request("/api/v1/submissions/sub_XYZ"), 400)).errors?.[0]?.path).toBe(
      "path.id",
    );
    expect((await expectProblem(await pg.app.request(`/api/v1/submissions/sub_${"0".repeat(32)}`), 404)).code).toBe(
      "not-found",
    );
  });
});

describe("GET /api/v1/submissions", () => {
  it("lists visible submissions newest first, filters, pages and exports CSV", async () => {
    const ada = await newSigner();
    const first = await stored(await signedBundle({ signer: ada }));
    const second = await stored(
      await signedBundle({
        signer: ada,
        createdAt: "2026-11-28T00:00:00.000Z",
        architectures: [{ id: "other-net", name: "=cmd|' /C calc'!A0" }],
      }),
    );
    const third = await stored(await signedBundle());

    const all = SubmissionList.parse(await (await pg.app.request("/api/v1/submissions")).json());
    expect(all.submissions.map((s) => s.id)).toEqual([third.id, second.id, first.id]);

    const byAda = SubmissionList.parse(
      await (await pg.app.request(`/api/v1/submissions?submitter=${ada.keyid}&limit=1`)).json(),
    );
    expect(byAda.submissions.map((s) => s.id)).toEqual([second.id]);
    const next = SubmissionList.parse(
      await (
        await pg.app.request(`/api/v1/submissions?submitter=${ada.keyid}&limit=1&cursor=${byAda.nextCursor}`)
      ).json(),
    );
    expect(next).toEqual({ submissions: [expect.objectContaining({ id: first.id })], nextCursor: null });

    const fingerprint = second.bundle.predicate.architectures[0]!.fingerprint;
    const byArchitecture = SubmissionList.parse(
      await (await pg.app.request(`/api/v1/submissions?architecture=${fingerprint}`)).json(),
    );
    expect(byArchitecture.submissions.map((s) => s.id)).toEqual([second.id]);

    const csv = await pg.app.request("/api/v1/submissions?suite=smoke&version=3&format=csv");
    expect(csv.headers.get("content-disposition")).toBe('attachment; filename="submissions-smoke-v3.csv"');
    const lines = (await csv.text()).trimEnd().split("\r\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^id,payload_sha256,submitter_keyid,/);
  });

  it("pages through submissions received within the same millisecond without skipping any", async () => {
    const ids = [(await stored()).id, (await stored()).id, (await stored()).id];
    // Microseconds apart inside one millisecond, as now() can store them.
    for (const [i, id] of ids.entries()) {
      const receivedAt = sql`timestamptz '2026-11-27 10:00:00.123' + make_interval(secs => ${(i + 1) * 0.0001})`;
      await pg.handle.db.execute(sql`update submissions set received_at = ${receivedAt} where id = ${id}`);
    }
    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page = SubmissionList.parse(
        await (await pg.app.request(`/api/v1/submissions?limit=1${cursor ? `&cursor=${cursor}` : ""}`)).json(),
      );
      seen.push(...page.submissions.map((s) => s.id));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([...ids].reverse());
  });

  it("refuses bad filters and cursors", async () => {
    expect(
      (await expectProblem(await pg.app.request("/api/v1/submissions?architecture=xyz"), 400)).errors?.[0]?.path,
    ).toBe("query.architecture");
    expect((await expectProblem(await pg.app.request("/api/v1/submissions?limit=5000"), 400)).errors?.[0]?.path).toBe(
      "query.limit",
    );
    expect((await expectProblem(await pg.app.request("/api/v1/submissions?cursor=!!"), 400)).errors?.[0]?.path).toBe(
      "query.cursor",
    );
    expect((await expectProblem(await pg.app.request("/api/v1/submissions?format=xml"), 400)).errors?.[0]?.path).toBe(
      "query.format",
    );
  });
});

describe("POST /api/v1/submissions/{id}/moderation and GET /api/v1/moderation", () => {
  it("hides with a reason, keeps every row, and keeps the audit trail public", async () => {
    const { id, bundle } = await stored();
    const before = await countRows(pg.handle);
    const hide = await moderate(id, { action: "hide", reason: "duplicate of another key's result" });
    expect(hide.status).toBe(201);
    expect(ModerationAction.parse(await hide.json())).toMatchObject({
      submissionId: id,
      action: "hide",
      reason: "duplicate of another key's result",
    });
    expect(await countRows(pg.handle)).toEqual({ ...before, moderation_actions: 1 });

    const gone = await expectProblem(await pg.app.request(`/api/v1/submissions/${id}`), 410);
    expect(gone.detail).toContain("duplicate of another key's result");
    expect(SubmissionList.parse(await (await pg.app.request("/api/v1/submissions")).json()).submissions).toEqual([]);
    expect((await (await pg.app.request("/api/v1/leaderboard?suite=smoke")).json()).rows).toEqual([]);
    const fingerprint = bundle.predicate.architectures[0]!.fingerprint;
    expect((await pg.app.request(`/api/v1/architectures/${fingerprint}`)).status).toBe(404);
    expect(SuiteList.parse(await (await pg.app.request("/api/v1/suites")).json()).suites[0]).toMatchObject({
      suite: { id: "smoke" },
      submissions: 0,
    });

    // Resubmitting the hidden bundle does not bring it back.
    const again = await postBundle(pg.app, bundle.text);
    expect(again.status).toBe(200);
    expect(SubmissionReceipt.parse(await again.json())).toMatchObject({ id, created: false, status: "hidden" });

    expect((await moderate(id, { action: "show", reason: "the other result was withdrawn" })).status).toBe(201);
    expect((await pg.app.request(`/api/v1/submissions/${id}`)).status).toBe(200);
    const log = ModerationLog.parse(await (await pg.app.request("/api/v1/moderation")).json());
    expect(log.actions.map((a) => [a.action, a.submissionId])).toEqual([
      ["show", id],
      ["hide", id],
    ]);
    const csv = await (await pg.app.request("/api/v1/moderation?format=csv")).text();
    expect(csv.split("\r\n")[0]).toBe(
      "id,submission_id,architecture_fingerprint,action,previous_name,name,reason,reproduction_id,created_at",
    );
    const page = ModerationLog.parse(await (await pg.app.request("/api/v1/moderation?limit=1")).json());
    expect(page.actions.map((a) => a.action)).toEqual(["show"]);
    const rest = ModerationLog.parse(
      await (await pg.app.request(`/api/v1/moderation?limit=1&cursor=${page.nextCursor}`)).json(),
    );
    expect(rest).toEqual({ actions: [expect.objectContaining({ action: "hide" })], nextCursor: null });
    expect(
      (await expectProblem(await pg.app.request("/api/v1/moderation?cursor=bm90IGpzb24"), 400)).errors?.[0]?.path,
    ).toBe("query.cursor");
  });

  it("refuses without the admin token, with a wrong one, and when moderation is not configured", async () => {
    const { id } = await stored();
    const body = { action: "hide", reason: "spam" };
    const missing = await moderate(id, body, null);
    expect((await expectProblem(missing, 401)).code).toBe("unauthorized");
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer /);
    await expectProblem(await moderate(id, body, "wrong"), 401);
    await expectProblem(await moderate(id, body, `${ADMIN_TOKEN}x`), 401);
    const closed = appOn(pg.handle, { adminToken: () => undefined });
    const res = await closed.request(`/api/v1/submissions/${id}/moderation`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify(body),
    });
    expect((await expectProblem(res, 401)).detail).toMatch(/not enabled/);
    expect((await countRows(pg.handle)).moderation_actions).toBe(0);
  });

  it("refuses a missing reason or unknown action, and answers 404 for an unknown submission", async () => {
    const { id } = await stored();
    expect((await expectProblem(await moderate(id, { action: "hide", reason: "  " }), 400)).errors?.[0]?.path).toBe(
      "json.reason",
    );
    expect((await expectProblem(await moderate(id, { action: "delete", reason: "x" }), 400)).errors?.[0]?.path).toBe(
      "json.action",
    );
    await expectProblem(await moderate(`sub_${"f".repeat(32)}`, { action: "hide", reason: "x" }), 404);
    expect((await countRows(pg.handle)).moderation_actions).toBe(0);
  });
});

describe("POST /api/v1/architectures/{fingerprint}/name", () => {
  function rename(fingerprint: string, body: unknown, token: string | null = ADMIN_TOKEN): Promise<Response> {
    return Promise.resolve(
      pg.app.request(`/api/v1/architectures/${fingerprint}/name`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify(body),
      }),
    );
  }

  async function storedArchitecture(name: string): Promise<string> {
    const { bundle } = await stored(await signedBundle({ architectures: [{ id: "user-net", name }] }));
    return bundle.predicate.architectures[0]!.fingerprint;
  }

  it("renames, shows the new name everywhere, and records both names in the audit trail", async () => {
    const fingerprint = await storedArchitecture("ResNet-1000 (official)");
    const res = await rename(fingerprint, { name: "user-net", reason: "the name claimed another model" });
    expect(res.status).toBe(201);
    expect(ModerationAction.parse(await res.json())).toMatchObject({
      submissionId: null,
      architectureFingerprint: fingerprint,
      action: "rename",
      previousName: "ResNet-1000 (official)",
      name: "user-net",
      reason: "the name claimed another model",
    });
    const detail = await (await pg.app.request(`/api/v1/architectures/${fingerprint}`)).json();
    expect(detail.architecture.name).toBe("user-net");
    const board = await (await pg.app.request("/api/v1/leaderboard?suite=smoke")).json();
    expect(board.rows[0].architecture.name).toBe("user-net");
    const log = ModerationLog.parse(await (await pg.app.request("/api/v1/moderation")).json());
    expect(log.actions.map((a) => [a.action, a.architectureFingerprint, a.previousName, a.name])).toEqual([
      ["rename", fingerprint, "ResNet-1000 (official)", "user-net"],
    ]);
  });

  it("keeps the first accepted name when a later bundle names the architecture otherwise", async () => {
    const fingerprint = await storedArchitecture("First name");
    await stored(await signedBundle({ architectures: [{ id: "user-net", name: "Second name" }], seeds: [1] }));
    const detail = await (await pg.app.request(`/api/v1/architectures/${fingerprint}`)).json();
    expect(detail.architecture.name).toBe("First name");
  });

  it("refuses an empty name, a missing reason and unknown fields, and stores nothing", async () => {
    const fingerprint = await storedArchitecture("Net");
    for (const [body, path] of [
      [{ name: "", reason: "x" }, "json.name"],
      [{ name: "New", reason: " " }, "json.reason"],
      [{ name: "New", reason: "x", kind: "builtin" }, "json"],
    ] as const) {
      const problem = await expectProblem(await rename(fingerprint, body), 400);
      expect(problem.errors?.[0]?.path, JSON.stringify(body)).toBe(path);
    }
    expect((await expectProblem(await rename("abc", { name: "New", reason: "x" }), 400)).errors?.[0]?.path).toBe(
      "path.fingerprint",
    );
    expect((await countRows(pg.handle)).moderation_actions).toBe(0);
  });

  it("refuses without the admin token or with a wrong one", async () => {
    const fingerprint = await storedArchitecture("Net");
    const missing = await rename(fingerprint, { name: "New", reason: "x" }, null);
    expect((await expectProblem(missing, 401)).code).toBe("unauthorized");
    await expectProblem(await rename(fingerprint, { name: "New", reason: "x" }, "wrong"), 401);
    expect((await countRows(pg.handle)).moderation_actions).toBe(0);
    expect((await (await pg.app.request(`/api/v1/architectures/${fingerprint}`)).json()).architecture.name).toBe("Net");
  });

  it("answers 404 for an unknown fingerprint", async () => {
    const problem = await expectProblem(await rename("0".repeat(64), { name: "New", reason: "x" }), 404);
    expect(problem.detail).toContain("0".repeat(64));
    expect((await countRows(pg.handle)).moderation_actions).toBe(0);
  });
});

describe("GET /api/v1/suites", () => {
  it("lists the known suites with digests and visible submission counts, as JSON and CSV", async () => {
    await stored();
    const { suites } = SuiteList.parse(await (await pg.app.request("/api/v1/suites")).json());
    expect(suites.map((s) => [s.suite.id, s.submissions])).toEqual([
      ["smoke", 1],
      ["quick", 0],
      ["regularizers", 0],
      ["standard", 0],
      ["paper", 0],
    ]);
    expect(suites[0]!.digest).toMatch(/^[0-9a-f]{64}$/);
    const csv = (await (await pg.app.request("/api/v1/suites?format=csv")).text()).split("\r\n");
    expect(csv[0]).toBe(
      "suite_id,suite_version,title,digest,datasets,architectures,conditions,seeds,epochs,fit_threshold,submissions",
    );
    expect(csv[1]).toMatch(/^smoke,3,Smoke test,[0-9a-f]{64},mnist-10k:250\/250,mlp-1x512,2,0 1 2,100,1,1$/);
    await expectProblem(await pg.app.request("/api/v1/suites?format=yaml"), 400);
  });
});

describe("rate limits", () => {
  it("answers 429 with Retry-After per client address, and counts each client apart", async () => {
    let client = "198.51.100.1";
    const limited = appOn(pg.handle, {
      clientAddress: () => client,
      rateLimits: { ...NO_RATE_LIMITS, requests: { limit: 2, windowSeconds: 60 } },
    });
    expect((await limited.request("/api/v1/health")).headers.get("ratelimit-remaining")).toBe("1");
    expect((await limited.request("/api/v1/health")).status).toBe(200);
    const refused = await limited.request("/api/v1/health");
    expect((await expectProblem(refused, 429)).code).toBe("rate-limited");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    client = "198.51.100.2";
    expect((await limited.request("/api/v1/health")).status).toBe(200);
  });

  it("limits submissions per signing key, after verifying the signature", async () => {
    const limited = appOn(pg.handle, {
      rateLimits: { ...NO_RATE_LIMITS, submissionsPerKey: { limit: 1, windowSeconds: 3600 } },
    });
    const ada = await newSigner();
    expect((await postBundle(limited, (await signedBundle({ signer: ada })).text)).status).toBe(201);
    const second = await postBundle(
      limited,
      (await signedBundle({ signer: ada, createdAt: "2026-11-28T00:00:00.000Z" })).text,
    );
    expect((await expectProblem(second, 429)).detail).toMatch(/signed by this key/);
    expect((await postBundle(limited, (await signedBundle()).text)).status).toBe(201);
    expect((await countRows(pg.handle)).submissions).toBe(2);
  });
});

describe("errors and logs", () => {
  it("logs one record per request and never a bundle's contents", async () => {
    const logs: LogRecord[] = [];
    const logged = appOn(pg.handle, { logs });
    const bundle = await signedBundle({ submitterName: "Grace" });
    await postBundle(logged, bundle.text, { "content-length": String(bundle.text.length) });
    expect(logs).toEqual([
      expect.objectContaining({
        level: "info",
        event: "request",
        method: "POST",
        path: "/api/v1/submissions",
        status: 201,
        bytesIn: bundle.text.length,
      }),
    ]);
    const text = JSON.stringify(logs);
    expect(text).not.toContain(bundle.envelope.payload.slice(0, 40));
    expect(text).not.toContain("Grace");
  });

  it("answers a bug with a 500 problem that does not echo the error, and logs the stack", async () => {
    const logs: LogRecord[] = [];
    const broken = appOn(pg.handle, {
      logs,
      database: () => {
        throw new Error("secret internal detail");
      },
    });
    const res = await broken.request("/api/v1/suites");
    const problem = await expectProblem(res, 500);
    expect(problem.code).toBe("internal");
    expect(JSON.stringify(problem)).not.toContain("secret internal detail");
    expect(logs.find((l) => l.level === "error")).toMatchObject({
      event: "error",
      error: expect.stringContaining("secret internal detail"),
    });
  });
});
