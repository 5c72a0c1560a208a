// The GPU a result bundle records: only one TensorFlow reports training on, named by nvidia-smi
// where it can be, and otherwise labelled as unnamed with the reason.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { LIMITS } from "../../schema/index.js";

/** Runs a program and resolves with its standard output; rejects when it cannot start or fails. */
export type CommandRunner = (file: string, args: readonly string[]) => Promise<string>;

const runCommand: CommandRunner = async (file, args) =>
  (await promisify(execFile)(file, [...args], { timeout: 5000 })).stdout;

/**
 * The GPU to record: null unless TensorFlow reports a GPU device (the CPU model is recorded
 * beside it either way); else the first name nvidia-smi lists, or "CUDA device (name unknown:
 * …)" saying why there is none. `run` is replaceable so that tests need no GPU.
 *
 * @example
 * await describeGpu(true) // "NVIDIA H100 80GB HBM3"
 */
export async function describeGpu(tfReportsGpu: boolean, run: CommandRunner = runCommand): Promise<string | null> {
  if (!tfReportsGpu) return null;
  let stdout: string;
  try {
    stdout = await run("nvidia-smi", ["--query-gpu=name", "--format=csv,noheader"]);
  } catch {
    // A driver without nvidia-smi on PATH still runs CUDA: the device is real, only unnamed.
    return "CUDA device (name unknown: nvidia-smi failed)";
  }
  const name = stdout.split("\n")[0]?.trim();
  return name ? name.slice(0, LIMITS.maxName) : "CUDA device (name unknown: nvidia-smi printed no name)";
}
