// The messages between the `run` command and its worker threads (one TF.js instance each).
import type {
  Architecture,
  DatasetRecord,
  EpochPoint,
  Hardware,
  MeasureSettings,
  RunResult,
  Task,
  TorchEngine,
} from "../../schema/index.js";
import type { LoadOptions } from "../datasets/index.js";
import type { ModelSpec } from "../models/index.js";
import type { BackendChoice, BackendInfo } from "../train/index.js";

/**
 * Which engine trains: TF.js in the thread itself, or PyTorch in a Python child the thread owns
 * (`python` runs runner/torch/worker.py; `device` as --device takes it, resolved by the caller).
 */
export type EngineChoice = { kind: "tfjs" } | { kind: "torch"; python: string; device: string };

/** The PyTorch engine a thread's Python child reported in its ready line. */
export interface TorchReady {
  engine: TorchEngine;
  hardware: Hardware;
}

/** Given to each worker when it starts. */
export interface WorkerConfig {
  /** The TF.js backend: it trains on the tfjs engine, and builds and describes topologies on both. */
  backend: BackendChoice;
  /** Absent: TF.js. */
  engine?: EngineChoice;
  /** A user-supplied model; null trains the builtin architecture each task names. */
  model: ModelSpec | null;
  data: Omit<LoadOptions, "onProgress">;
  /**
   * The suite's measure settings: every ok run records the complexity measures of its final
   * weights with them. Absent or null (a suite from before measures): no measures.
   */
  measures?: MeasureSettings | null;
}

/** `close` asks the thread to stop its Python child (killing a training one) before the thread ends. */
export type ToWorker = { type: "run"; task: Task } | { type: "close" };

export type FromWorker =
  /**
   * The backend (and with the torch engine, the Python child) is up; `architectureId` is the user
   * model's id (null for builtins).
   */
  | { type: "ready"; backend: BackendInfo; architectureId: string | null; torch: TorchReady | null }
  /** The answer to `close`: the Python child is gone. */
  | { type: "closed" }
  | { type: "progress"; message: string }
  /** Data and model are loaded and training begins. */
  | { type: "started"; task: Task; architecture: Architecture; dataset: DatasetRecord }
  | { type: "epoch"; task: Task; point: EpochPoint }
  | { type: "done"; run: RunResult }
  /** Something that no other run can get past either (a missing dataset, a broken model file). */
  | { type: "fatal"; message: string; exitCode: number };
