// `rethink-bench verify FILE...`: check result bundles as the leaderboard server does: the
// signature and the bundle itself, then the suite and the audit of schema/audit.ts; and
// reproduction attestations: signature, schema and consistency, and their verdicts against
// the original when its bundle is among the files.
import { readFile } from "node:fs/promises";
import {
  auditReproduction,
  auditResult,
  canonicalDigest,
  corruptionLabel,
  type DatasetRegistry,
  defaultDatasetRegistry,
  type FileDatasetId,
  findSuite,
  findUnstorableText,
  type KnownDataset,
  knownDatasetFrom,
  type OpenedBundle,
  type OpenedReproduction,
  openEnvelope,
  openReproduction,
  type PathError,
  packLabelData,
  peekPredicateType,
  REPRODUCTION_PREDICATE_TYPE,
  type ReproductionPredicate,
  type Statement,
  type Verdict,
} from "../../schema/index.js";
import { loadRawDataset } from "../datasets/index.js";
import { VerificationError } from "../errors.js";
import { datasetLoadOptions } from "./option-parsers.js";

export interface VerifyOptions {
  json?: boolean;
  /** Score runs against the labels of the dataset files in this folder instead of the shipped ones. */
  dataDir?: string;
}

/** How many path errors to print for one bundle before summarizing the rest. */
const MAX_PATHS_SHOWN = 5;

type FileResult = OpenedBundle | { ok: false; code: string; detail: string; errors: PathError[] };

/**
 * The checks a server makes beyond the bundle itself, against this package's suites and
 * datasets, in the server's order: the suite definition, text Postgres cannot store, then the
 * audit (architectures, protocol, pinned files, scores).
 */
async function audit(
  statement: Statement,
  datasets: DatasetRegistry,
): Promise<{ code: string; detail: string; errors: PathError[] } | null> {
  const { predicate } = statement;
  const suite = findSuite(predicate.suite.id, predicate.suite.version);
  const name = `${predicate.suite.id} v${predicate.suite.version}`;
  if (!suite || (await canonicalDigest(suite)) !== predicate.suiteDigest) {
    const detail = suite
      ? `the bundle's suite ${name} differs from this version's definition`
      : `suite ${name} is not one this version of rethink-bench knows`;
    return { code: "unknown-suite", detail, errors: [{ path: "predicate.suite", message: detail }] };
  }
  const unstorable = findUnstorableText(statement);
  if (unstorable.length > 0)
    return { code: "unstorable-text", detail: `${unstorable[0]!.path}: ${unstorable[0]!.message}`, errors: unstorable };
  const failure = auditResult(predicate, suite, datasets);
  if (!failure) return null;
  const [first] = failure.errors;
  return { code: failure.code, detail: `${first!.path}: ${first!.message}`, errors: failure.errors };
}

/**
 * The registry to audit a bundle with: this package's, or with --data-dir, one whose file datasets
 * (all but mnist-10k, which comes from the installed package) are read from that folder, found and
 * checked as `run --data-dir` does ($RETHINK_BENCH_DATASET_PINS included), each loaded once.
 */
export function registryFrom(dataDir: string | undefined): (statement: Statement) => Promise<DatasetRegistry> {
  if (!dataDir) return async () => defaultDatasetRegistry();
  const loaded = new Map<string, Promise<KnownDataset>>();
  const load = async (id: FileDatasetId) => {
    const raw = await loadRawDataset(id, datasetLoadOptions({ dataDir, download: false }));
    const pools = { classes: raw.classes, train: raw.train.labels, test: raw.test.labels };
    return knownDatasetFrom(packLabelData(raw.id, pools, raw.files));
  };
  return async (statement) => {
    const registry = new Map(defaultDatasetRegistry());
    for (const { id } of statement.predicate.datasets) {
      if (id === "synthetic" || id === "mnist-10k" || !registry.has(id)) continue;
      if (!loaded.has(id)) loaded.set(id, load(id as FileDatasetId));
      registry.set(id, await loaded.get(id)!);
    }
    return registry;
  };
}

/**
 * Opens a parsed envelope as a result bundle and audits it as the server would: what `verify`
 * does to a bundle file and `reproduce` to the original it is about to train again.
 */
export async function openAndAudit(
  value: unknown,
  registryFor: (statement: Statement) => Promise<DatasetRegistry>,
): Promise<FileResult> {
  const opened = await openEnvelope(value);
  if (!opened.ok) return opened;
  const failure = await audit(opened.statement, await registryFor(opened.statement));
  return failure ? { ok: false, ...failure } : opened;
}

/** A reproduction attestation that opened, and the audit against its original when that was given too. */
interface OpenedAttestation {
  ok: true;
  kind: "reproduction";
  opened: Extract<OpenedReproduction, { ok: true }>;
  /** The file of the original it was audited against, or null when the original was not among the files. */
  auditedAgainst: string | null;
}

type Checked = (FileResult & { kind?: "result" }) | OpenedAttestation;

async function openFile(
  file: string,
  registryFor: (statement: Statement) => Promise<DatasetRegistry>,
): Promise<Checked> {
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
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, code: "bad-json", detail: `the file is not JSON: ${(error as Error).message}`, errors: [] };
  }
  if (peekPredicateType(value) === REPRODUCTION_PREDICATE_TYPE) {
    const opened = await openReproduction(value);
    return opened.ok ? { ok: true, kind: "reproduction", opened, auditedAgainst: null } : opened;
  }
  return openAndAudit(value, registryFor);
}

/**
 * Audits each attestation whose original is among the verified files: its verdicts must be what
 * the comparison with that original gives. A failed audit turns the attestation's line into a FAIL.
 */
async function auditAttestations(results: { file: string; opened: Checked }[]): Promise<void> {
  const originals = new Map<string, { file: string; opened: OpenedBundle & { ok: true } }>();
  for (const { file, opened } of results)
    if (opened.ok && opened.kind !== "reproduction") originals.set(opened.payloadSha256, { file, opened });
  for (const result of results) {
    const { opened } = result;
    if (!opened.ok || opened.kind !== "reproduction") continue;
    const { predicate } = opened.opened.statement;
    const original = originals.get(predicate.original.payloadSha256);
    if (!original) continue;
    const errors = await auditReproduction(predicate, original.opened);
    result.opened =
      errors.length === 0
        ? { ...opened, auditedAgainst: original.file }
        : {
            ok: false,
            code: "reproduction-audit",
            detail: `against ${original.file}: ${errors[0]!.path} ${errors[0]!.message}`,
            errors,
          };
  }
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

/** How many runs got each verdict, in the words of the attestation's comparison mode. */
export function verdictLine(predicate: ReproductionPredicate): string {
  const count = (verdict: Verdict) => predicate.runs.filter((run) => run.verdict === verdict).length;
  return predicate.mode === "exact"
    ? `${count("exact")} exact, ${count("not-reproduced")} not reproduced`
    : `${count("consistent")} consistent, ${count("inconsistent")} inconsistent`;
}

function attestationSummary({ opened, auditedAgainst }: OpenedAttestation): string {
  const { predicate } = opened.statement;
  const who = predicate.reproducer.name ? ` (${predicate.reproducer.name})` : "";
  return [
    `reproduction of ${predicate.original.submissionId} by ${opened.keyid.slice(0, 16)}…${who}`,
    verdictLine(predicate),
    predicate.environment.backend,
    auditedAgainst ? `verdicts checked against ${auditedAgainst}` : "verdicts not checked (original not given)",
  ].join(" · ");
}

function jsonRow(file: string, opened: Checked): Record<string, unknown> {
  if (!opened.ok) return { file, ok: false, code: opened.code, detail: opened.detail, errors: opened.errors };
  if (opened.kind === "reproduction") {
    const { predicate } = opened.opened.statement;
    return {
      file,
      ok: true,
      kind: "reproduction",
      keyid: opened.opened.keyid,
      payloadSha256: opened.opened.payloadSha256,
      submissionId: predicate.original.submissionId,
      mode: predicate.mode,
      verdicts: predicate.runs.map((run) => ({ position: run.position, verdict: run.verdict })),
      auditedAgainst: opened.auditedAgainst,
    };
  }
  return {
    file,
    ok: true,
    kind: "result",
    keyid: opened.keyid,
    payloadSha256: opened.payloadSha256,
    suite: opened.statement.predicate.suite.id,
    datasets: opened.statement.predicate.datasets.map((d) => d.id),
    runs: opened.statement.predicate.runs.length,
  };
}

export async function verifyCommand(files: string[], options: VerifyOptions): Promise<void> {
  const registryFor = registryFrom(options.dataDir);
  const results = await Promise.all(files.map(async (file) => ({ file, opened: await openFile(file, registryFor) })));
  await auditAttestations(results);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(results.map(({ file, opened }) => jsonRow(file, opened)))}\n`);
  } else {
    for (const { file, opened } of results) {
      if (opened.ok) {
        const line = opened.kind === "reproduction" ? attestationSummary(opened) : summary(opened);
        process.stdout.write(`OK    ${file}: ${line}\n`);
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
