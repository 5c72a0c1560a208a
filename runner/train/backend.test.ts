// Backend selection: auto falls through to wasm where the native packages are absent, and a
// backend asked for by name that cannot load is a usage error saying how to get it.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { nativeTensorflowInstalled } from "./backend-choice.js";
import { initBackend } from "./index.js";

const nativeInstalled = nativeTensorflowInstalled();

describe("initBackend", () => {
  it.skipIf(nativeInstalled)("asked for tensorflow without @tensorflow/tfjs-node, says how to install it", async () => {
    const error = await initBackend("tensorflow").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/install @tensorflow\/tfjs-node/);
  });

  it.skipIf(nativeInstalled)("auto starts wasm (SIMD) with the training kernels", async () => {
    const info = await initBackend("auto");
    expect(info).toMatchObject({ backend: "wasm", tfjsVersion: tf.version.tfjs, gpu: null });
    expect(info.detail).toMatch(/SIMD/);
    expect(tf.getBackend()).toBe("wasm");
    expect(tf.getKernel(tf.Conv2DBackpropFilter, "wasm")).toBeDefined();
  });

  it("cpu can be chosen by name", async () => {
    expect(await initBackend("cpu")).toMatchObject({ backend: "cpu" });
    expect(tf.getBackend()).toBe("cpu");
  });
});
