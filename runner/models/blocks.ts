// Building blocks shared by the built-in architectures: seeded initializers, and the
// optional batch-norm and dropout layers a regularizer set switches on.
import * as tf from "@tensorflow/tfjs";
import type { InputShape, Regularizer } from "../../schema/index.js";
import { Rng } from "../random.js";
import { SeededDropout } from "./layers.js";

/** What every builder receives (see `ArchitectureBuilder.build`). */
export interface BuildOptions {
  inputShape: InputShape;
  classes: number;
  regularizer: Regularizer;
  seed: number;
}

/**
 * Hands out layer names and initializer seeds in build order, so the same seed builds the
 * same weights and the topology's layer names never depend on how many models the process
 * built before (tfjs-layers' default names do).
 */
export class LayerFactory {
  private readonly seeds: Rng;
  private readonly counts = new Map<string, number>();

  constructor(
    readonly options: BuildOptions,
    /** The architecture's own batch-norm choice, used when the regularizer says "default". */
    defaultBatchNorm: boolean,
  ) {
    this.seeds = Rng.create(options.seed, "architecture/init");
    this.batchNorm =
      options.regularizer.batchNorm === "default" ? defaultBatchNorm : options.regularizer.batchNorm === "on";
  }

  /** Whether this build puts batch normalization after its convolutions / hidden layers. */
  readonly batchNorm: boolean;

  name(prefix: string): string {
    const n = (this.counts.get(prefix) ?? 0) + 1;
    this.counts.set(prefix, n);
    return `${prefix}${n}`;
  }

  /** Glorot-uniform (Keras' default) with the next seed of this build. */
  kernelInitializer(): ReturnType<typeof tf.initializers.glorotUniform> {
    return tf.initializers.glorotUniform({ seed: this.seeds.int(2 ** 31 - 1) });
  }

  dense(units: number, activation: "relu" | "linear", name = this.name("dense")): tf.layers.Layer {
    return tf.layers.dense({ units, activation, kernelInitializer: this.kernelInitializer(), name });
  }

  conv(filters: number, kernelSize: number, strides = 1, activation: "relu" | "linear" = "linear"): tf.layers.Layer {
    return tf.layers.conv2d({
      filters,
      kernelSize,
      strides,
      padding: "same",
      activation,
      kernelInitializer: this.kernelInitializer(),
      name: this.name("conv"),
    });
  }

  batchNormalization(): tf.layers.Layer {
    return tf.layers.batchNormalization({ name: this.name("bn") });
  }

  relu(): tf.layers.Layer {
    return tf.layers.activation({ activation: "relu", name: this.name("relu") });
  }

  /** The regularizer's dropout layer, or null when its rate is 0. */
  dropout(): tf.layers.Layer | null {
    const rate = this.options.regularizer.dropout;
    return rate > 0 ? new SeededDropout({ rate, seed: this.seeds.int(2 ** 31 - 1), name: this.name("dropout") }) : null;
  }

  /**
   * A hidden unit: a linear layer, batch norm when this build uses it, then ReLU. Without
   * batch norm the ReLU is the layer's own activation, which TF.js fuses into the product.
   */
  hidden(x: tf.SymbolicTensor, layer: (activation: "relu" | "linear") => tf.layers.Layer): tf.SymbolicTensor {
    if (!this.batchNorm) return layer("relu").apply(x) as tf.SymbolicTensor;
    const y = layer("linear").apply(x) as tf.SymbolicTensor;
    const normalized = this.batchNormalization().apply(y) as tf.SymbolicTensor;
    return this.relu().apply(normalized) as tf.SymbolicTensor;
  }

  /** Applies the regularizer's dropout when it has one. */
  maybeDropout(x: tf.SymbolicTensor): tf.SymbolicTensor {
    const dropout = this.dropout();
    return dropout ? (dropout.apply(x) as tf.SymbolicTensor) : x;
  }
}
