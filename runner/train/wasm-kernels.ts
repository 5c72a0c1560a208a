// Kept so that scripts/bench-train.ts's import path resolves; the kernels live in
// wasm-kernels/, and this file goes once that script imports wasm-kernels/index.js.
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from "./wasm-kernels/index.js";
