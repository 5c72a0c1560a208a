// Progress of a suite run on stderr: live bars (overall and one per worker) on a terminal,
// plain lines otherwise (CI logs, pipes).
import cliProgress from "cli-progress";
import { type EpochPoint, type RunResult, type Task, taskKey } from "../schema/index.js";

export interface Progress {
  start(slot: number, task: Task): void;
  epoch(slot: number, task: Task, point: EpochPoint): void;
  done(slot: number, run: RunResult): void;
  log(message: string): void;
  stop(): void;
}

/** One line that says how a finished run went. */
function describeRun(run: RunResult): string {
  if (run.status === "failed") return `FAILED after ${run.curve.length} epochs: ${run.failure}`;
  const { epochsToFit, stepsToFit, finalTrainAcc, finalTestAcc, wallSeconds } = run.derived;
  const fit =
    epochsToFit === null
      ? `not fitted in ${run.curve.length} epochs`
      : `fitted at epoch ${epochsToFit} (step ${stepsToFit})`;
  const accuracies = `train ${finalTrainAcc!.toFixed(3)} · test ${finalTestAcc!.toFixed(3)}`;
  return `${fit} · ${accuracies} · ${wallSeconds.toFixed(1)} s`;
}

/** How often plain-line output reports an epoch of a running run. */
const PLAIN_EPOCH_EVERY = 10;

export function createProgress(options: {
  total: number;
  finished: number;
  slots: number;
  stream: NodeJS.WriteStream;
}): Progress {
  const { total, stream } = options;
  let finished = options.finished;
  const counter = () => `[${String(finished).padStart(String(total).length)}/${total}]`;

  if (!stream.isTTY) {
    return {
      start: (_, task) => stream.write(`${counter()} start ${taskKey(task)}\n`),
      epoch: (_, task, point) => {
        if (point.epoch % PLAIN_EPOCH_EVERY === 0) {
          stream.write(
            `        ${taskKey(task)} epoch ${point.epoch}/${task.epochs}` +
              ` train ${point.trainAcc.toFixed(3)} test ${point.testAcc.toFixed(3)}\n`,
          );
        }
      },
      done: (_, run) => {
        finished++;
        stream.write(`${counter()} ${taskKey(run.task)}: ${describeRun(run)}\n`);
      },
      log: (message) => stream.write(`${message}\n`),
      stop: () => undefined,
    };
  }

  const multibar = new cliProgress.MultiBar(
    {
      stream,
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
      etaBuffer: 4,
      format: "{label} {bar} {value}/{total} {detail}",
    },
    cliProgress.Presets.shades_classic,
  );
  // cli-progress estimates the ETA from the rate of finished runs since this invocation began.
  const overall = multibar.create(
    total,
    finished,
    {},
    { format: "suite    {bar} {value}/{total} runs · ETA {eta_formatted}" },
  );
  const bars = Array.from({ length: options.slots }, (_, i) =>
    multibar.create(1, 0, { label: `worker ${i + 1}`, detail: "idle" }),
  );
  return {
    start: (slot, task) => {
      bars[slot]?.setTotal(task.epochs);
      bars[slot]?.update(0, { detail: `${taskKey(task)} starting` });
    },
    epoch: (slot, task, point) => {
      bars[slot]?.update(point.epoch, {
        detail: `${taskKey(task)} · train ${point.trainAcc.toFixed(3)} · test ${point.testAcc.toFixed(3)}`,
      });
    },
    done: (slot, run) => {
      finished++;
      overall.update(finished);
      bars[slot]?.update(0, { detail: "idle" });
      multibar.log(`${taskKey(run.task)}: ${describeRun(run)}\n`);
    },
    log: (message) => multibar.log(`${message}\n`),
    stop: () => multibar.stop(),
  };
}
