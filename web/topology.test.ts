import { describe, expect, it } from "vitest";
import { TOPOLOGIES } from "../tests/fixtures/topologies.js";
import { summarizeTopology } from "./topology.js";

describe("summarizeTopology", () => {
  it("lists the layers of a built-in MLP with their settings", () => {
    const summary = summarizeTopology(TOPOLOGIES["mlp-1x512"].topology)!;
    expect(summary.className).toBe("Model");
    expect(summary.layers.map((l) => [l.className, l.detail])).toEqual([
      ["InputLayer", "input 28×28×1"],
      ["Flatten", ""],
      ["Dense", "512 units, relu"],
      ["Dense", "10 units"],
    ]);
    expect(summary.layers[2]!.inputs).toEqual(["layer-1"]);
  });

  it("counts the layer kinds of a functional Inception and names each layer's inputs", () => {
    const summary = summarizeTopology(TOPOLOGIES["small-inception"].topology)!;
    expect(summary.layers.length).toBe(72);
    // Most frequent first, ties by name.
    expect(summary.counts.slice(0, 4)).toEqual([
      { className: "Activation", count: 19 },
      { className: "BatchNormalization", count: 19 },
      { className: "Conv2D", count: 19 },
      { className: "Concatenate", count: 10 },
    ]);
    expect(summary.counts.reduce((n, c) => n + c.count, 0)).toBe(72);
    const concat = summary.layers.find((l) => l.className === "Concatenate")!;
    expect(concat.inputs.length).toBe(2);
    expect(summary.layers.find((l) => l.className === "Conv2D" && l.detail.includes("stride 2"))!.detail).toBe(
      "80 filters 3×3, stride 2",
    );
  });

  it("describes pooling and accepts a model.json wrapper or a Sequential config list", () => {
    const alexnet = summarizeTopology({ modelTopology: TOPOLOGIES["small-alexnet-tiny"].topology })!;
    expect(alexnet.layers[2]).toMatchObject({ className: "MaxPooling2D", detail: "pool 3×3, stride 2" });
    const legacy = summarizeTopology({
      class_name: "Sequential",
      config: [{ class_name: "Dropout", config: { rate: 0.5 } }],
    })!;
    expect(legacy.layers[0]).toMatchObject({ className: "Dropout", detail: "rate 0.5" });
  });

  it("shows a separable or depthwise convolution's depth multiplier when it is not 1", () => {
    const summary = summarizeTopology({
      class_name: "Sequential",
      config: {
        layers: [
          { class_name: "SeparableConv2D", config: { filters: 16, kernel_size: [3, 3], depth_multiplier: 2 } },
          { class_name: "DepthwiseConv2D", config: { kernel_size: [3, 3], depth_multiplier: 3, strides: [2, 2] } },
          { class_name: "DepthwiseConv2D", config: { kernel_size: [3, 3], depth_multiplier: 1 } },
        ],
      },
    })!;
    expect(summary.layers.map((l) => l.detail)).toEqual([
      "16 filters 3×3, depth multiplier 2",
      "kernel 3×3, depth multiplier 3, stride 2",
      "kernel 3×3",
    ]);
  });

  it("is null for JSON without a layer list", () => {
    expect(summarizeTopology({ class_name: "Kernel", config: { gamma: 0.02 } })).toBeNull();
    expect(summarizeTopology(null)).toBeNull();
  });
});
