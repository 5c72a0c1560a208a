// The --engine, --python and --device options of `run` and `reproduce`: checked, and on the torch
// engine the Python worker probed once, so every way it cannot start fails before any thread does.
import { availableParallelism } from "node:os";
import type { Hardware, TorchEngine } from "../../schema/index.js";
import { UsageError } from "../errors.js";
import type { ModelSpec } from "../models/spec.js";
import type { EngineChoice } from "../pool/messages.js";
import { defaultPython, TorchProcess } from "../torch/process.js";

export const ENGINE_CHOICES = ["tfjs", "torch"] as const;

/** What --device takes. */
const DEVICE = /^(?:auto|cpu|mps|cuda(?::\d{1,3})?)$/;

export interface EngineOptions {
  engine?: string;
  python?: string;
  device?: string;
}

/** The engine a command trains with; on torch, `device` is what the worker resolved --device to ("cuda" → "cuda:0"). */
export type ResolvedEngine =
  | { kind: "tfjs" }
  | { kind: "torch"; python: string; device: string; probe: { engine: TorchEngine; hardware: Hardware } };

/**
 * Checks the engine options against each other and the model: --python and --device belong with
 * --engine torch, and a PyTorch module (`--model file.py:factory`) needs it. On torch, starts the
 * worker once (`TorchProcess.start`), so that no Python, no torch, torch older than 1.13 or an
 * absent device is an error that says how to fix it, before datasets load or threads start.
 */
export async function resolveEngine(options: EngineOptions, model: ModelSpec | null): Promise<ResolvedEngine> {
  const engine = options.engine ?? "tfjs";
  if (!(ENGINE_CHOICES as readonly string[]).includes(engine))
    throw new UsageError(`unknown engine "${engine}"; valid engines: ${ENGINE_CHOICES.join(", ")}`);
  if (engine === "tfjs") {
    if (model?.kind === "torch-module")
      throw new UsageError(
        `--model ${model.path}:${model.factory} is a PyTorch module, which only the PyTorch engine trains: ` +
          `add --engine torch`,
      );
    const stray = [options.python !== undefined && "--python", options.device !== undefined && "--device"].filter(
      (option): option is string => Boolean(option),
    );
    if (stray.length > 0)
      throw new UsageError(`${stray.join(" and ")} ${stray.length === 1 ? "belongs" : "belong"} with --engine torch`);
    return { kind: "tfjs" };
  }
  const device = options.device ?? "auto";
  if (!DEVICE.test(device))
    throw new UsageError(`unknown device "${device}"; valid devices: auto, cpu, cuda, cuda:N, mps`);
  const python = options.python ?? defaultPython();
  const probe = await TorchProcess.start({ python, device });
  try {
    return {
      kind: "torch",
      python,
      device: probe.engine.device,
      probe: { engine: probe.engine, hardware: probe.hardware },
    };
  } finally {
    await probe.close();
  }
}

/** What worker threads get: the engine without the probe. */
export function engineChoice(engine: ResolvedEngine): EngineChoice {
  return engine.kind === "tfjs" ? { kind: "tfjs" } : { kind: "torch", python: engine.python, device: engine.device };
}

/**
 * Worker threads by default on the torch engine: one per core on the CPU (each child trains with
 * one thread), one in all on a GPU (runs would only queue for it).
 */
export function defaultTorchWorkers(device: string): number {
  return device === "cpu" ? availableParallelism() : 1;
}

/** The checkpoint identity's part for the engine: absent on TF.js, so older checkpoints still resume. */
export function engineIdentity(engine: ResolvedEngine): { engine?: { kind: "torch"; device: string } } {
  return engine.kind === "torch" ? { engine: { kind: "torch", device: engine.device } } : {};
}
