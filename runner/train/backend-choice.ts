// The backends `--backend` names, and whether native TensorFlow is installed. Nothing here
// loads TF.js, so the CLI checks its options without that start-up cost.
import { createRequire } from "node:module";

/** The backend names `--backend` accepts. */
export const BACKEND_CHOICES = ["auto", "tensorflow", "wasm", "cpu"] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/**
 * The native TensorFlow packages, in the order tried, and whether each is the CUDA build.
 * Both are optional: their installs download libtensorflow and may have failed or been skipped.
 */
export const NATIVE_PACKAGES = [
  ["@tensorflow/tfjs-node-gpu", true],
  ["@tensorflow/tfjs-node", false],
] as const;

/** Whether a native TensorFlow package is installed (it may still fail to load). */
export function nativeTensorflowInstalled(): boolean {
  const require = createRequire(import.meta.url);
  return NATIVE_PACKAGES.some(([pkg]) => {
    try {
      require.resolve(pkg);
      return true;
    } catch {
      return false;
    }
  });
}
