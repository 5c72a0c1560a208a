// Where an architecture comes from, and the `--model` option that names a user's file. Nothing
// here loads TF.js, so the CLI checks the option without that start-up cost.
import { extname, resolve } from "node:path";
import type { JsonObject } from "../../schema/index.js";
import { UsageError } from "../errors.js";

/**
 * Where an architecture comes from: a built-in id, a layers topology file, a builder module, or
 * a signed record's canonical topology carried inline (what `reproduce` rebuilds a user's
 * model.json from: worker threads receive it with their config, no file needed).
 */
export type ModelSpec =
  | { kind: "builtin"; id: string }
  | { kind: "layers-json"; path: string }
  | { kind: "builder-module"; path: string }
  | { kind: "topology"; id: string; name: string; topology: JsonObject };

/**
 * The `ModelSpec` of a `--model` path, made absolute: a `.json` file is a layers topology, a
 * `.js`/`.mjs`/`.cjs` file a builder module; anything else is a `UsageError` (a suite's
 * built-in models are not chosen with --model).
 *
 * @example
 * parseModelSpec("nets/model.json") // { kind: "layers-json", path: "/home/me/nets/model.json" }
 */
export function parseModelSpec(path: string): ModelSpec {
  const extension = extname(path).toLowerCase();
  if (extension === ".json") return { kind: "layers-json", path: resolve(path) };
  if ([".js", ".mjs", ".cjs"].includes(extension)) return { kind: "builder-module", path: resolve(path) };
  throw new UsageError(
    `--model takes a TF.js layers model.json or a JavaScript module exporting a builder; got "${path}"`,
  );
}
