// The task folder's Node side: content-addressed blobs, the task list's checks, results read back.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expandSuite, findSuite } from "../../schema/index.js";
import { TORCH_CPU_ENGINE } from "../../tests/fixtures/torch-module.js";
import { InputError } from "../errors.js";
import {
  readResult,
  readTaskList,
  resultOutcome,
  type TorchTaskInput,
  writeTask,
  writeTaskList,
} from "./task-files.js";

/** SHA-256 of the bytes of Float32Array [1, 2] (little-endian), from Python's hashlib. */
const DIGEST_OF_ONE_TWO = "b9c80b5adeca450753a16950c3cc655d271f7bef7a485bc83f112b72fef21d37";

const task = { ...expandSuite(findSuite("smoke")!)[0]!, epochs: 2 };

/** Two 1×1×2 "images" whose pixels are [1, 2] and [1, 2]: tiny, and the same for train and test. */
function input(order: number[]): TorchTaskInput {
  const set = { images: Float32Array.from([1, 2, 1, 2]), labels: Uint8Array.from([0, 1]), count: 2 };
  return {
    task,
    model: { kind: "topology", topology: { class_name: "Sequential", config: { layers: [] } } },
    inputShape: [1, 1, 2],
    classes: 2,
    preprocess: "none",
    framePadding: 0,
    train: set,
    test: set,
    schedule: { count: 2, order: Uint32Array.from(order), crops: null, validation: null },
  };
}

function folder(): string {
  return mkdtempSync(join(tmpdir(), "rb-task-files-"));
}

describe("writeTask", () => {
  it("stores each distinct array once, under its SHA-256, as raw little-endian bytes", async () => {
    const dir = folder();
    const first = await writeTask(dir, 0, input([0, 1, 1, 0]));
    const second = await writeTask(dir, 1, input([1, 0, 0, 1]));
    // Train and test images are the same bytes: one file; the two orders differ: two files.
    expect(first.arrays.trainImages).toEqual(first.arrays.testImages);
    expect(second.arrays.order.file).not.toBe(first.arrays.order.file);
    // Images (train = test), labels (train = test), and the two orders.
    expect(readdirSync(join(dir, "data"))).toHaveLength(4);
    const pair = Float32Array.from([1, 2]);
    await writeTask(dir, 2, {
      ...input([0, 1, 1, 0]),
      train: { images: pair, labels: Uint8Array.from([1]), count: 1 },
    });
    expect(readdirSync(join(dir, "data")).sort()).toContain(`${DIGEST_OF_ONE_TWO}.bin`);
    expect([...readFileSync(join(dir, first.arrays.order.file))]).toEqual([
      0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
    ]);
    expect(first.arrays.order.shape).toEqual([2, 2]);
    expect(first.key).toBe("mlp-1x512/mnist-10k/true/none/seed-0");
  });

  it("refuses arrays whose length does not match their shape", async () => {
    await expect(writeTask(folder(), 0, input([0, 1, 1]))).rejects.toThrow(/shape \[2, 2\] needs 4 elements, got 3/);
  });
});

describe("readTaskList", () => {
  it("reads back what writeTaskList wrote", async () => {
    const dir = folder();
    const entries = [await writeTask(dir, 0, input([0, 1, 1, 0]))];
    await writeTaskList(dir, entries, "9.9.9");
    expect(await readTaskList(dir)).toEqual({ runnerVersion: "9.9.9", tasks: entries });
  });

  it("names the file when it is missing, not JSON, or not a task list", async () => {
    const dir = folder();
    await expect(readTaskList(dir)).rejects.toThrow(/tasks\.json: no task list here/);
    writeFileSync(join(dir, "tasks.json"), "{");
    await expect(readTaskList(dir)).rejects.toThrow(InputError);
    await expect(readTaskList(dir)).rejects.toThrow(/tasks\.json: the task list is not valid JSON/);
    writeFileSync(
      join(dir, "tasks.json"),
      JSON.stringify({ format: "other", version: 1, runnerVersion: "1", tasks: [] }),
    );
    await expect(readTaskList(dir)).rejects.toThrow(/tasks\.json: not a rethink-bench task list: format/);
  });
});

describe("readResult and resultOutcome", () => {
  const result = {
    format: "rethink-bench-torch-result",
    version: 1,
    index: 0,
    key: "k",
    engine: TORCH_CPU_ENGINE,
    hardware: { platform: "linux", arch: "x64", cpuModel: "CPU", cpuCount: 2, memoryBytes: 1, gpu: null },
    parameterCount: 10,
    description: null,
    status: "ok",
    failure: null,
    curve: [{ epoch: 1, trainLoss: 0.5, trainAcc: 0.75, testLoss: 0.7, testAcc: 0.5, wallSeconds: 0.1 }],
    predictions: { train: "AAECCQ==", test: "AQ==" },
  };

  it("is null before the task ran, and decodes the predictions of a result", async () => {
    const dir = folder();
    expect(await readResult(dir, 0)).toBeNull();
    await writeTaskList(dir, [], "1");
    writeFileSync(join(dir, "results", "0.json"), JSON.stringify(result));
    const outcome = resultOutcome((await readResult(dir, 0))!);
    expect([...outcome.predictions!.train]).toEqual([0, 1, 2, 9]);
    expect([...outcome.predictions!.test]).toEqual([1]);
    expect(outcome.curve).toEqual(result.curve);
  });

  it("refuses a malformed result, naming the file and the task to rerun", async () => {
    const dir = folder();
    await writeTaskList(dir, [], "1");
    writeFileSync(join(dir, "results", "0.json"), JSON.stringify({ ...result, predictions: null }));
    await expect(readResult(dir, 0)).rejects.toThrow(
      /results\/0\.json: not a valid result of task 0: .*run the worker/,
    );
    writeFileSync(join(dir, "results", "1.json"), JSON.stringify(result));
    await expect(readResult(dir, 1)).rejects.toThrow(/results\/1\.json: holds the result of task 0/);
  });
});
