// Reproductions on a real PostgreSQL server (a throwaway cluster, node-postgres), where requests
// really run at once: one attestation sent concurrently is stored once, a key's concurrent
// verdicts on one run count once, and operators' hides racing a submission of the same slots
// finish without deadlock and hide once.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../api/db/client.js";
import { openDatabase } from "../../api/db/open.js";
import { ModerationLog, type Signer, SubmissionReceipt } from "../../schema/index.js";
import { appOn, emptyTables, postBundle, type SignedBundle, signedBundle } from "../fixtures/api.js";
import { newSigner } from "../fixtures/bundles.js";
import { type PostgresServer, startPostgres } from "../fixtures/postgres.js";
import { attest, postReproduction } from "../fixtures/reproductions.js";

let server: PostgresServer;
let handle: DatabaseHandle;
let operators: Signer[];
let app: ReturnType<typeof appOn>;

beforeAll(async () => {
  server = await startPostgres();
  handle = await openDatabase({ driver: "postgres", url: server.url });
  operators = [await newSigner(), await newSigner()];
  app = appOn(handle, { reproducerKeys: () => new Set(operators.map((o) => o.keyid)) });
});
afterAll(async () => {
  await handle?.close();
  await server?.stop();
});
beforeEach(() => emptyTables(handle));

async function stored(bundle: SignedBundle): Promise<string> {
  const res = await postBundle(app, bundle.text);
  expect(res.status).toBe(201);
  return SubmissionReceipt.parse(await res.json()).id;
}

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await handle.db.execute(query)) as unknown as { rows: T[] }).rows;
}

describe("reproductions under concurrency", () => {
  it("stores one attestation sent eight times at once", async () => {
    const bundle = await signedBundle({ seeds: [0] });
    await stored(bundle);
    const envelope = await attest(bundle, await newSigner(), [{ position: 0 }, { position: 1 }]);
    const responses = await Promise.all(Array.from({ length: 8 }, () => postReproduction(app, envelope)));
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(await rows(sql`select count(*)::int as n from reproduction_runs`)).toEqual([{ n: 2 }]);
  });

  it("counts one verdict of a key on a run when the key sends several at once", async () => {
    const bundle = await signedBundle({ seeds: [0] });
    await stored(bundle);
    const reproducer = await newSigner();
    const envelopes = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        attest(bundle, reproducer, [{ position: 0 }], { createdAt: `2026-12-01T00:00:0${i}.000Z` }),
      ),
    );
    const responses = await Promise.all(envelopes.map((e) => postReproduction(app, e)));
    expect(responses.map((r) => r.status)).toEqual(Array(6).fill(201));
    expect(
      await rows(sql`select counted, count(*)::int as n from reproduction_runs group by counted order by counted`),
    ).toEqual([
      { counted: false, n: 5 },
      { counted: true, n: 1 },
    ]);
    expect(await rows(sql`select reproduced_exact as exact from runs where position = 0`)).toEqual([{ exact: 1 }]);
  });

  it("hides once when two operators' 'not reproduced' race a submission of the same slots", async () => {
    const bundle = await signedBundle({ seeds: [0] });
    const id = await stored(bundle);
    const same = await signedBundle({ seeds: [0], signer: await newSigner() });
    const envelopes = await Promise.all(
      operators.map((o) => attest(bundle, o, [{ position: 0, change: { epoch: 2, by: 1 } }, { position: 1 }])),
    );
    const [submitted, ...reproduced] = await Promise.all([
      postBundle(app, same.text),
      ...envelopes.map((e) => postReproduction(app, e)),
    ]);
    expect([submitted!.status, ...reproduced.map((r) => r.status)]).toEqual([201, 201, 201]);
    const log = ModerationLog.parse(await (await app.request("/api/v1/moderation")).json());
    expect(log.actions.map((a) => [a.action, a.submissionId])).toEqual([["hide", id]]);
    // The hidden submission's runs hold no role; the other submission's stand in both slots.
    expect(
      await rows(
        sql`select submission_id = ${id} as hidden, slot_role as role, count(*)::int as n from runs
            group by 1, 2 order by 1, 2`,
      ),
    ).toEqual([
      { hidden: false, role: "standing", n: 2 },
      { hidden: true, role: null, n: 2 },
    ]);
  });
});
