// The messages between the `run` command and its worker threads (one TF.js instance each).
import type { Architecture, DatasetRecord, EpochPoint, RunResult, Task } from "../../schema/index.js";
import type { LoadOptions } from "../datasets/index.js";
import type { ModelSpec } from "../models/index.js";
import type { BackendChoice, BackendInfo } from "../train/index.js";

/** Given to each worker when it starts. */
export interface WorkerConfig {
  backend: BackendChoice;
  /** A user-supplied model; null trains the builtin architecture each task names. */
  model: ModelSpec | null;
  data: Omit<LoadOptions, "onProgress">;
}

export type ToWorker = { type: "run"; task: Task };

export type FromWorker =
  /** The backend is up; `architectureId` is the user model's id (null for builtins). */
  | { type: "ready"; backend: BackendInfo; architectureId: string | null }
  | { type: "progress"; message: string }
  /** Data and model are loaded and training begins. */
  | { type: "started"; task: Task; architecture: Architecture; dataset: DatasetRecord }
  | { type: "epoch"; task: Task; point: EpochPoint }
  | { type: "done"; run: RunResult }
  /** Something that no other run can get past either (a missing dataset, a broken model file). */
  | { type: "fatal"; message: string; exitCode: number };
