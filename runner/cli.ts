// The `rethink-bench` command: parse argv in one place, run a command, map typed errors to exit codes.
import { Command, CommanderError } from "commander";
import { CliError } from "./errors.js";
import { RUNNER_VERSION } from "./package-info.js";
import { DEFAULT_GAMMA } from "./science/kernel.js";
import { BACKEND_CHOICES } from "./train/backend-choice.js";

/** The torch engine's options, shared by `run` and `reproduce` (runner/commands/engine-options.ts checks them). */
const ENGINE_OPTION = [
  "--engine <name>",
  "training engine: tfjs (TensorFlow.js, no install) or torch (PyTorch)",
  "tfjs",
] as const;
const PYTHON_OPTION = [
  "--python <path>",
  "with --engine torch: the Python with torch >= 1.13 and numpy (default: $RETHINK_BENCH_PYTHON or python3)",
] as const;
const DEVICE_OPTION = [
  "--device <device>",
  "with --engine torch: auto, cpu, cuda, cuda:N or mps (default: auto)",
] as const;

/**
 * Each command's module is imported when that command runs, not when the program starts: `--help`,
 * `verify`, `keys` and `submit` then start without loading TensorFlow.js and the database drivers
 * that `run`, `reproduce` and `serve` need.
 */
function buildProgram(): Command {
  const program = new Command("rethink-bench")
    .description(
      "Benchmark how neural-network architectures memorize and generalize: the randomization tests of " +
        'Zhang et al., "Understanding deep learning requires rethinking generalization" (ICLR 2017).',
    )
    .version(RUNNER_VERSION)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();

  program
    .command("run")
    .description("train a suite's randomization tests and write a signed result bundle")
    .option("--suite <id>", "suite to run: smoke, quick, regularizers, standard or paper", "quick")
    .option(
      "--model <path>",
      "your architecture: a TF.js layers model.json, a .js module exporting a builder, or with --engine torch " +
        "a PyTorch nn.Module factory as file.py:factory",
    )
    .option("--architecture <id>", "run only this one of the suite's built-in architectures")
    .option("--dataset <id>", "run only this one of the suite's datasets")
    .option("--backend <name>", `training backend: ${BACKEND_CHOICES.join(", ")}`, "auto")
    .option(...ENGINE_OPTION)
    .option(...PYTHON_OPTION)
    .option(...DEVICE_OPTION)
    .option(
      "--workers <n>",
      "parallel worker threads (default: one per core; one with tfjs-node or on a GPU with --engine torch)",
    )
    .option("--seed <n>", "train only this one of the suite's seeds")
    .option("--data-dir <dir>", "folder holding the dataset's files (otherwise the cache, local copies, or a download)")
    .option("--no-download", "never download a dataset; fail with instructions instead")
    .option("--out <dir>", "where checkpoints and the signed bundle go", "rethink-results")
    .option("--name <name>", "your display name on the leaderboard (stored in the bundle)")
    .option("--json", 'print only a JSON summary on stdout: {"bundle", "runs": [...]}')
    .option("--submit [url]", "submit the bundle when the run ends (default: $RETHINK_BENCH_API or the public board)")
    .option(
      "--serve",
      "put the results on a local leaderboard (started on --port if none runs there) and keep serving it",
    )
    .option("--port <n>", "port of the local leaderboard for --serve", "8787")
    .action(async (options) => (await import("./commands/run.js")).runAndPublishCommand(options));

  program
    .command("submit")
    .description("send signed bundles to a leaderboard; unsent ones wait in the outbox for --retry")
    .argument("[files...]", "bundle files (*.dsse.json)")
    .option("--api <url>", "leaderboard base URL (default: $RETHINK_BENCH_API or the public board)")
    .option("--retry", "first send every bundle waiting in the outbox")
    .action(async (files, options) => (await import("./commands/submit.js")).submitCommand(files, options));

  program
    .command("reproduce")
    .description(
      "train a submission's runs again, compare them epoch by epoch with the signed original, and sign " +
        "the verdicts into a reproduction attestation; --watch works through a server's reproduction queue",
    )
    .argument("[target]", "a submission id (sub_…), its URL, or a bundle file (*.dsse.json)")
    .option("--runs <list>", "which runs: all, or positions as the submission page numbers them (3, 0,2,5-7)", "all")
    .option("--sample <k>", "only k of those runs, drawn at random (the seed is printed)")
    .option("--sample-seed <n>", "the seed of --sample: the same seed draws the same runs")
    .option(
      "--workers <n>",
      "parallel worker threads (default: one per core; one with tfjs-node or on a GPU with --engine torch)",
    )
    .option(
      "--backend <name>",
      `training backend: ${BACKEND_CHOICES.join(", ")} (default: the original's when this machine has it, else auto)`,
    )
    .option("--engine <name>", "training engine: tfjs or torch (default: the original's; compare like with like)")
    .option(...PYTHON_OPTION)
    .option(...DEVICE_OPTION)
    .option(
      "--model <path>",
      "the builder module (.js) or PyTorch factory (file.py:factory) of an architecture the bundle cannot carry",
    )
    .option("--data-dir <dir>", "folder holding the dataset's files (otherwise the cache, local copies, or a download)")
    .option("--no-download", "never download a dataset; fail with instructions instead")
    .option("--out <dir>", "where checkpoints and the attestation go", "rethink-results")
    .option("--name <name>", "your display name as a reproducer (stored in the attestation)")
    .option("--api <url>", "leaderboard base URL (default: $RETHINK_BENCH_API or the public board)")
    .option("--submit", "send the attestation to the leaderboard (unsent ones wait in the outbox)")
    .option("--json", "print one JSON document on stdout: verdicts per run, attestation path, receipt")
    .option("--watch", "operator daemon: reproduce the oldest unverified submissions of --api's queue, and submit")
    .option("--once", "with --watch: exit once the queue is drained")
    .option("--poll <seconds>", "with --watch: first wait when the queue is empty (doubles up to 10 minutes)", "30")
    .action(async (target, options) => (await import("./commands/reproduce.js")).reproduceCommand(target, options));

  const tasks = program
    .command("tasks")
    .description("run a suite's tasks on machines with Python and torch but no Node.js (clusters, GPU nodes)");
  tasks
    .command("export")
    .description(
      "write a suite's tasks, their prepared data and worker.py into a folder, with a README for Slurm job " +
        "arrays and Kubernetes Indexed Jobs",
    )
    .option("--suite <id>", "suite to export: smoke, quick, regularizers, standard or paper", "quick")
    .option("--model <path>", "your architecture: file.py:factory (a PyTorch module), a model.json or a .js builder")
    .option("--architecture <id>", "export only this one of the suite's built-in architectures")
    .option("--dataset <id>", "export only this one of the suite's datasets")
    .option("--seed <n>", "export only this one of the suite's seeds")
    .requiredOption("--out <dir>", "the folder to write (empty, or an earlier export of the same tasks)")
    .option("--data-dir <dir>", "folder holding the dataset's files (otherwise the cache, local copies, or a download)")
    .option("--no-download", "never download a dataset; fail with instructions instead")
    .action(async (options) => (await import("./commands/tasks.js")).tasksExportCommand(options));
  tasks
    .command("import")
    .description("check an exported folder's results as the leaderboard would and sign them into a bundle")
    .argument("<dir>", "the folder `tasks export` wrote, with the workers' results/ copied back into it")
    .option("--out <dir>", "where the signed bundle goes", "rethink-results")
    .option("--name <name>", "your display name on the leaderboard (stored in the bundle)")
    .option("--json", 'print only {"bundle", "fresh", "runs", "figures"} as JSON on stdout')
    .option("--data-dir <dir>", "score runs against the labels of the dataset files in this folder (cifar10, mnist)")
    .action(async (dir, options) => (await import("./commands/tasks.js")).tasksImportCommand(dir, options));

  program
    .command("serve")
    .description("serve the leaderboard API on this machine: embedded PGlite by default, or a Postgres server")
    .option("--port <n>", "TCP port (0 picks a free one)", "8787")
    .option("--host <address>", "interface to listen on", "127.0.0.1")
    .option("--data <dir>", "folder of the embedded database (default: $XDG_DATA_HOME/rethink-bench/leaderboard)")
    .option(
      "--database-url <url>",
      "use this Postgres server (postgres://user:password@host:port/db) instead of the embedded database",
    )
    .option("--public-url <url>", "scheme and host the pages link to (default: the URL it listens on)")
    .option(
      "--reproducer-key <keyid>",
      "an operator reproducer key (keyid or public key; repeatable), added to $REPRODUCER_KEYS",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      "--no-response-cache",
      "read the database at every request (by default board and architecture reads are kept in memory " +
        "for their s-maxage, seconds, and forgotten on each write this server answers)",
    )
    .action(async (options) => (await import("./commands/serve.js")).serveCommand(options));

  program
    .command("keys")
    .description("show your signing key's keyid and public key, creating the key on first use")
    .option("--json", "print {keyid, publicKey, path, created} as JSON")
    .action(async (options) => (await import("./commands/keys.js")).keysCommand(options));

  program
    .command("verify")
    .description("verify result bundles (DSSE envelopes): signature, schema and every derived metric")
    .argument("<files...>", "bundle files (*.dsse.json)")
    .option("--json", "print one JSON result per file")
    .option(
      "--data-dir <dir>",
      "score runs against the labels of the dataset files in this folder (for cifar10 and mnist, whose labels " +
        "are not shipped)",
    )
    .action(async (files, options) => (await import("./commands/verify.js")).verifyCommand(files, options));

  program
    .command("theorem")
    .description(
      "build the paper's Theorem 1 network (2n + d weights) for n points and real labels, " +
        "and check it fits them exactly",
    )
    .requiredOption("--n <n>", "number of points")
    .option("--d <d>", "dimension of random points (with --dataset: the pixel count, implied)")
    .option("--seed <n>", "seed of the points, labels and projection direction", "0")
    .option(
      "--labels <source>",
      "random (standard normal reals), or a file of n numbers (JSON array or whitespace/comma separated)",
      "random",
    )
    .option(
      "--dataset <id>",
      "use n training images of this dataset (its fixed class-balanced subset, flattened) instead of random points",
    )
    .option("--data-dir <dir>", "folder holding the dataset's files")
    .option("--no-download", "never download a dataset; fail with instructions instead")
    .option("--json", 'print {"n", "d", "weights", "maxAbsError", "errorBound", "condition", …} as JSON')
    .action(async (options) => {
      await (await import("./commands/theorem.js")).theoremCommand(options);
    });

  program
    .command("kernel")
    .description(
      "minimum-norm Gaussian-kernel interpolation (paper §5): " +
        "training error 0, test error and norm; --out writes a signed baseline bundle",
    )
    .option("--dataset <id>", "dataset (default mnist-10k; with --out, one of the suite's)")
    .option("--n <n>", "training images (default 1000)")
    .option("--test <n>", "test images (default 2000)")
    .option("--gamma <g>", "kernel width γ of exp(−γ‖x − x′‖²) on [0, 1] pixels", String(DEFAULT_GAMMA))
    .option("--out <dir>", "solve every randomization test of --suite and write a signed bundle here")
    .option(
      "--suite <id>",
      "with --out: the suite whose datasets, sizes, corruptions and seeds the bundle covers (default quick)",
    )
    .option("--seed <n>", "with --out: only this one of the suite's seeds")
    .option("--name <name>", "with --out: your display name on the leaderboard")
    .option("--data-dir <dir>", "folder holding the dataset's files")
    .option("--no-download", "never download a dataset; fail with instructions instead")
    .option(
      "--json",
      'print JSON: {"dataset", "n", "test", "trainError", "testError", "norm", …}, or with --out {"bundle", "runs"}',
    )
    .action(async (options) => {
      await (await import("./commands/kernel.js")).kernelCommand(options);
    });

  for (const command of program.commands) command.exitOverride();
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed help, the version or the usage error.
      return error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.code === "commander.help"
        ? 0
        : 2;
    }
    if (error instanceof CliError) {
      process.stderr.write(`rethink-bench: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(
      `rethink-bench: unexpected error (a bug; please report it):\n${(error as Error).stack ?? String(error)}\n`,
    );
    return 70;
  }
}

process.exitCode = await main(process.argv);
