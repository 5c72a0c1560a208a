// The generated table of built-ins is what the runner builds today: rebuilt here and compared.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BUILTIN_ARCHITECTURE_IDS } from "../../runner/models/index.js";
import { BUILTINS_PATH, buildBuiltinTable, renderBuiltins } from "../../scripts/build-builtins.js";
import { BUILTIN_ARCHITECTURES } from "./builtins.js";

describe("BUILTIN_ARCHITECTURES", () => {
  it("is what scripts/build-builtins.ts writes from the runner's builders (npm run builtins:build)", async () => {
    const rows = await buildBuiltinTable();
    expect(BUILTIN_ARCHITECTURES).toEqual(rows);
    expect(readFileSync(BUILTINS_PATH, "utf8")).toBe(renderBuiltins(rows));
  });

  it("holds every built-in at 28×28×1, at CIFAR-10's 28×28×3 crop and at synthetic's 8×8×1", () => {
    const keys = BUILTIN_ARCHITECTURES.map((b) => `${b.id}@${b.inputShape.join("x")}`).sort();
    const expected = BUILTIN_ARCHITECTURE_IDS.flatMap((id) => ["28x28x1", "28x28x3", "8x8x1"].map((s) => `${id}@${s}`));
    expect(keys).toEqual(expected.sort());
    // The counts that docs/architectures.md gives for the paper's models (Table 1: 28×28×3).
    const count = (id: string, channels: number, side = 28) =>
      BUILTIN_ARCHITECTURES.find((b) => b.id === id && b.inputShape.join() === `${side},${side},${channels}`)
        ?.parameterCount;
    expect(count("mlp-1x512", 3)).toBe(1_209_866);
    expect(count("mlp-3x512", 3)).toBe(1_735_178);
    expect(count("small-alexnet", 3)).toBe(1_387_786);
    expect(count("small-inception", 1)).toBe(1_654_522);
  });
});
