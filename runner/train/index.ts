// Training: backends, the wasm training kernels, the model's view of the data, the loop.

export { type BackendInfo, initBackend } from "./backend.js";
export type { BackendChoice } from "./backend-choice.js";
export { type RunOutcome, type TrainData, type TrainHooks, trainRun } from "./loop.js";
