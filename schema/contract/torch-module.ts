// The description of a PyTorch architecture (kind "torch-module"): the module tree the Python worker
// writes, whose canonical JSON's SHA-256 is the architecture's fingerprint (docs/architectures.md).
import { z } from "zod";
import { Sha256Hex } from "./common.js";

type Json = z.infer<ReturnType<typeof z.json>>;

/** A tensor shape: sizes of each dimension (an empty array is a scalar). */
const TensorShape = z.array(z.number().int().nonnegative()).max(16);

const Names = <T extends z.ZodType>(value: T) =>
  z.record(z.string().min(1).max(200), value).refine((record) => Object.keys(record).length <= 4096, {
    message: "has more than 4096 entries",
  });

/**
 * One module of a PyTorch architecture, as the worker describes it: its qualified class name;
 * its public attributes that are JSON scalars or tuples of them (the constructor's
 * hyper-parameters such as `in_features` or `kernel_size`; `training` left out); its own
 * parameters' and buffers' shapes by name; its child modules by name; and, for a class defined
 * outside `torch.*`, the SHA-256 of its source text (so a changed `forward` is another architecture).
 */
// A type rather than an interface, so that a description is also a plain JSON object (a topology).
export type TorchModuleDescription = {
  type: string;
  config: Record<string, Json>;
  parameters: Record<string, number[]>;
  buffers: Record<string, number[]>;
  children: Record<string, TorchModuleDescription>;
  source?: string;
};

/**
 * The module tree of a `torch-module` architecture (its `topology` in the bundle).
 *
 * @example
 * TorchModuleDescription.parse({
 *   type: "torch.nn.modules.linear.Linear",
 *   config: { in_features: 784, out_features: 10 },
 *   parameters: { weight: [10, 784], bias: [10] }, buffers: {}, children: {},
 * }).parameters.weight // [10, 784]
 */
export const TorchModuleDescription: z.ZodType<TorchModuleDescription> = z.lazy(() =>
  z.strictObject({
    type: z.string().min(1).max(300),
    config: Names(z.json()),
    parameters: Names(TensorShape),
    buffers: Names(TensorShape),
    children: Names(TorchModuleDescription),
    source: Sha256Hex.optional(),
  }),
);
