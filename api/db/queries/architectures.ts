// One architecture's page: its record, a summary per suite version × dataset × condition
// (the paper's Figure 1b and 1c), and its newest runs with their curves (Figure 1a).
import { and, asc, desc, eq, exists, sql } from "drizzle-orm";
import {
  type ArchitectureDetail,
  architectures,
  BASELINE_KINDS,
  type ConditionSummary,
  type Corruption,
  corruptionLevel,
  type DatasetId,
  MAX_CURVES,
  type RunCurve,
  runs,
} from "../../../schema/index.js";
import type { Database } from "../client.js";
import { DERIVED_COLUMNS, taskFields } from "./run-fields.js";
import { finiteOrNull, medianOf, NO_RUNS, spreadColumns, spreadOf } from "./spread.js";

export interface ArchitectureFilter {
  suite?: string;
  version?: number;
  dataset?: string;
}

function corruptionOf(kind: string, p: number | null): Corruption {
  return (kind === "partial" ? { kind, p } : { kind }) as Corruption;
}

/**
 * The architecture's page, from visible submissions only; undefined when no visible
 * submission has it (so a hidden submission's architecture does not show either).
 */
export async function findArchitecture(
  db: Database,
  fingerprint: string,
  filter: ArchitectureFilter = {},
): Promise<ArchitectureDetail | undefined> {
  const visibleSomewhere = db
    .select({ one: sql`1` })
    .from(runs)
    .where(and(eq(runs.architectureFingerprint, fingerprint), eq(runs.visible, true)));
  const [architecture] = await db
    .select()
    .from(architectures)
    .where(and(eq(architectures.fingerprint, fingerprint), exists(visibleSomewhere)));
  if (!architecture) return undefined;

  const visibleRuns = and(
    eq(runs.architectureFingerprint, fingerprint),
    eq(runs.visible, true),
    filter.suite === undefined ? undefined : eq(runs.suiteId, filter.suite),
    filter.version === undefined ? undefined : eq(runs.suiteVersion, filter.version),
    filter.dataset === undefined ? undefined : eq(runs.datasetId, filter.dataset),
  );
  const ok = eq(runs.status, "ok");

  const groups = await db
    .select({
      suiteId: runs.suiteId,
      suiteVersion: runs.suiteVersion,
      datasetId: runs.datasetId,
      corruptionKind: runs.corruptionKind,
      corruptionP: runs.corruptionP,
      regularizer: runs.regularizer,
      ...spreadColumns("steps", runs.stepsToFit, ok),
      ...spreadColumns("epochs", runs.epochsToFit, ok),
      ...spreadColumns("gap", runs.genGap, ok),
      ...spreadColumns("testError", sql`1 - ${runs.finalTestAcc}`, ok),
      slowdown: medianOf(runs.slowdown, ok),
    })
    .from(runs)
    .where(visibleRuns)
    .groupBy(runs.suiteId, runs.suiteVersion, runs.datasetId, runs.corruptionKind, runs.corruptionP, runs.regularizer)
    .orderBy(
      asc(runs.suiteId),
      asc(runs.suiteVersion),
      asc(runs.datasetId),
      asc(runs.regularizer),
      asc(runs.corruptionKind),
      asc(runs.corruptionP),
    );

  // A baseline (a kernel's closed-form solve) has no SGD steps: its one-point curves say
  // "fitted at epoch 1", which would read as the fastest fit there is. Those figures are left empty.
  const sgd = !BASELINE_KINDS.includes(architecture.kind);
  const conditions: ConditionSummary[] = groups.map((g) => {
    const corruption = corruptionOf(g.corruptionKind, g.corruptionP);
    return {
      suite: { id: g.suiteId, version: g.suiteVersion },
      dataset: g.datasetId as DatasetId,
      corruption,
      corruptionLevel: corruptionLevel(corruption),
      regularizer: g.regularizer,
      stepsToFit: sgd ? spreadOf(g, "steps") : NO_RUNS,
      epochsToFit: sgd ? spreadOf(g, "epochs") : NO_RUNS,
      genGap: spreadOf(g, "gap"),
      testError: spreadOf(g, "testError"),
      slowdown: sgd ? finiteOrNull(g.slowdown) : null,
    };
  });

  const newest = await db
    .select({
      submissionId: runs.submissionId,
      task: runs.task,
      status: runs.status,
      derived: DERIVED_COLUMNS,
      curve: runs.curve,
    })
    .from(runs)
    .where(visibleRuns)
    // Rows are numbered as they are stored: the highest ids are the newest runs.
    .orderBy(desc(runs.id))
    .limit(MAX_CURVES + 1);

  const curves: RunCurve[] = newest.slice(0, MAX_CURVES).map((r) => ({
    submissionId: r.submissionId,
    ...taskFields(r.task),
    status: r.status,
    derived: r.derived,
    curve: r.curve,
  }));

  return {
    architecture: {
      fingerprint: architecture.fingerprint,
      id: architecture.slug,
      name: architecture.name,
      kind: architecture.kind,
      inputShape: architecture.inputShape,
      parameterCount: architecture.parameterCount,
      topology: architecture.topology,
      firstSeenAt: architecture.firstSeenAt.toISOString(),
    },
    conditions,
    runs: curves,
    runsTruncated: newest.length > MAX_CURVES,
  };
}
