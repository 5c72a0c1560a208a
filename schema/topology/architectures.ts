// What the server derives about a bundle's architectures instead of believing the bundle: the kind,
// the parameter count, and for a built-in its identity (fingerprint) and the project's name.

import type { Architecture, ResultPredicate } from "../contract/index.js";
import type { PathError } from "../signed-statement.js";
import { BUILTIN_ARCHITECTURES, type BuiltinArchitecture } from "./builtins.js";
import { KERNEL_ARCHITECTURE_ID, kernelParameterCount, kernelSettingsOf } from "./kernel.js";
import { countParameters } from "./parameter-count.js";
import { countModuleElements, moduleDescriptionProblem } from "./torch-module.js";

const BUILTIN_IDS = new Set(BUILTIN_ARCHITECTURES.map((b) => b.id));

const shapeText = (shape: readonly number[]) => shape.join("x");

/**
 * The built-in with this id at this input shape, if the runner builds it there.
 *
 * @example
 * findBuiltinArchitecture("mlp-1x512", [28, 28, 1])?.parameterCount // 407050
 */
export function findBuiltinArchitecture(id: string, inputShape: readonly number[]): BuiltinArchitecture | undefined {
  return BUILTIN_ARCHITECTURES.find((b) => b.id === id && shapeText(b.inputShape) === shapeText(inputShape));
}

/**
 * Whether an id belongs to a built-in architecture (at any shape).
 *
 * @example
 * isBuiltinId("small-inception") // true
 */
export function isBuiltinId(id: string): boolean {
  return BUILTIN_IDS.has(id);
}

/** What the server stores for an architecture, derived from its topology rather than claimed. */
export interface DerivedArchitecture {
  kind: Architecture["kind"];
  parameterCount: number;
  /** The project's display name for a built-in; the bundle's name for anything else. */
  name: string;
}

export type ArchitectureDerivation =
  | { ok: true; derived: DerivedArchitecture }
  | { ok: false; errors: Array<{ field: keyof Architecture; message: string }> };

/**
 * Derives an architecture's kind, parameter count and display name from its id, input shape,
 * fingerprint and topology, and lists every claim of the bundle that disagrees: a built-in id
 * must carry that built-in's fingerprint for its input shape, no other architecture may carry
 * a built-in's fingerprint or id (nor the kernel's), `kind: "kernel"` is only the kernel
 * baseline's fixed description, `kind: "torch-module"` exactly a PyTorch module description,
 * and the parameter count is the topology's (for a module description: at least its
 * parameters, at most its parameters and buffers, a tied tensor once). Trusts
 * `fingerprint` to be the topology's digest: openEnvelope's consistency check verifies it.
 *
 * @example
 * const derivation = deriveArchitecture(predicate.architectures[0]);
 * if (derivation.ok) derivation.derived.parameterCount // 407050
 */
export function deriveArchitecture(architecture: Architecture): ArchitectureDerivation {
  const { id, inputShape, fingerprint, topology } = architecture;
  const at = shapeText(inputShape);
  const errors: Array<{ field: keyof Architecture; message: string }> = [];
  const claim = (field: keyof Architecture, message: string) => errors.push({ field, message });
  let derived: DerivedArchitecture;

  const builtinByFingerprint = BUILTIN_ARCHITECTURES.find((b) => b.fingerprint === fingerprint);
  const kernel = kernelSettingsOf(topology);
  if (isBuiltinId(id) || builtinByFingerprint) {
    const builtin = findBuiltinArchitecture(id, inputShape);
    if (!isBuiltinId(id)) {
      claim(
        "id",
        `"${id}" has the topology of the built-in ${builtinByFingerprint!.id} at ` +
          `${shapeText(builtinByFingerprint!.inputShape)}: submit it under the built-in's id`,
      );
    } else if (!builtin) {
      claim("inputShape", `the built-in ${id} is not built at input ${at}`);
    } else if (builtin.fingerprint !== fingerprint) {
      claim(
        "fingerprint",
        `is not the built-in ${id}'s fingerprint at input ${at} (${builtin.fingerprint}): another ` +
          `architecture may not take a built-in's id`,
      );
    }
    const reference = builtin ?? builtinByFingerprint!;
    derived = { kind: "builtin", parameterCount: reference.parameterCount, name: reference.name };
  } else if (kernel || id === KERNEL_ARCHITECTURE_ID || architecture.kind === "kernel") {
    if (!kernel) {
      claim("topology", 'is not the kernel baseline\'s description, which kind "kernel" and its id are reserved for');
      return { ok: false, errors };
    }
    if (id !== KERNEL_ARCHITECTURE_ID) claim("id", `a kernel baseline's id is "${KERNEL_ARCHITECTURE_ID}"`);
    if (shapeText(kernel.inputShape) !== at)
      claim("inputShape", `the kernel's topology is for input ${shapeText(kernel.inputShape)}`);
    derived = { kind: "kernel", parameterCount: kernelParameterCount(kernel), name: architecture.name };
  } else if (architecture.kind === "torch-module" || countModuleElements(topology)) {
    const counted = countModuleElements(topology);
    if (!counted) {
      claim(
        "topology",
        `is not a PyTorch module description (docs/architectures.md), which kind "torch-module" needs: ` +
          moduleDescriptionProblem(topology),
      );
      return { ok: false, errors };
    }
    // Which buffers are floating-point (counted) the description does not say, so the claim is
    // checked against its bounds: every parameter, and at most every buffer besides. Tied tensors
    // are described once (the others name them in `tied`), so the bounds count them once too.
    const { parameters, buffers, tied } = counted;
    const claimed = architecture.parameterCount;
    const once = tied ? " (tied tensors counted once)" : "";
    if (claimed < parameters || claimed > parameters + buffers)
      claim(
        "parameterCount",
        buffers === 0
          ? `is ${claimed}, but the module description has ${parameters} parameters${once}`
          : `is ${claimed}, but the module description has ${parameters} parameters and ${buffers} buffer ` +
              `elements${once}, so between ${parameters} and ${parameters + buffers}`,
      );
    derived = { kind: "torch-module", parameterCount: claimed, name: architecture.name };
  } else {
    const counted = countParameters(topology, inputShape);
    if (!counted.ok) {
      claim("topology", `layer "${counted.layer}" (${counted.className}): ${counted.reason}`);
      return { ok: false, errors };
    }
    // A topology file and a builder module give the same kind of topology; the bundle says which.
    const kind = architecture.kind === "builder-module" ? "builder-module" : "layers-json";
    derived = { kind, parameterCount: counted.count, name: architecture.name };
  }

  if (architecture.kind !== derived.kind)
    claim("kind", `is "${architecture.kind}", but the topology makes it "${derived.kind}"`);
  if (architecture.parameterCount !== derived.parameterCount)
    claim("parameterCount", `is ${architecture.parameterCount}, but the topology has ${derived.parameterCount}`);
  return errors.length ? { ok: false, errors } : { ok: true, derived };
}

/**
 * Every architecture claim of a predicate that the server's own derivation contradicts
 * (`deriveArchitecture`), as errors at `predicate.architectures[i].<field>` whose message
 * names the architecture.
 *
 * @example
 * checkArchitectures(predicate)
 * // [{ path: "predicate.architectures[0].parameterCount", message: "mlp-1x512@28x28x1: is 1, …" }]
 */
export function checkArchitectures(predicate: ResultPredicate): PathError[] {
  return predicate.architectures.flatMap((architecture, i) => {
    const derivation = deriveArchitecture(architecture);
    if (derivation.ok) return [];
    const label = `${architecture.id}@${shapeText(architecture.inputShape)}`;
    return derivation.errors.map(({ field, message }) => ({
      path: `predicate.architectures[${i}].${field}`,
      message: `${label}: ${message}`,
    }));
  });
}
