// The run schedule: the batch order and crops both engines train by, drawn as the seeded streams give them.
import { describe, expect, it } from "vitest";
import { NO_REGULARIZER, type Regularizer, type Task, validationSplit } from "../../schema/index.js";
import { Rng } from "../random.js";
import { BATCH_ORDER_STREAM, CropStream, cropFrame, cropStream, RunSchedule } from "./schedule.js";

function task(regularizer: Partial<Regularizer> = {}, seed = 7): Task {
  return {
    suite: { id: "test", version: 1 },
    architecture: "mlp-1x512",
    dataset: { id: "synthetic", trainSize: 60, testSize: 10 },
    corruption: { kind: "true" },
    regularizer: { ...NO_REGULARIZER, ...regularizer },
    seed,
    optimizer: { kind: "sgd-momentum", learningRate: 0.01, momentum: 0.9, decayPerEpoch: 0.95, batchSize: 8 },
    epochs: 5,
    fitThreshold: 1,
  };
}

const labels = Uint8Array.from({ length: 60 }, (_, i) => i % 10);

describe("RunSchedule", () => {
  it("without early stopping, trains every example in the batch-order stream's permutations", () => {
    const schedule = new RunSchedule(task(), labels, [28, 28, 1]);
    expect(schedule.count).toBe(60);
    expect(schedule.validation).toBeNull();
    expect(schedule.training).toBeNull();
    const stream = Rng.create(7, "train/batch-order");
    for (let epoch = 0; epoch < 3; epoch++) expect(schedule.nextEpoch()).toEqual(stream.permutation(60));
    expect(BATCH_ORDER_STREAM).toBe("train/batch-order");
  });

  it("with early stopping, permutes only the training ids and never a validation id", () => {
    const schedule = new RunSchedule(task({ earlyStoppingPatience: 2 }), labels, [28, 28, 1]);
    const split = validationSplit(labels, 7);
    expect(schedule.validation).toEqual(split.validation);
    expect(schedule.count).toBe(split.training.length);
    const stream = Rng.create(7, "train/batch-order");
    for (let epoch = 0; epoch < 2; epoch++) {
      const ids = schedule.nextEpoch();
      const positions = stream.permutation(split.training.length);
      expect(Array.from(ids)).toEqual(Array.from(positions, (p) => split.training[p]));
      expect([...ids].sort((a, b) => a - b)).toEqual([...split.training]);
      for (const id of split.validation) expect(ids).not.toContain(id);
    }
  });

  it("draws no crops without augmentation", () => {
    const schedule = new RunSchedule(task(), labels, [28, 28, 1]);
    expect(schedule.crops).toBeNull();
    expect(schedule.cropDraws(4)).toBeNull();
  });

  it("draws top, left for crop (no mirror coin) and top, left, coin for crop-flip, from the augmentation stream", () => {
    const crop = new RunSchedule(task({ augmentation: "crop" }), labels, [28, 28, 1]).cropDraws(50)!;
    const stream = Rng.create(7, "train/augmentation");
    const expected = Array.from({ length: 50 }, () => [stream.int(5), stream.int(5), 0]).flat();
    expect(Array.from(crop)).toEqual(expected);

    const flip = new RunSchedule(task({ augmentation: "crop-flip" }), labels, [28, 28, 1]).cropDraws(50)!;
    const again = Rng.create(7, "train/augmentation");
    const flipped = Array.from({ length: 50 }, () => [again.int(5), again.int(5), again.int(2)]).flat();
    expect(Array.from(flip)).toEqual(flipped);
    expect(new Set(Array.from(flip).filter((_, i) => i % 3 === 2))).toEqual(new Set([0, 1]));
  });

  it("gives the same draws batch by batch as for a whole epoch at once", () => {
    const whole = cropStream(3, "crop-flip", [32, 32, 3])!.draw(20);
    const batches = cropStream(3, "crop-flip", [32, 32, 3])!;
    const pieces = [batches.draw(8), batches.draw(8), batches.draw(4)];
    expect(Uint8Array.from(pieces.flatMap((p) => Array.from(p)))).toEqual(whole);
  });
});

describe("cropFrame", () => {
  it("frames 28×28 images with 2 zero pixels on each side and crops CIFAR's 32×32 to 28×28 unpadded", () => {
    expect(cropFrame([28, 28, 1])).toEqual({ padding: 2, frame: [32, 32, 1], window: [28, 28, 1] });
    expect(cropFrame([32, 32, 3])).toEqual({ padding: 0, frame: [32, 32, 3], window: [28, 28, 3] });
  });

  it("refuses a frame whose placements do not fit in one byte", () => {
    const frame = { padding: 0, frame: [300, 300, 1], window: [28, 28, 1] } satisfies ReturnType<typeof cropFrame>;
    expect(() => new CropStream(Rng.create(0, "x"), frame, false)).toThrow(/too large/);
  });
});
