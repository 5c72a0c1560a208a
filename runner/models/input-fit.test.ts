// The input-shape check before training: a topology's input shape read from the file, compared with a
// suite's datasets (CIFAR-10 through its 28×28 crop), and the suites that fit named when it fails.
import { describe, expect, it } from "vitest";
import { findSuite } from "../../schema/index.js";
import { InputError } from "../errors.js";
import { checkInputFits, topologyInputShape } from "./input-fit.js";
import { topologyFromJson } from "./topology-file.js";

const sequential = (shape: number[]) =>
  topologyFromJson(
    {
      class_name: "Sequential",
      config: [
        { class_name: "Flatten", config: { name: "f", batch_input_shape: [null, ...shape] } },
        { class_name: "Dense", config: { name: "d", units: 10 } },
      ],
    },
    "m.json",
  );
const suite = (id: string) => findSuite(id)!;

describe("topologyInputShape", () => {
  it("reads a Sequential's first layer and a functional model's input layer", () => {
    expect(topologyInputShape(sequential([32, 32, 3]).topology)).toEqual([32, 32, 3]);
    const functional = topologyFromJson(
      {
        class_name: "Functional",
        config: {
          layers: [
            { class_name: "Dense", name: "d", config: { name: "d", units: 10 }, inbound_nodes: [[["x", 0, 0, {}]]] },
            { class_name: "InputLayer", name: "x", config: { name: "x", batch_input_shape: [null, 28, 28, 3] } },
          ],
          input_layers: [["x", 0, 0]],
          output_layers: [["d", 0, 0]],
        },
      },
      "f.json",
    );
    expect(topologyInputShape(functional.topology)).toEqual([28, 28, 3]);
  });

  it("is null when the file does not say", () => {
    const document = topologyFromJson({ class_name: "Sequential", config: [{ class_name: "Dense", config: {} }] }, "x");
    expect(topologyInputShape(document.topology)).toBeNull();
  });
});

describe("checkInputFits", () => {
  it("passes a 28×28×1 model on MNIST and a 28×28×3 one on CIFAR-10 (trained cropped to 28×28×3)", () => {
    expect(() => checkInputFits(sequential([28, 28, 1]), "m.json", suite("smoke"))).not.toThrow();
    expect(() => checkInputFits(sequential([28, 28, 3]), "m.json", suite("paper"))).not.toThrow();
    expect(() => checkInputFits(sequential([28, 28, 3]), "m.json", suite("standard"), "cifar10")).not.toThrow();
  });

  it("a 32×32×3 model on smoke: no suite feeds 32×32×3, and the shapes that fit are listed", () => {
    expect(() => checkInputFits(sequential([32, 32, 3]), "m.json", suite("smoke"))).toThrow(
      new InputError(
        "m.json takes 32×32×3 images, but mnist-10k's (suite smoke) are 28×28×1; no suite feeds a network " +
          "32×32×3 images; build the model for 28×28×1: mnist-10k (suites smoke, quick, regularizers); " +
          "fashion-mnist (suite standard --dataset fashion-mnist), or 28×28×3: cifar10 (suites standard " +
          "--dataset cifar10, paper, its 32×32×3 images cropped)",
      ),
    );
  });

  it("a 28×28×3 model on the standard suite without --dataset fails on Fashion-MNIST and names cifar10", () => {
    expect(() => checkInputFits(sequential([28, 28, 3]), "m.json", suite("standard"))).toThrow(
      "m.json takes 28×28×3 images, but fashion-mnist's (suite standard) are 28×28×1; a 28×28×3 input fits " +
        "cifar10 (suites standard --dataset cifar10, paper, its 32×32×3 images cropped)",
    );
  });

  it("a 28×28×1 model on CIFAR-10 says the images are cropped to 28×28×3", () => {
    expect(() => checkInputFits(sequential([28, 28, 1]), "m.json", suite("paper"))).toThrow(
      "m.json takes 28×28×1 images, but cifar10's (suite paper) are 32×32×3, cropped to 28×28×3 for training; " +
        "a 28×28×1 input fits mnist-10k (suites smoke, quick, regularizers); fashion-mnist (suite standard " +
        "--dataset fashion-mnist)",
    );
  });
});
