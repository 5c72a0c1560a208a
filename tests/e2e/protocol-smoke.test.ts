// A real smoke-suite bundle from the built CLI follows the protocol that checkProtocol checks, and
// the same bundle with a run left out, a curve cut or a seed swapped does not.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkProtocol, findSuite, openBundle, type RunResult } from "../../schema/index.js";
import { sharedSmokeRun } from "../fixtures/smoke-run.js";

describe("checkProtocol on a bundle of rethink-bench run --suite smoke", () => {
  it("accepts what the runner wrote and names each tampering", async () => {
    // `run --suite smoke --seed 0 --backend wasm --workers 2`, trained once for all the files that need it.
    const result = await sharedSmokeRun();
    expect(result.code, result.stderr).toBe(0);
    const opened = await openBundle(readFileSync(result.bundle, "utf8"));
    if (!opened.ok) throw new Error(`the smoke bundle does not open: ${opened.detail}`);
    const { predicate } = opened.statement;
    const smoke = findSuite("smoke", predicate.suite.version)!;
    expect(predicate.runs.map((run) => run.task.corruption.kind)).toEqual(["true", "random"]);
    expect(checkProtocol(predicate, smoke)).toEqual([]);

    // Leave out the random-label run.
    const [trueRun, randomRun] = predicate.runs as [RunResult, RunResult];
    expect(checkProtocol({ runs: [trueRun] }, smoke).map((e) => e.message)).toEqual([
      expect.stringMatching(/^mlp-1x512\/mnist-10k\/random\/none\/seed-0 is missing/),
    ]);
    // Cut the random-label run's curve one epoch short of where it stopped.
    const cut = { ...randomRun, curve: randomRun.curve.slice(0, -1) };
    const [cutError] = checkProtocol({ runs: [trueRun, cut] }, smoke);
    expect(cutError?.path).toBe("predicate.runs[1].curve");
    expect(cutError?.message).toContain(`the curve ends after epoch ${randomRun.curve.length - 1}, before`);
    // Claim a seed the suite does not list.
    const reseeded = predicate.runs.map((run) => ({ ...run, task: { ...run.task, seed: 5 } }));
    expect(checkProtocol({ runs: reseeded }, smoke).map((e) => e.path)).toEqual([
      "predicate.runs[0].task.seed",
      "predicate.runs[1].task.seed",
    ]);
  });
});
