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
 * A parameter or buffer shared with a module met earlier (tied weights) is not in `parameters` or
 * `buffers` but in `tied`, by the dotted path of its first holder in `named_parameters()` /
 * `named_buffers()` order, so that every tensor is counted once; `tied` is absent when empty.
 */
// A type rather than an interface, so that a description is also a plain JSON object (a topology).
export type TorchModuleDescription = {
  type: string;
  config: Record<string, Json>;
  parameters: Record<string, number[]>;
  buffers: Record<string, number[]>;
  children: Record<string, TorchModuleDescription>;
  tied?: Record<string, string>;
  source?: string;
};

/** A parameter's or buffer's path from the root module, as `named_parameters()` spells it: `encoder.weight`. */
const DottedPath = z.string().min(1).max(2000);

/** One module of the tree, its ties unresolved (they point anywhere in the tree). */
const ModuleNode: z.ZodType<TorchModuleDescription> = z.lazy(() =>
  z.strictObject({
    type: z.string().min(1).max(300),
    config: Names(z.json()),
    parameters: Names(TensorShape),
    buffers: Names(TensorShape),
    children: Names(ModuleNode),
    tied: Names(DottedPath).optional(),
    source: Sha256Hex.optional(),
  }),
);

/**
 * Every tie must name a parameter or buffer that the tree describes (not another tie), and a
 * module may not both hold a tensor and tie the same name: otherwise the count is not the module's.
 */
function checkTies(root: TorchModuleDescription, context: z.RefinementCtx): void {
  const described = new Set<string>();
  const ties: { path: PropertyKey[]; name: string; target: string; own: TorchModuleDescription }[] = [];
  const walk = (module: TorchModuleDescription, prefix: string, path: PropertyKey[]) => {
    for (const name of [...Object.keys(module.parameters), ...Object.keys(module.buffers)])
      described.add(prefix + name);
    for (const [name, target] of Object.entries(module.tied ?? {}))
      ties.push({ path: [...path, "tied", name], name, target, own: module });
    for (const [name, child] of Object.entries(module.children))
      walk(child, `${prefix}${name}.`, [...path, "children", name]);
  };
  walk(root, "", []);
  for (const { path, name, target, own } of ties) {
    if (Object.hasOwn(own.parameters, name) || Object.hasOwn(own.buffers, name))
      context.addIssue({
        code: "custom",
        path,
        message: `"${name}" is both described in this module and tied to "${target}"; describe it in one place only`,
      });
    else if (!described.has(target))
      context.addIssue({
        code: "custom",
        path,
        message:
          `is tied to "${target}", which no module of the description holds in its parameters or buffers; ` +
          "a tie names the dotted path of the tensor's first holder (named_parameters() order)",
      });
  }
}

/**
 * The module tree of a `torch-module` architecture (its `topology` in the bundle), its ties
 * checked against the tree.
 *
 * @example
 * TorchModuleDescription.parse({
 *   type: "torch.nn.modules.linear.Linear",
 *   config: { in_features: 784, out_features: 10 },
 *   parameters: { weight: [10, 784], bias: [10] }, buffers: {}, children: {},
 * }).parameters.weight // [10, 784]
 * TorchModuleDescription.safeParse({ type: "net.Tied", config: {}, parameters: {}, buffers: {}, children: {},
 *   tied: { weight: "encoder.weight" } }).success // false: no module holds encoder.weight
 */
export const TorchModuleDescription: z.ZodType<TorchModuleDescription> = ModuleNode.superRefine(checkTies);
