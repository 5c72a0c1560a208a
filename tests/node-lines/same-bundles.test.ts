// Every Node.js line's smoke bundle (left by smoke.test.ts, one per line) holds the same runs:
// identical curves (wall times aside), derived figures and predictions, bit for bit.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundleDir, comparableRuns } from "./bundles.js";

describe("the smoke bundles of the Node.js lines", () => {
  it("agree bit for bit on curves, derived figures and predictions", () => {
    const dir = bundleDir();
    const files = readdirSync(dir)
      .filter((name) => /^node-[\d.]+\.dsse\.json$/.test(name))
      .sort();
    // One per line that scripts/node-lines.sh ran (it says how many); at least two to compare.
    const expected = Number(process.env.RB_NODE_LINES_COUNT ?? 2);
    expect(files.length, `bundles in ${dir}: ${files.join(", ")}`).toBeGreaterThanOrEqual(Math.max(expected, 2));
    const [first, ...others] = files.map((name) => ({ name, runs: comparableRuns(join(dir, name)) }));
    expect(first!.runs.length).toBeGreaterThan(0);
    for (const other of others) expect(other.runs, `${other.name} vs ${first!.name}`).toEqual(first!.runs);
  });
});
