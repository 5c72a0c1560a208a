// The protocol page's regularizer definitions: every figure is the suites' or the training constants', so a
// suite with other coefficients reads differently, and the sets that use each regularizer are named.
import { describe, expect, it } from "vitest";
import { findSuite, NO_REGULARIZER, type Suite } from "../../../schema/index.js";
import { Regularizers } from "./regularizers.js";

const render = (suites: Suite[]) => String(Regularizers({ suites }));
/** The text of one regularizer's definition, tags removed. */
function definition(html: string, id: string): string {
  const start = html.indexOf(`id="regularizer-${id}"`);
  expect(start, `no definition with id regularizer-${id}`).toBeGreaterThan(-1);
  return html
    .slice(start, html.indexOf("</div>", start))
    .replace(/<[^>]+>/g, "")
    .replace(/&#39;/g, "'");
}

describe("Regularizers", () => {
  it("states the regularizers suite's coefficients, the crop geometry and the validation split", () => {
    const html = render([findSuite("regularizers")!]);
    expect(definition(html, "wd")).toContain("λ = 0.0005 (sets: wd (regularizers); crop+wd (regularizers))");
    const crop = definition(html, "crop");
    // Padding 2 on a 28×28 image: a 32×32 frame, 2·2 + 1 = 5 placements each way, ±2 pixels.
    expect(crop).toContain("zero-padded by 2 pixels on each side (32×32;");
    expect(crop).toContain("uniform over the 5 positions");
    expect(crop).toContain("seed's train/augmentation stream");
    expect(definition(html, "dropout")).toContain("Rate 0.5 (sets: dropout (regularizers))");
    const early = definition(html, "early-stop");
    expect(early).toContain("Patience 5 epochs (sets: early-stop (regularizers))");
    expect(early).toContain("class-balanced 10% of the training subset");
    expect(definition(html, "bn")).toContain("Sets: bn (regularizers).");
  });

  it("reads each figure from the suite it is given, not from a copy", () => {
    const suite: Suite = {
      ...findSuite("smoke")!,
      id: "other",
      conditions: [
        { corruption: { kind: "true" }, regularizer: { ...NO_REGULARIZER, name: "wd-big", weightDecay: 0.01 } },
        { corruption: { kind: "true" }, regularizer: { ...NO_REGULARIZER, name: "half", dropout: 0.25 } },
        { corruption: { kind: "true" }, regularizer: { ...NO_REGULARIZER, name: "patient", earlyStoppingPatience: 9 } },
      ],
    };
    const html = render([suite]);
    expect(definition(html, "wd")).toContain("λ = 0.01 (sets: wd-big (other))");
    expect(definition(html, "dropout")).toContain("Rate 0.25 (sets: half (other))");
    expect(definition(html, "early-stop")).toContain("Patience 9 epochs (sets: patient (other))");
    expect(definition(html, "crop")).toContain("Sets: no suite uses it.");
    expect(definition(html, "bn")).toContain("Sets: no suite uses it.");
  });

  it("lists every value in use once, and which suites use each set", () => {
    const regularizers = findSuite("regularizers")!;
    const strong: Suite = {
      ...regularizers,
      id: "strong",
      conditions: regularizers.conditions.map((c) =>
        c.regularizer.name === "wd" ? { ...c, regularizer: { ...c.regularizer, weightDecay: 0.001 } } : c,
      ),
    };
    const wd = definition(render([regularizers, strong]), "wd");
    expect(wd).toContain("λ = 0.0005 or 0.001");
    expect(wd).toContain("wd (regularizers, strong); crop+wd (regularizers, strong)");
  });
});
