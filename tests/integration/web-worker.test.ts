// The pages in the real Workers runtime (wrangler's dev server, workerd) on a real
// PostgreSQL through the Neon driver: the built assets served by wrangler's [assets] with
// their cache headers, the manifest read through the ASSETS binding, and pages cached per
// URL at the edge, so that a cached board is served even while the database is down.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../api/db/open.js";
import { defaultPublicDir } from "../../api/node.js";
import { AssetManifest } from "../../web/index.js";
import { ADMIN_TOKEN, httpFetcher, postBundle, signedBundle } from "../fixtures/api.js";
import { type PostgresServer, startPostgres } from "../fixtures/postgres.js";
import { type DevWorker, startDevWorker } from "../fixtures/wrangler.js";
import { startWsProxy, type WsProxy } from "../fixtures/ws-proxy.js";

let server: PostgresServer;
let proxy: WsProxy;
let worker: DevWorker;
let manifest: AssetManifest;

beforeAll(async () => {
  const publicDir = defaultPublicDir();
  if (!publicDir) throw new Error("the web assets are not built: run `npm run build` first");
  manifest = AssetManifest.parse(JSON.parse(readFileSync(join(publicDir, "asset-manifest.json"), "utf8")));
  server = await startPostgres();
  await (await openDatabase({ driver: "postgres", url: server.url })).close();
  proxy = await startWsProxy();
  worker = await startDevWorker({ DATABASE_URL: server.url, ADMIN_TOKEN }, proxy.port);
});
afterAll(async () => {
  await worker?.stop();
  await proxy?.close();
  await server?.stop();
});

describe("the pages in workerd", () => {
  it("link the built assets, which the static-asset server serves for a year", async () => {
    const res = await fetch(`${worker.url}/protocol`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain(`<link rel="stylesheet" href="${manifest.stylesheet}"/>`);
    const css = await fetch(worker.url + manifest.stylesheet);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toMatch(/^text\/css/);
    expect(css.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await css.text()).toContain("@media(prefers-color-scheme:dark)");
  });

  it("serve a board from the edge cache, keyed by its URL, while the database is down", async () => {
    const api = httpFetcher(worker.url);
    const bundle = await signedBundle({ architectureName: "Cached net" });
    expect((await postBundle(api, bundle.text)).status).toBe(201);
    const board = `${worker.url}/?suite=smoke`;
    const first = await fetch(board);
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe("public, max-age=5, s-maxage=10");
    expect(await first.text()).toContain("Cached net");

    await server.stop();
    // The cache is written after the response: wait for the first copy to land.
    let cached: Response | undefined;
    for (let attempt = 0; attempt < 20 && cached?.status !== 200; attempt++) {
      cached = await fetch(board);
      if (cached.status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(cached!.status).toBe(200);
    expect(await cached!.text()).toContain("Cached net");
    // Another view of the board is another cache entry: it needs the database.
    const uncached = await fetch(`${worker.url}/?suite=smoke&rank=gap`);
    expect(uncached.status).toBe(503);
    expect(uncached.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    expect(uncached.headers.get("cache-control")).toBe("no-store");
  });
});
