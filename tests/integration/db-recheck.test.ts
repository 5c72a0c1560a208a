// `npm run db:recheck` on PGlite: a stored submission that today's checks refuse is hidden with
// an audit row naming the check, the others stay; a dry run hides nothing; a second run is a no-op.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../api/db/client.js";
import { openDatabase } from "../../api/db/open.js";
import { storeSubmission } from "../../api/db/queries/submissions.js";
import { knownSuites } from "../../api/known-suites.js";
import { recheckSubmissions } from "../../api/recheck.js";
import {
  findSuite,
  fromBase64,
  PREDICATE_TYPE,
  STATEMENT_TYPE,
  Statement,
  SubmissionDetail,
  SubmissionReceipt,
  sha256Hex,
  subjectsOf,
} from "../../schema/index.js";
import { appOn, countRows, postBundle, signedBundle, signRaw } from "../fixtures/api.js";
import { usePgliteApp } from "../fixtures/pglite.js";

const pg = usePgliteApp({ empty: true });

/** Submits through the API, as a client would. */
async function submit(on: ReturnType<typeof appOn>, options: Parameters<typeof signedBundle>[0] = {}) {
  const res = await postBundle(on, (await signedBundle(options)).text);
  expect(res.status).toBe(201);
  return SubmissionReceipt.parse(await res.json()).id;
}

async function statusOf(id: string): Promise<string> {
  const res = await pg.app.request(`/api/v1/submissions/${id}`);
  return res.status === 200 ? SubmissionDetail.parse(await res.json()).status : `HTTP ${res.status}`;
}

/**
 * Stores, past the API, a signed bundle whose claimed epochs-to-fit disagree with its curves:
 * what an older server with a weaker check could have accepted.
 */
async function storeInconsistent(db: DatabaseHandle): Promise<string> {
  const { predicate, signer } = await signedBundle({ submitterName: "Mallory" });
  const [first, ...rest] = predicate.runs;
  const lying = { ...predicate, runs: [{ ...first!, derived: { ...first!.derived, epochsToFit: 1 } }, ...rest] };
  const envelope = await signRaw(lying, signer);
  // The schema passes it; only the consistency check (derived metrics against curves) refuses it.
  const statement = Statement.parse({
    _type: STATEMENT_TYPE,
    subject: subjectsOf(lying),
    predicateType: PREDICATE_TYPE,
    predicate: lying,
  });
  const payloadSha256 = await sha256Hex(fromBase64(envelope.payload)!);
  const stored = await storeSubmission(db.db, { envelope, statement, payloadSha256, keyid: signer.keyid });
  return stored.id;
}

describe("recheckSubmissions", () => {
  it("hides what the current checks refuse, with an audit row, and leaves the rest", async () => {
    const smoke = await submit(pg.app);
    const quickSuite = findSuite("quick")!;
    const quick = await submit(pg.app, { suite: quickSuite, seeds: [quickSuite.seeds[0]!] });
    // The server's definition of `quick` changes (a new digest): its stored bundle now fails.
    const changed = (await knownSuites()).map((k) => (k.suite.id === "quick" ? { ...k, digest: "0".repeat(64) } : k));

    const dry = await recheckSubmissions(pg.handle.db, { dryRun: true, context: { knownSuites: changed } });
    expect(dry).toMatchObject({ checked: 2, passed: 1, dryRun: true });
    expect(dry.failed.map((f) => [f.id, f.code])).toEqual([[quick, "unknown-suite"]]);
    expect(await statusOf(quick)).toBe("visible");
    expect((await countRows(pg.handle)).moderation_actions).toBe(0);

    const summary = await recheckSubmissions(pg.handle.db, { context: { knownSuites: changed } });
    expect(summary).toMatchObject({ checked: 2, passed: 1, dryRun: false });
    expect(summary.failed.map((f) => f.id)).toEqual([quick]);
    const reason = summary.failed[0]!.reason;
    expect(reason).toMatch(/^db:recheck: fails the unknown-suite check: the bundle's suite quick v\d+ differs/);

    expect(await statusOf(quick)).toBe("HTTP 410");
    expect(await statusOf(smoke)).toBe("visible");
    const trail = await (await pg.app.request("/api/v1/moderation")).json();
    expect(trail.actions).toHaveLength(1);
    expect(trail.actions[0]).toMatchObject({ submissionId: quick, action: "hide", reason });

    // Idempotent: the hidden one is not checked again and nothing new is recorded.
    const again = await recheckSubmissions(pg.handle.db, { context: { knownSuites: changed } });
    expect(again).toEqual({ checked: 1, passed: 1, failed: [], dryRun: false });
    expect((await countRows(pg.handle)).moderation_actions).toBe(1);
  });

  it("hides a stored bundle that was never consistent; an unchanged server's own submissions all pass", async () => {
    const good = await submit(pg.app);
    const bad = await storeInconsistent(pg.handle);
    const summary = await recheckSubmissions(pg.handle.db);
    expect(summary.failed.map((f) => [f.id, f.code])).toEqual([[bad, "inconsistent"]]);
    expect(summary.failed[0]!.detail).toMatch(/epochsToFit: claims 1, but the curves give/);
    expect(await statusOf(bad)).toBe("HTTP 410");
    expect(await statusOf(good)).toBe("visible");
  });
});

describe("npm run db:recheck", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "rethink-bench-recheck-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("rechecks the PGlite data dir it is given: lists in a dry run, hides otherwise, prints a summary", async () => {
    const dataDir = join(dir, "board");
    const db = await openDatabase({ driver: "pglite", dataDir });
    let good: string;
    let bad: string;
    try {
      good = await submit(appOn(db));
      bad = await storeInconsistent(db);
    } finally {
      await db.close();
    }
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/db-recheck.ts", ...args], {
        env: { ...process.env, DATABASE_URL: "" },
      });

    const dry = await run(["--dry-run", "--data", dataDir]);
    expect(dry.stdout).toContain(`of PGlite in ${dataDir} (dry run: nothing is hidden)`);
    expect(dry.stdout).toContain(`would hide: ${bad}: inconsistent: `);
    expect(dry.stdout).toContain("Checked 2: 1 pass, 1 fail (not hidden: dry run)");

    const real = await run(["--data", dataDir]);
    expect(real.stdout).toContain(`hidden: ${bad}: inconsistent: `);
    expect(real.stdout).toContain("Checked 2: 1 pass, 1 fail (hidden, with a moderation row each)");
    const again = await run(["--data", dataDir]);
    expect(again.stdout).toContain("Checked 1: 1 pass, 0 fail");

    const reopened = await openDatabase({ driver: "pglite", dataDir });
    try {
      const board = appOn(reopened);
      expect((await board.request(`/api/v1/submissions/${good}`)).status).toBe(200);
      expect((await board.request(`/api/v1/submissions/${bad}`)).status).toBe(410);
      expect(await countRows(reopened)).toMatchObject({ submissions: 2, moderation_actions: 1 });
    } finally {
      await reopened.close();
    }
  });
});
