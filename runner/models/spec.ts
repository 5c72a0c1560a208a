// Where an architecture comes from, and the `--model` option that names a user's file. Nothing
// here loads TF.js, so the CLI checks the option without that start-up cost.
import { extname, resolve } from "node:path";
import type { JsonObject } from "../../schema/index.js";
import { UsageError } from "../errors.js";

/**
 * Where an architecture comes from: a built-in id, a layers topology file, a builder module, a
 * signed record's canonical topology carried inline (what `reproduce` rebuilds a user's
 * model.json from: worker threads receive it with their config, no file needed), or a Python
 * file's factory of a PyTorch `nn.Module` (only the torch engine builds it).
 */
export type ModelSpec =
  | { kind: "builtin"; id: string }
  | { kind: "layers-json"; path: string }
  | { kind: "builder-module"; path: string }
  | { kind: "topology"; id: string; name: string; topology: JsonObject }
  | { kind: "torch-module"; path: string; factory: string };

/** The factory a `--model file.py` without `:factory` names. */
export const DEFAULT_TORCH_FACTORY = "make";

/** A Python file, then optionally `:factory` (a Python identifier); the path itself may hold colons. */
const PYTHON_MODEL = /^(.+\.py)(?::([A-Za-z_][A-Za-z0-9_]*))?$/i;

/**
 * The `ModelSpec` of a `--model` path, made absolute: a `.json` file or a Keras 3 `.keras` archive is
 * a layers topology, a `.js`/`.mjs`/`.cjs` file a builder module, `file.py:factory` a PyTorch module factory
 * (`factory` defaults to `make`); anything else is a `UsageError` (a suite's built-in models
 * are not chosen with --model).
 *
 * @example
 * parseModelSpec("nets/model.json") // { kind: "layers-json", path: "/home/me/nets/model.json" }
 * parseModelSpec("nets/net.keras") // { kind: "layers-json", path: "/home/me/nets/net.keras" }
 * parseModelSpec("nets/net.py:build") // { kind: "torch-module", path: "/home/me/nets/net.py", factory: "build" }
 */
export function parseModelSpec(path: string): ModelSpec {
  const python = PYTHON_MODEL.exec(path);
  if (python) return { kind: "torch-module", path: resolve(python[1]!), factory: python[2] ?? DEFAULT_TORCH_FACTORY };
  const extension = extname(path).toLowerCase();
  // A .keras archive is one more wrapper of a layers topology: the board shows the topology, whatever file it came in.
  if (extension === ".json" || extension === ".keras") return { kind: "layers-json", path: resolve(path) };
  if ([".js", ".mjs", ".cjs"].includes(extension)) return { kind: "builder-module", path: resolve(path) };
  if (extension === ".h5")
    throw new UsageError(
      `--model does not read HDF5: convert "${path}" with tensorflowjs_converter --input_format keras ` +
        `${path} out/ and pass out/model.json (its weights are not needed)`,
    );
  throw new UsageError(
    "--model takes a layers model.json (TF.js, tensorflowjs_converter, Keras to_json), a Keras 3 .keras " +
      "archive, a JavaScript module exporting a builder, or (with --engine torch) " +
      `a Python file and its nn.Module factory as file.py:factory; got "${path}"`,
  );
}
