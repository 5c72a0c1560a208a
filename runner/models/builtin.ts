// The built-in architectures by id: the paper's four models and the small variants that
// the smoke and quick suites train on a laptop CPU.
import type * as tf from "@tensorflow/tfjs";
import type { BuildOptions } from "./blocks.js";
import { buildMlp } from "./mlp.js";
import { buildSmallAlexNet, SMALL_ALEXNET, SMALL_ALEXNET_TINY } from "./small-alexnet.js";
import { buildSmallInception } from "./small-inception.js";

interface Builtin {
  name: string;
  build(id: string, options: BuildOptions): tf.LayersModel;
}

const BUILTINS: Record<string, Builtin> = {
  "mlp-1x512": { name: "MLP 1×512", build: (id, o) => buildMlp(id, 1, 512, o) },
  "mlp-3x512": { name: "MLP 3×512", build: (id, o) => buildMlp(id, 3, 512, o) },
  "small-alexnet": { name: "Small AlexNet", build: (id, o) => buildSmallAlexNet(id, SMALL_ALEXNET, o) },
  "small-inception": { name: "Small Inception", build: (id, o) => buildSmallInception(id, o) },
  "small-alexnet-tiny": {
    name: "Small AlexNet, 16 filters",
    build: (id, o) => buildSmallAlexNet(id, SMALL_ALEXNET_TINY, o),
  },
};

/** Ids of the built-in architectures, e.g. for listing the valid `--model` values. */
export const BUILTIN_ARCHITECTURE_IDS: readonly string[] = Object.keys(BUILTINS);

export function findBuiltin(id: string): Builtin | undefined {
  return Object.hasOwn(BUILTINS, id) ? BUILTINS[id] : undefined;
}
