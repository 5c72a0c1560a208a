// One architecture's page: its record, a summary per suite version × dataset × condition over
// the standing results (one per seed; the paper's Figure 1b and 1c) with what stands behind it,
// and its newest runs with their curves and slot roles (Figure 1a); and the moderators' rename.
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
  type ModerationAction,
  moderationActions,
  type RunCurve,
  runs,
} from "../../../schema/index.js";
import type { Database } from "../client.js";
import { toModerationAction } from "./moderation.js";
import { DERIVED_COLUMNS, REPRODUCTION_COLUMNS, taskFields } from "./run-fields.js";
import { SIBLING_JOIN, slowdownSql, trueLabelSibling } from "./slowdown.js";
import {
  finiteOrNull,
  NO_RUNS,
  slotCountColumns,
  slotCountsOf,
  spreadColumns,
  spreadOf,
  suiteSeedCount,
} from "./spread.js";

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
  const all = sql`true`;

  const groups = await db
    .select({
      suiteId: runs.suiteId,
      suiteVersion: runs.suiteVersion,
      datasetId: runs.datasetId,
      corruptionKind: runs.corruptionKind,
      corruptionP: runs.corruptionP,
      regularizer: runs.regularizer,
      ...spreadColumns("steps", runs.stepsToFit, all, "censored"),
      ...spreadColumns("epochs", runs.epochsToFit, all, "censored"),
      ...spreadColumns("gap", runs.genGap, all, "excluded"),
      ...spreadColumns("testError", sql`1 - ${runs.finalTestAcc}`, all, "excluded"),
      ...spreadColumns("trainAccuracy", runs.finalTrainAcc, all, "excluded"),
      slowdownQuartiles: slowdownSql(all),
      ...slotCountColumns(),
    })
    .from(runs)
    .leftJoin(trueLabelSibling, SIBLING_JOIN)
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
    const suiteSeeds = suiteSeedCount({ id: g.suiteId, version: g.suiteVersion });
    return {
      suite: { id: g.suiteId, version: g.suiteVersion },
      dataset: g.datasetId as DatasetId,
      corruption,
      corruptionLevel: corruptionLevel(corruption),
      regularizer: g.regularizer,
      stepsToFit: sgd ? spreadOf(g, "steps", suiteSeeds) : NO_RUNS,
      epochsToFit: sgd ? spreadOf(g, "epochs", suiteSeeds) : NO_RUNS,
      genGap: spreadOf(g, "gap", suiteSeeds),
      testError: spreadOf(g, "testError", suiteSeeds),
      trainAccuracy: spreadOf(g, "trainAccuracy", suiteSeeds),
      slowdown: sgd ? finiteOrNull(g.slowdownQuartiles?.[1]) : null,
      counts: slotCountsOf(g),
    };
  });

  const newest = await db
    .select({
      submissionId: runs.submissionId,
      task: runs.task,
      status: runs.status,
      slotRole: runs.slotRole,
      reproductions: REPRODUCTION_COLUMNS,
      derived: DERIVED_COLUMNS,
      curve: runs.curve,
      measures: runs.measures,
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
    // A visible run always has a role (runs_slot_role_check keeps hidden ones without); the
    // fallback only covers a row read mid-way through a moderation in another transaction.
    slotRole: r.slotRole ?? "replicate",
    reproductions: r.reproductions,
    derived: r.derived,
    curve: r.curve,
    measures: r.measures,
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

/**
 * Gives an architecture a new display name and appends the rename, with the name before and
 * after, to the moderation audit trail, atomically. Undefined for an unknown fingerprint.
 */
export async function renameArchitecture(
  db: Database,
  fingerprint: string,
  name: string,
  reason: string,
): Promise<ModerationAction | undefined> {
  return db.transaction(async (tx) => {
    // Locked, so two renames at once record the name each one really replaced.
    const [current] = await tx
      .select({ name: architectures.name })
      .from(architectures)
      .where(eq(architectures.fingerprint, fingerprint))
      .for("update");
    if (!current) return undefined;
    await tx.update(architectures).set({ name }).where(eq(architectures.fingerprint, fingerprint));
    const [row] = await tx
      .insert(moderationActions)
      .values({ architectureFingerprint: fingerprint, action: "rename", previousName: current.name, name, reason })
      .returning();
    return toModerationAction(row!);
  });
}
