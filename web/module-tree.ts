// A readable summary of a PyTorch module description (a "torch-module" architecture's topology):
// its modules depth first with their settings and parameter shapes, and how many of each type.
import { TorchModuleDescription as ModuleSchema, type TorchModuleDescription } from "../schema/index.js";

export interface ModuleSummary {
  /** The module's path from the root, as PyTorch names it (`features.0`); "" for the root. */
  path: string;
  depth: number;
  /** The class name without its module path, e.g. `Linear`. */
  type: string;
  /** The qualified class name, e.g. `torch.nn.modules.linear.Linear`. */
  qualifiedType: string;
  /** Its recorded hyper-parameters in words, e.g. "in_features=784, out_features=10". */
  settings: string;
  /** Its own parameters with their shapes, e.g. "weight 10×784, bias 10". */
  parameters: string;
  /** Its own buffers with their shapes. */
  buffers: string;
}

export interface ModuleTreeSummary {
  /** The root module's class name without its module path. */
  rootType: string;
  modules: ModuleSummary[];
  /** Module types by count (the root excluded), most frequent first, then by name. */
  counts: { type: string; count: number }[];
}

const shortType = (qualified: string) => qualified.slice(qualified.lastIndexOf(".") + 1);

/**
 * Entries in natural order ("2" before "10"). The description reaches the page through canonical
 * JSON and Postgres jsonb, neither of which keeps key order, so the order modules were registered
 * in is not there to show: an nn.Sequential's numbered children still read in order.
 */
const sorted = <T>(record: Record<string, T>): [string, T][] =>
  Object.entries(record).sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }));

function shapes(record: Record<string, number[]>): string {
  return sorted(record)
    .map(([name, shape]) => `${name} ${shape.length ? shape.join("×") : "scalar"}`)
    .join(", ");
}

function settings(config: TorchModuleDescription["config"]): string {
  return sorted(config)
    .map(
      ([key, value]) =>
        `${key}=${Array.isArray(value) ? `(${value.map((v) => JSON.stringify(v)).join(", ")})` : JSON.stringify(value)}`,
    )
    .join(", ");
}

/**
 * The module tree of a PyTorch module description, or null when the topology is not one.
 *
 * @example
 * summarizeModule(description)?.modules.map((m) => m.path) // ["", "fc1", "relu", "fc2"]
 */
export function summarizeModule(topology: unknown): ModuleTreeSummary | null {
  const parsed = ModuleSchema.safeParse(topology);
  if (!parsed.success) return null;
  const modules: ModuleSummary[] = [];
  const counts = new Map<string, number>();
  const walk = (module: TorchModuleDescription, path: string, depth: number) => {
    const type = shortType(module.type);
    if (depth > 0) counts.set(type, (counts.get(type) ?? 0) + 1);
    modules.push({
      path,
      depth,
      type,
      qualifiedType: module.type,
      settings: settings(module.config),
      parameters: shapes(module.parameters),
      buffers: shapes(module.buffers),
    });
    for (const [name, child] of sorted(module.children)) walk(child, path ? `${path}.${name}` : name, depth + 1);
  };
  walk(parsed.data, "", 0);
  return {
    rootType: shortType(parsed.data.type),
    modules,
    counts: [...counts]
      .map(([type, count]) => ({ type, count }))
      .sort((a, b) => b.count - a.count || a.type.localeCompare(b.type)),
  };
}
