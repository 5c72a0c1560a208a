// Bring your own architecture, as people have it, from the file to a ranked row: the issue's
// digit classifier as `tensorflowjs_converter` wrote it from Keras 2.2.2, and a small ResNet as
// Keras 3's `model.save("net.keras")` writes it, each trained by `rethink-bench run --model FILE
// --suite smoke --json` (the gallery's shared runs: tests/fixtures/keras/gallery-runs.ts), its
// bundle posted to the app on PGlite and found on the leaderboard with a rank, its parameter count
// as Keras reports it and its fingerprint as the run recorded it.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../api/db/client.js";
import { openDatabase } from "../../api/db/open.js";
import { Leaderboard } from "../../schema/index.js";
import { appOn, postBundle } from "../fixtures/api.js";
import { digitClassifier, smallResnet } from "../fixtures/keras/gallery.js";
import { type GalleryRun, trainGalleryModel } from "../fixtures/keras/gallery-runs.js";

interface Posted {
  fingerprint: string;
  status: number;
  body: string;
}

async function post(app: ReturnType<typeof appOn>, run: GalleryRun): Promise<Posted> {
  expect(run.code, run.stderr).toBe(0);
  const { runs } = JSON.parse(run.stdout) as { runs: { fingerprint: string }[] };
  const response = await postBundle(app, readFileSync(run.bundle, "utf8"));
  return { fingerprint: runs[0]!.fingerprint, status: response.status, body: await response.text() };
}

let handle: DatabaseHandle;
let app: ReturnType<typeof appOn>;
let converted: Posted;
let keras3: Posted;
let converterRun: GalleryRun;
let keras3Run: GalleryRun;

beforeAll(async () => {
  handle = await openDatabase({ driver: "pglite" });
  app = appOn(handle);
  [converterRun, keras3Run] = await Promise.all([trainGalleryModel(digitClassifier), trainGalleryModel(smallResnet)]);
  converted = await post(app, converterRun);
  keras3 = await post(app, keras3Run);
});
afterAll(() => handle?.close());

describe("a model.json from tensorflowjs_converter and a Keras 3 .keras archive", () => {
  it("are the files the issue's user has", () => {
    expect(converterRun.model).toMatch(/\.converter\.json$/);
    expect(JSON.parse(readFileSync(converterRun.model, "utf8"))).toMatchObject({
      generatedBy: "keras v2.2.2",
      convertedBy: "TensorFlow.js Converter v1.2.2",
      modelTopology: { keras_version: "2.2.2", model_config: { class_name: "Sequential" } },
    });
    expect(keras3Run.model).toMatch(/\.keras$/);
    // A zip: "PK\x03\x04".
    expect([...readFileSync(keras3Run.model).subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
  });

  it("are accepted by the server, which recounts their parameters and checks every figure", () => {
    expect(converted.status, converted.body).toBe(201);
    expect(keras3.status, keras3.body).toBe(201);
  });

  it("each get a ranked row on the smoke board, with Keras's parameter count", async () => {
    const board = Leaderboard.parse(await (await app.request("/api/v1/leaderboard?suite=smoke")).json());
    const row = (fingerprint: string) => board.rows.find((r) => r.architecture.fingerprint === fingerprint);
    // 592,074 and 12,946: worked out layer by layer in tests/integration/topology-gallery.test.ts.
    expect(row(converted.fingerprint)).toMatchObject({
      rank: expect.any(Number),
      architecture: { kind: "layers-json", parameterCount: 592_074, inputShape: [28, 28, 1] },
    });
    expect(row(keras3.fingerprint)).toMatchObject({
      rank: expect.any(Number),
      architecture: { kind: "layers-json", parameterCount: 12_946, inputShape: [28, 28, 1] },
    });
    // Both memorized their random labels, so both take a memorization-speed rank: 1 and 2.
    expect([row(converted.fingerprint)!.rank, row(keras3.fingerprint)!.rank].sort((a, b) => a - b)).toEqual([1, 2]);
  });
});
