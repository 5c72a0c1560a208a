// `npm run deploy`: refuses to run without DATABASE_URL, and otherwise migrates that database
// and builds the Worker (here with wrangler's --dry-run, which uploads nothing).
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { startPostgres } from "../fixtures/postgres.js";

const run = promisify(execFile);
const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };

describe("npm run deploy", () => {
  it("says how to set DATABASE_URL when it is missing", async () => {
    const failure = await run("npm", ["run", "--silent", "deploy"], { env: { ...env, DATABASE_URL: "" } }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain("set DATABASE_URL");
  });

  it("applies the migrations to DATABASE_URL and builds the Worker", async () => {
    const server = await startPostgres();
    const outdir = mkdtempSync(join(tmpdir(), "rethink-bench-deploy-"));
    try {
      const { stdout } = await run("npm", ["run", "--silent", "deploy", "--", "--dry-run", "--outdir", outdir], {
        env: { ...env, DATABASE_URL: server.url },
      });
      expect(stdout).not.toContain(server.url.split("@")[0]!.split(":").pop()!); // the password is never printed
      expect(existsSync(join(outdir, "worker.js"))).toBe(true);
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      const { rows } = await client.query(
        "select table_name from information_schema.tables where table_schema = 'public' order by table_name",
      );
      await client.end();
      expect(rows.map((r: { table_name: string }) => r.table_name)).toEqual(
        expect.arrayContaining(["architectures", "runs", "submissions", "submitters"]),
      );
    } finally {
      rmSync(outdir, { recursive: true, force: true });
      await server.stop();
    }
  });
});
