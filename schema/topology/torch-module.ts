// What the server can count in a PyTorch module description without PyTorch: the parameter
// elements, and the buffer elements that may add to them (running statistics count, integer
// counters do not, and the description does not say which is which); a tied tensor counts once.
import { TorchModuleDescription } from "../contract/index.js";

/** Elements of a described module tree: its parameters and its buffers, each tensor once. */
export interface ModuleElementCounts {
  parameters: number;
  buffers: number;
  /** Modules in the tree, the root included (a module registered under two names, twice). */
  modules: number;
  /** Entries of `tied` maps: later holders of a parameter or buffer described at its first holder. */
  tied: number;
}

const elements = (shape: readonly number[]) => shape.reduce((product, size) => product * size, 1);

/**
 * Parses a topology as a PyTorch module description and counts its elements; null when it is
 * not one (a TF.js topology, a kernel description, a tie to a tensor it does not describe). The
 * worker's `parameterCount` is the parameters plus the floating-point buffers (a batch norm's
 * running mean and variance, as TF.js counts its moving statistics), each tensor once as
 * `module.parameters()` yields it, so it lies between `parameters` and `parameters + buffers`.
 * A tied entry adds nothing: its tensor is counted where the description gives its shape.
 *
 * @example
 * countModuleElements({ type: "torch.nn.modules.linear.Linear", config: {},
 *   parameters: { weight: [10, 784], bias: [10] }, buffers: {}, children: {} })
 * // { parameters: 7850, buffers: 0, modules: 1, tied: 0 }
 */
export function countModuleElements(topology: unknown): ModuleElementCounts | null {
  const parsed = TorchModuleDescription.safeParse(topology);
  if (!parsed.success) return null;
  const counts: ModuleElementCounts = { parameters: 0, buffers: 0, modules: 0, tied: 0 };
  const walk = (module: TorchModuleDescription) => {
    counts.modules += 1;
    counts.tied += Object.keys(module.tied ?? {}).length;
    for (const shape of Object.values(module.parameters)) counts.parameters += elements(shape);
    for (const shape of Object.values(module.buffers)) counts.buffers += elements(shape);
    for (const child of Object.values(module.children)) walk(child);
  };
  walk(parsed.data);
  return counts;
}

/**
 * Why a topology is not a PyTorch module description, as the schema's first complaint with its
 * path; null when it is one.
 *
 * @example
 * moduleDescriptionProblem({ class_name: "Sequential" }) // 'type: Invalid input: expected string, received undefined'
 */
export function moduleDescriptionProblem(topology: unknown): string | null {
  const parsed = TorchModuleDescription.safeParse(topology);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0]!;
  return `${issue.path.length ? `${issue.path.join(".")}: ` : ""}${issue.message}`;
}
