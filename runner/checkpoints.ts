// Finished runs of a suite, one file each, written atomically: a suite interrupted by
// Ctrl-C or a crash resumes from here and loses no finished run.
import { mkdir, readdir, readFile, rename } from "node:fs/promises";
import { join, resolve } from "node:path";
import writeFileAtomic from "write-file-atomic";
import { z } from "zod";
import {
  Architecture,
  canonicalDigest,
  canonicalJson,
  DatasetRecord,
  Environment,
  RunResult,
  taskKey,
} from "../schema/index.js";
import { UsageError } from "./errors.js";

/** A finished run with the architecture and dataset records its bundle will need. */
export const StoredRun = z.strictObject({ run: RunResult, architecture: Architecture, dataset: DatasetRecord });
export type StoredRun = z.infer<typeof StoredRun>;

/** What makes two invocations the same suite run: resuming needs all of it to match. */
export interface RunIdentity {
  suite: { id: string; version: number; digest: string };
  /** Builtin ids, or a user model file's SHA-256. */
  models: string[];
  dataset: string | null;
  seeds: number[];
  backend: string;
  /**
   * The PyTorch engine and the device it resolved (`cuda:0`, `cpu`); absent on TF.js, so that
   * checkpoints written before the torch engine existed keep their folder and resume.
   */
  engine?: { kind: "torch"; device: string };
  /**
   * For `reproduce`: the original's payload digest. The runs it picks are not part of the
   * identity: a run's reproduction does not depend on which others are reproduced with it, so
   * `--runs 0` after an interrupted `--runs all` reuses what that one trained.
   */
  reproduces?: string;
}

const Manifest = z.object({ identity: z.unknown(), environment: Environment.nullable() });

/** The file's JSON, or null when it cannot be read or parsed (the caller moves it aside). */
async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, "utf8"));
  } catch {
    return null;
  }
}

function fileName(key: string): string {
  return `${key.replaceAll("/", "__")}.json`;
}

export class RunStore {
  private constructor(
    readonly dir: string,
    private recorded: Environment | null,
    private readonly identity: RunIdentity,
  ) {}

  /** The backend and machine the finished runs were trained on (null before the first run). */
  get environment(): Environment | null {
    return this.recorded;
  }

  /** Opens (or creates) the store for `identity` under `dir`. */
  static async open(dir: string, identity: RunIdentity): Promise<RunStore> {
    await mkdir(join(dir, "runs"), { recursive: true });
    let environment: Environment | null = null;
    try {
      const manifest = Manifest.parse(JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")));
      if (canonicalJson(manifest.identity) !== canonicalJson(identity))
        throw new Error("the manifest describes another run");
      environment = manifest.environment;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        await rename(join(dir, "manifest.json"), join(dir, `manifest.json.invalid-${Date.now()}`));
      }
      await writeFileAtomic(join(dir, "manifest.json"), JSON.stringify({ identity, environment: null }, null, 2));
    }
    return new RunStore(dir, environment, identity);
  }

  /**
   * Records the environment of this invocation. Finished runs from another backend or
   * machine must not be mixed into one bundle, so a mismatch is a UsageError.
   */
  async checkEnvironment(environment: Environment, finishedRuns: number): Promise<void> {
    const { runnerVersion, tfjsVersion, backend, backendDetail } = environment;
    if (this.recorded && finishedRuns > 0) {
      const before = this.recorded;
      if (
        before.backend !== backend ||
        before.backendDetail !== backendDetail ||
        before.runnerVersion !== runnerVersion ||
        before.tfjsVersion !== tfjsVersion ||
        // The torch engine: another torch, Python or numpy would train the rest differently.
        canonicalJson(before.engine ?? null) !== canonicalJson(environment.engine ?? null)
      ) {
        throw new UsageError(
          `the ${finishedRuns} finished runs in ${this.dir} ` +
            `were trained with ${before.backendDetail} (rethink-bench ${before.runnerVersion}); ` +
            `this invocation uses ${backendDetail} (rethink-bench ${runnerVersion}). ` +
            `Use the same backend, or another --out folder.`,
        );
      }
    }
    this.recorded = environment;
    await writeFileAtomic(
      join(this.dir, "manifest.json"),
      JSON.stringify({ identity: this.identity, environment }, null, 2),
    );
  }

  /**
   * The finished runs by task key. A file that does not parse is moved aside (never deleted)
   * and its run trains again; `onInvalid` hears about each.
   */
  async finished(onInvalid: (file: string, reason: string) => void): Promise<Map<string, StoredRun>> {
    const runs = new Map<string, StoredRun>();
    for (const name of await readdir(join(this.dir, "runs"))) {
      if (!name.endsWith(".json")) continue;
      const path = join(this.dir, "runs", name);
      const parsed = StoredRun.safeParse(await readJson(path));
      if (parsed.success && fileName(taskKey(parsed.data.run.task)) === name) {
        runs.set(taskKey(parsed.data.run.task), parsed.data);
      } else {
        await rename(path, `${path}.invalid`);
        onInvalid(path, parsed.success ? "its name does not match its task" : parsed.error.issues[0]!.message);
      }
    }
    return runs;
  }

  /**
   * Moves a finished run's file aside (never deleted), so that the next invocation trains it
   * again: for a run that failed for a reason of this machine rather than of the run.
   */
  async setAside(task: StoredRun["run"]["task"], why: string): Promise<void> {
    const path = join(this.dir, "runs", fileName(taskKey(task)));
    await rename(path, `${path}.${why}-${Date.now()}`);
  }

  /** Saves one finished run atomically (a temp file renamed into place). */
  async save(stored: StoredRun): Promise<void> {
    await writeFileAtomic(join(this.dir, "runs", fileName(taskKey(stored.run.task))), JSON.stringify(stored));
  }
}

/**
 * Opens the store of `identity` in its own folder under `<out>/.runs/`, and reads its finished
 * runs; `say` hears a warning about each unreadable run file, which ends with `redo` (what
 * happens to that run now).
 */
export async function openRunStore(
  out: string,
  identity: RunIdentity,
  say: (message: string) => void,
  redo: string,
): Promise<{ store: RunStore; finished: Map<string, StoredRun> }> {
  const { id, version } = identity.suite;
  const store = await RunStore.open(
    join(resolve(out), ".runs", `${id}-v${version}-${(await canonicalDigest(identity)).slice(0, 12)}`),
    identity,
  );
  const finished = await store.finished((file, reason) =>
    say(`warning: ${file} is unreadable (${reason}); moved aside, ${redo}`),
  );
  return { store, finished };
}
