// Checkpoints: finished runs survive, damaged files are moved aside, backends never mix.
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { taskKey } from "../schema/index.js";
import { makePredicate, newSigner } from "../tests/fixtures/bundles.js";
import { type RunIdentity, RunStore } from "./checkpoints.js";

const identity: RunIdentity = {
  suite: { id: "smoke", version: 1, digest: "d".repeat(64) },
  models: ["mlp-1x512"],
  dataset: null,
  seeds: [0],
  backend: "auto",
};

async function storedRuns() {
  const predicate = await makePredicate(await newSigner());
  return predicate.runs.map((run) => ({
    run,
    architecture: predicate.architectures[0]!,
    dataset: predicate.datasets[0]!,
  }));
}

describe("RunStore", () => {
  it("returns the saved runs by task key after a reopen", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rb-store-"));
    const [first, second] = await storedRuns();
    const store = await RunStore.open(dir, identity);
    await store.save(first!);
    await store.save(second!);
    const reopened = await RunStore.open(dir, identity);
    const finished = await reopened.finished(() => undefined);
    expect([...finished.keys()].sort()).toEqual([taskKey(first!.run.task), taskKey(second!.run.task)].sort());
    expect(finished.get(taskKey(first!.run.task))).toEqual(first);
  });

  it("moves a damaged checkpoint aside instead of deleting it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rb-store-"));
    const [first] = await storedRuns();
    const store = await RunStore.open(dir, identity);
    await store.save(first!);
    const name = readdirSync(join(dir, "runs"))[0]!;
    writeFileSync(join(dir, "runs", name), '{"run": {"truncated');
    const complaints: string[] = [];
    const finished = await store.finished((file) => complaints.push(file));
    expect(finished.size).toBe(0);
    expect(complaints).toEqual([join(dir, "runs", name)]);
    expect(readdirSync(join(dir, "runs"))).toEqual([`${name}.invalid`]);
  });

  it("refuses to mix finished runs of one backend with another", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rb-store-"));
    const predicate = await makePredicate(await newSigner());
    const store = await RunStore.open(dir, identity);
    await store.checkEnvironment(predicate.environment, 0);
    const reopened = await RunStore.open(dir, identity);
    expect(reopened.environment).toEqual(predicate.environment);
    const other = { ...predicate.environment, backend: "cpu" as const, backendDetail: "cpu (pure JavaScript)" };
    await expect(reopened.checkEnvironment(other, 3)).rejects.toThrow(/trained with wasm/);
    await expect(reopened.checkEnvironment(other, 0)).resolves.toBeUndefined();
  });
});
