// The checks an environment record must pass beyond its schema: a PyTorch backend comes with its
// engine record (and the device that backend names), a TF.js backend without one, and a PyTorch
// module is trained only by the PyTorch engine. Result bundles and reproductions share them.
import { type Architecture, type Environment, isTorchBackend, TORCH_BACKEND_DEVICES } from "./contract/index.js";
import type { PathError } from "./signed-statement.js";

/**
 * Every disagreement between an environment's backend and its `engine`, as errors under `path`
 * (e.g. "predicate.environment"): a torch-* backend requires `engine` with a device of that type
 * (torch-cpu: "cpu", torch-cuda: "cuda:N", torch-mps: "mps"); any other backend forbids it.
 *
 * @example
 * checkEnvironment({ ...environment, backend: "torch-cpu" }, "predicate.environment")
 * // [{ path: "predicate.environment.engine", message: "is missing: a torch-cpu bundle must record …" }]
 */
export function checkEnvironment(environment: Environment, path: string): PathError[] {
  const { backend, engine } = environment;
  if (!isTorchBackend(backend)) {
    if (!engine) return [];
    return [
      {
        path: `${path}.engine`,
        message:
          `must be absent: backend "${backend}" is TF.js's, and a PyTorch run's backend is torch-cpu, torch-cuda ` +
          `or torch-mps (set the backend from the engine's device, or drop the engine record)`,
      },
    ];
  }
  if (!engine)
    return [
      {
        path: `${path}.engine`,
        message:
          `is missing: a ${backend} bundle must record the PyTorch engine that trained it (torch, Python and ` +
          `numpy versions, CUDA and cuDNN, device, threads); write the bundle with rethink-bench run --engine torch`,
      },
    ];
  const deviceType = engine.device.replace(/:\d+$/, "");
  const expected = TORCH_BACKEND_DEVICES[backend];
  if (deviceType === expected) return [];
  return [
    {
      path: `${path}.engine.device`,
      message: `is "${engine.device}", but backend ${backend} trains on ${expected === "cuda" ? "cuda:N" : `"${expected}"`}`,
    },
  ];
}

/**
 * Architectures that the environment's engine cannot have trained: a `torch-module` (a PyTorch
 * factory) only trains on a torch-* backend.
 *
 * @example
 * checkArchitectureEngines([{ kind: "torch-module", … }], wasmEnvironment, "predicate")
 * // [{ path: "predicate.architectures[0].kind", message: "is \"torch-module\" (a PyTorch module), …" }]
 */
export function checkArchitectureEngines(
  architectures: readonly Pick<Architecture, "kind" | "id">[],
  environment: Environment,
  path: string,
): PathError[] {
  if (isTorchBackend(environment.backend)) return [];
  return architectures.flatMap((architecture, i) =>
    architecture.kind === "torch-module"
      ? [
          {
            path: `${path}.architectures[${i}].kind`,
            message:
              `is "torch-module" (a PyTorch module, ${architecture.id}), which only the PyTorch engine trains, but ` +
              `the backend is "${environment.backend}"`,
          },
        ]
      : [],
  );
}
