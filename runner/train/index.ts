// Training: backends, the wasm training kernels, the model's view of the data, the loop.
export { BACKEND_CHOICES, initBackend, type BackendChoice, type BackendInfo } from "./backend.js";
export { modelInputShape } from "../models/input-shape.js";
export { EPOCHS_AFTER_FIT, trainRun, type RunOutcome, type TrainData, type TrainHooks } from "./loop.js";
