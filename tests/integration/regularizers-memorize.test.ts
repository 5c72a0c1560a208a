// The paper's point about explicit regularization, at smoke size: random labels are still memorized, to 100%
// training accuracy, with the regularizers suite's weight decay, crops and dropout on; and the crops a run
// draws are the same bit for bit on every run of a seed, in this process and in another, and differ for another.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { corruptDataset } from "../../runner/corruptions.js";
import { loadArchitecture } from "../../runner/models/index.js";
import { initBackend, trainRun } from "../../runner/train/index.js";
import { CROP_PADDING, stopAfter } from "../../schema/index.js";
import {
  type CropDraws,
  cropDraws,
  SMOKE_DATA,
  smokeDigits,
  smokeTask,
  suiteRegularizer,
} from "../fixtures/crop-draws.js";
import { track } from "../fixtures/processes.js";

const CACHE = mkdtempSync(join(tmpdir(), "rb-regularizers-"));
const SCRIPT = fileURLToPath(new URL("../fixtures/crop-draws.ts", import.meta.url));

/**
 * Epochs a smoke-size run may take to fit: three times the regularizers suite's budget, which is enough
 * for crops (fitted at epoch 147) and still seconds for an MLP on 100 digits.
 */
const BUDGET = 300;

beforeAll(async () => {
  await initBackend("wasm");
});

describe("random labels are memorized with each regularizer on", () => {
  it.each(["wd", "crop", "dropout"])("%s: 100% training accuracy on random labels", async (name) => {
    const regularizer = suiteRegularizer(name);
    const task = smokeTask(regularizer, 0, BUDGET);
    const corrupted = corruptDataset(await smokeDigits(CACHE), task.corruption, task.seed);
    // The labels really are random: about a tenth of them agree with the digits.
    const original = await smokeDigits(CACHE);
    const agree = corrupted.train.labels.filter((label, i) => label === original.train.labels[i]).length;
    expect(agree / SMOKE_DATA.trainSize).toBeLessThan(0.25);

    const outcome = await trainRun(task, await loadArchitecture({ kind: "builtin", id: task.architecture }), {
      shape: corrupted.shape,
      classes: corrupted.classes,
      train: corrupted.train,
      test: corrupted.test,
    });
    expect(outcome.status).toBe("ok");
    const last = outcome.curve.at(-1)!;
    // Every training label fitted, in inference mode on the whole set, and the run stopped because of it.
    expect(last.trainAcc).toBe(1);
    expect(outcome.predictions!.train).toEqual(Uint8Array.from(corrupted.train.labels));
    expect(stopAfter(outcome.curve, task)?.reason).toBe("fitted");
    // Memorized, not learned: the true test labels stay near chance (0.1).
    expect(last.testAcc).toBeLessThan(0.25);
  });
});

/** The same draws in a separate Node process (tsx's loader, as the test itself runs). */
function drawsInAnotherProcess(seed: number, epochs: number): Promise<CropDraws> {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(process.execPath, ["--import", "tsx", SCRIPT, String(seed), String(epochs), CACHE], {
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    let [stdout, stderr] = ["", ""];
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve(JSON.parse(stdout) as CropDraws) : reject(new Error(`exit ${code}: ${stderr}`)),
    );
  });
}

/** The share of places at which two lists of draws differ. */
function changedShare(a: string[], b: string[]): number {
  return a.filter((digest, i) => digest !== b[i]).length / a.length;
}

describe("crop augmentation", () => {
  const EPOCHS = 3;

  it("draws the same crops bit for bit on every run of a seed, here and in another process", async () => {
    const first = await cropDraws(0, EPOCHS, CACHE);
    const again = await cropDraws(0, EPOCHS, CACHE);
    const elsewhere = await drawsInAnotherProcess(0, EPOCHS);
    // Every training example is cropped once per epoch.
    expect(first.epochs.map((epoch) => epoch.filter(Boolean).length)).toEqual([100, 100, 100]);
    expect(first.windows.map((epoch) => epoch.length)).toEqual([100, 100, 100]);
    expect(again.epochs).toEqual(first.epochs);
    expect(elsewhere.epochs).toEqual(first.epochs);
    expect(elsewhere.windows).toEqual(first.windows);
    // The crops move the images: 1 of the 25 windows is the image unshifted, so about 24 in 25 differ.
    const unshifted = `${CROP_PADDING},${CROP_PADDING}`;
    expect(first.windows.flat().filter((w) => w !== unshifted).length / (EPOCHS * 100)).toBeGreaterThan(0.85);
    // Every one of the 25 windows is drawn, and a fresh draw each epoch: most examples get another crop.
    expect(new Set(first.windows.flat()).size).toBe((2 * CROP_PADDING + 1) ** 2);
    expect(changedShare(first.epochs[0]!, first.epochs[1]!)).toBeGreaterThan(0.85);
  });

  it("draws other crops for another seed", async () => {
    const [zero, one] = [await cropDraws(0, 1, CACHE), await cropDraws(1, 1, CACHE)];
    // The windows in the order they were drawn: the stream itself, apart from which example each went to.
    // Two independent draws agree in one place in 25.
    expect(changedShare(zero.windows[0]!, one.windows[0]!)).toBeGreaterThan(0.85);
  });
});
