// Training: backends, the wasm training kernels, the model's view of the data, the loop.
export type { BackendChoice } from "./backend-choice.js";
export { initBackend, type BackendInfo } from "./backend.js";
export { EPOCHS_AFTER_FIT, trainRun, type RunOutcome, type TrainData, type TrainHooks } from "./loop.js";
