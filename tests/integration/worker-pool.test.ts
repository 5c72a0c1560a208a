// The worker pool that `run` trains on: several calls on one pool each hear only their own
// runs (bench:torch reuses a pool for its rounds). Worker threads start compiled JavaScript,
// so the pool comes from the build (dist/), which `npm test` makes first.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type * as PoolModule from "../../runner/pool/worker-pool.js";
import { expandSuite, findSuite, type Task } from "../../schema/index.js";

const { WorkerPool } = (await import(
  new URL("../../dist/runner/pool/worker-pool.js", import.meta.url).href
)) as typeof PoolModule;

/** The smoke suite's random-label task, cut to a few epochs so that it never fits and stops early. */
function task(seed: number, epochs: number): Task {
  const random = expandSuite(findSuite("smoke")!).find((t) => t.corruption.kind === "random")!;
  return { ...random, seed, epochs };
}

describe("WorkerPool", () => {
  it("reports each run's epochs and result once per call, also on a pool used before", async () => {
    const pool = await WorkerPool.start(1, {
      backend: "wasm",
      model: null,
      data: { cacheDir: mkdtempSync(join(tmpdir(), "rb-pool-")), download: false },
    });
    try {
      const calls = [2, 3, 2].map((epochs) => ({ epochs, heard: { epochs: 0, done: 0, curves: [] as number[] } }));
      for (const [round, { epochs, heard }] of calls.entries()) {
        await pool.run(
          [task(round, epochs)],
          {
            onStart: () => {},
            onProgress: () => {},
            onEpoch: () => void heard.epochs++,
            onDone: async (_, { run }) => {
              heard.done++;
              heard.curves.push(run.curve.length);
            },
          },
          new AbortController().signal,
        );
      }
      // Checked after every call: a call's events must not fire again during later calls.
      expect(calls.map((c) => c.heard)).toEqual(calls.map(({ epochs }) => ({ epochs, done: 1, curves: [epochs] })));
    } finally {
      await pool.close();
    }
  });
});
