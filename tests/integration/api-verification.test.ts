// The submission pipeline's defences on PGlite: one verifier for every check (in this thread or
// on worker threads, same verdicts), a per-address budget of verification time, and pages whose
// absolute links come from the configured public URL, never from the request's Host header.
import { describe, expect, it } from "vitest";
import type * as PoolModule from "../../api/verify-pool.js";
import { type Verifier, verifySubmission } from "../../api/verify-submission.js";
import { Problem, SubmissionReceipt } from "../../schema/index.js";
import { appOn, NO_RATE_LIMITS, postBundle, signedBundle, signRaw } from "../fixtures/api.js";
import { usePgliteApp } from "../fixtures/pglite.js";

// Worker threads run compiled JavaScript: the pool comes from the build (dist/), as `npm test` makes it.
const { createVerifierPool } = (await import(
  new URL("../../dist/api/verify-pool.js", import.meta.url).href
)) as typeof PoolModule;

const pg = usePgliteApp({ empty: true });

/** A bundle whose claimed metrics disagree with its curves: refused by the consistency check. */
async function inconsistentBundle(): Promise<string> {
  const { predicate, signer } = await signedBundle();
  const run = predicate.runs[0]!;
  const lying = {
    ...predicate,
    runs: [{ ...run, derived: { ...run.derived, epochsToFit: 1 } }, ...predicate.runs.slice(1)],
  };
  return JSON.stringify(await signRaw(lying, signer));
}

describe("verifySubmission on worker threads", () => {
  it("gives the same verdicts as in this thread, for a valid bundle and for each kind of refusal", async () => {
    const pool = createVerifierPool({ size: 2 });
    try {
      const valid = await signedBundle();
      const nul = await signedBundle({ architectures: [{ id: "nul-net", modelName: "a\u0000b" }] });
      const bodies = [valid.text, await inconsistentBundle(), nul.text, '{"payloadType": ', "[1, 2, 3]"];
      const [inThread, onThreads] = await Promise.all([
        Promise.all(bodies.map((body) => verifySubmission(body))),
        Promise.all(bodies.map((body) => pool.verify(new TextEncoder().encode(body)))),
      ]);
      const verdict = (r: Awaited<ReturnType<Verifier>>) =>
        r.ok ? { ok: true, payloadSha256: r.bundle.payloadSha256, keyid: r.bundle.keyid } : { ok: false, ...r.problem };
      expect(onThreads.map(verdict)).toEqual(inThread.map(verdict));
      expect(inThread.map((r) => (r.ok ? "ok" : r.problem.code))).toEqual([
        "ok",
        "inconsistent",
        "unstorable-text",
        "bad-json",
        "bad-envelope",
      ]);
      // The whole verified bundle comes back from the thread, as storeSubmission needs it.
      expect(onThreads[0]).toEqual({ ...inThread[0], workMs: expect.any(Number) });
      for (const r of onThreads) expect(r.workMs).toBeGreaterThan(0);
    } finally {
      await pool.close();
    }
  });

  it("rejects what is still queued when it closes", async () => {
    const pool = createVerifierPool({ size: 1 });
    const bodies = await Promise.all([signedBundle(), signedBundle()]);
    const pending = bodies.map((b) => pool.verify(b.text));
    const settled = Promise.allSettled(pending);
    await pool.close();
    // The first may already be running on the thread, the second is queued: both end.
    expect((await settled).map((s) => s.status)).toEqual(["rejected", "rejected"]);
    await expect(pending[1]).rejects.toThrow(/closed before this verification finished/);
    await expect(pool.verify("{}")).rejects.toThrow(/closed/);
  });
});

describe("the per-address verification budget", () => {
  it("charges each verification's time to its address and answers 429 with Retry-After once it is spent", async () => {
    let calls = 0;
    // Every verification costs 600 ms here, whatever it really took, so that the figures are exact.
    const verify: Verifier = async (body, context) => {
      calls += 1;
      return { ...(await verifySubmission(body, context)), workMs: 600 };
    };
    const app = appOn(pg.handle, {
      verify,
      clientAddress: (c) => c.req.header("x-test-client") ?? "none",
      rateLimits: { ...NO_RATE_LIMITS, verificationMs: { limit: 1000, windowSeconds: 60 } },
    });
    const from = (client: string) => ({ "x-test-client": client });

    // A refused bundle costs as much as an accepted one: that is the point of the budget.
    expect((await postBundle(app, await inconsistentBundle(), from("a"))).status).toBe(422);
    expect((await postBundle(app, (await signedBundle()).text, from("a"))).status).toBe(201);
    expect(calls).toBe(2);

    const refused = await postBundle(app, (await signedBundle()).text, from("a"));
    expect(refused.status).toBe(429);
    const problem = Problem.parse(await refused.json());
    expect(problem.code).toBe("rate-limited");
    expect(problem.detail).toMatch(/^verification milliseconds for this address: at most 1000 per window/);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(calls).toBe(2); // refused before its body was verified

    expect((await postBundle(app, (await signedBundle()).text, from("b"))).status).toBe(201);
  });
});

describe("absolute URLs in pages", () => {
  async function submissionPage(options: Parameters<typeof appOn>[1]) {
    const app = appOn(pg.handle, options);
    const posted = await postBundle(app, (await signedBundle()).text);
    const { id } = SubmissionReceipt.parse(await posted.json());
    const res = await app.request(`http://evil.example/submissions/${id}`, {
      headers: { host: "evil.example", "x-forwarded-host": "evil.example" },
    });
    expect(res.status).toBe(200);
    return { id, html: await res.text() };
  }

  it("come from the configured public URL, whatever Host the request names", async () => {
    const { id, html } = await submissionPage({ publicUrl: () => "https://board.example.org/" });
    expect(html).toContain(`curl -fLo ${id}.dsse.json https://board.example.org/submissions/${id}/bundle`);
    expect(html).not.toContain("evil.example");
  });

  it("are left out when no public URL is configured", async () => {
    const { id, html } = await submissionPage({ publicUrl: undefined });
    expect(html).toContain(`href="/submissions/${id}/bundle"`);
    expect(html).not.toContain("curl -fLo");
    expect(html).not.toContain("evil.example");
  });
});
