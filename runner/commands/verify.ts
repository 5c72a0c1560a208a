// `rethink-bench verify FILE...`: check result bundles exactly as the leaderboard server does.
import { readFile } from "node:fs/promises";
import { corruptionLabel, type OpenedBundle, openBundle } from "../../schema/index.js";
import { VerificationError } from "../errors.js";

export interface VerifyOptions {
  json?: boolean;
}

/** How many path errors to print for one bundle before summarizing the rest. */
const MAX_PATHS_SHOWN = 5;

type FileResult = OpenedBundle | { ok: false; code: "unreadable"; detail: string; errors: [] };

async function openFile(file: string): Promise<FileResult> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    return {
      ok: false,
      code: "unreadable",
      detail: `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      errors: [],
    };
  }
  return openBundle(text);
}

function summary(opened: Extract<OpenedBundle, { ok: true }>): string {
  const { predicate } = opened.statement;
  const failed = predicate.runs.filter((run) => run.status === "failed").length;
  const corruptions = new Set(predicate.runs.map((run) => corruptionLabel(run.task.corruption)));
  const who = predicate.submitter.name ? ` (${predicate.submitter.name})` : "";
  return [
    `suite ${predicate.suite.id} v${predicate.suite.version}`,
    `${predicate.architectures.map((a) => a.id).join(", ")}`,
    `${predicate.runs.length} runs${failed ? ` (${failed} failed)` : ""} over ${corruptions.size} corruptions`,
    `${predicate.environment.backend} backend`,
    `signed by ${opened.keyid.slice(0, 16)}…${who}`,
  ].join(" · ");
}

export async function verifyCommand(files: string[], options: VerifyOptions): Promise<void> {
  const results = await Promise.all(files.map(async (file) => ({ file, opened: await openFile(file) })));
  if (options.json) {
    const rows = results.map(({ file, opened }) =>
      opened.ok
        ? {
            file,
            ok: true,
            keyid: opened.keyid,
            payloadSha256: opened.payloadSha256,
            suite: opened.statement.predicate.suite.id,
            runs: opened.statement.predicate.runs.length,
          }
        : { file, ok: false, code: opened.code, detail: opened.detail, errors: opened.errors },
    );
    process.stdout.write(`${JSON.stringify(rows)}\n`);
  } else {
    for (const { file, opened } of results) {
      if (opened.ok) {
        process.stdout.write(`OK    ${file}: ${summary(opened)}\n`);
        continue;
      }
      process.stdout.write(`FAIL  ${file}: ${opened.code}: ${opened.detail}\n`);
      for (const error of opened.errors.slice(0, MAX_PATHS_SHOWN))
        process.stdout.write(`        at ${error.path}: ${error.message}\n`);
      if (opened.errors.length > MAX_PATHS_SHOWN)
        process.stdout.write(`        … and ${opened.errors.length - MAX_PATHS_SHOWN} more\n`);
    }
  }
  const failures = results.filter(({ opened }) => !opened.ok).length;
  if (failures > 0)
    throw new VerificationError(
      `${failures} of ${results.length} bundle${results.length === 1 ? "" : "s"} failed verification`,
    );
}
