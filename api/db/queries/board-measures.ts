// A board's standing ok runs with their complexity measures and generalization gaps: what
// GET /leaderboard/measures pages through and the insight page ranks the measures by.
import { and, asc, eq, inArray, isNotNull, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import {
  architectures,
  type BoardMeasureRun,
  type BoardMeasures,
  type Corruption,
  corruptionLevel,
  type DatasetId,
  type Environment,
  NonNegativeInt,
  runs,
} from "../../../schema/index.js";
import { decodeCursor, encodeCursor } from "../../cursor.js";
import type { Database } from "../client.js";
import { STANDING } from "./spread.js";

export interface BoardMeasuresQuery {
  suiteId: string;
  suiteVersion: number;
  dataset: DatasetId;
  /** Only runs trained on this backend (the leaderboard's `backend` filter). */
  backend?: Environment["backend"] | undefined;
  /** Only standing results an operator reproducer reproduced exactly, as `verified=only` reads the leaderboard. */
  verifiedOnly?: boolean | undefined;
  /** Only the runs of these architectures (by fingerprint): the insight page's, when it shows part of a board. */
  architectures?: readonly string[] | undefined;
  /** Runs per page; every run of the board when left out. */
  limit?: number | undefined;
  /** The `nextCursor` of the previous page. */
  cursor?: string | undefined;
}

/**
 * Where a page ends, as the sort key of its last run: architecture, corruption kind, p (−1 for
 * the kinds without one, so that the key has no nulls), regularizer, seed, and the run id (ties).
 */
const MeasuresCursor = z.strictObject({
  fingerprint: z.string().max(64),
  kind: z.string().max(32),
  p: z.number(),
  regularizer: z.string().max(200),
  seed: NonNegativeInt,
  id: NonNegativeInt,
});
type MeasuresCursor = z.infer<typeof MeasuresCursor>;

/** The p of a sort key: partial runs have one in [0, 1]; the others sort before them as −1. */
const P_KEY = sql<number>`coalesce(${runs.corruptionP}, -1)`;

/** The rows the board's measures rest on: the leaderboard's scope, standing ok runs that carry measures. */
function scopeOf(query: BoardMeasuresQuery): SQL {
  return and(
    eq(runs.suiteId, query.suiteId),
    eq(runs.suiteVersion, query.suiteVersion),
    eq(runs.datasetId, query.dataset),
    eq(runs.visible, true),
    STANDING,
    eq(runs.status, "ok"),
    isNotNull(runs.measures),
    query.backend === undefined ? undefined : eq(runs.backend, query.backend),
    query.verifiedOnly ? eq(runs.verified, true) : undefined,
    query.architectures === undefined ? undefined : inArray(runs.architectureFingerprint, [...query.architectures]),
  )!;
}

function corruptionOf(kind: string, p: number | null): Corruption {
  return (kind === "partial" ? { kind, p } : { kind }) as Corruption;
}

/**
 * A page of a board's measures, or null when `cursor` is not one this server wrote. Runs come in
 * a stable order (architecture fingerprint, corruption, regularizer, seed), so pages neither skip
 * nor repeat a run when submissions arrive in between; `total` counts the whole board.
 *
 * @example
 * const page = await queryBoardMeasures(db, { suiteId: "quick", suiteVersion: 2, dataset: "mnist-10k" });
 * page?.runs.map((r) => [r.genGap, r.measures.margin]);
 */
export async function queryBoardMeasures(db: Database, query: BoardMeasuresQuery): Promise<BoardMeasures | null> {
  let after: MeasuresCursor | undefined;
  if (query.cursor !== undefined) {
    const decoded = decodeCursor(query.cursor, MeasuresCursor);
    if (decoded === null) return null;
    after = decoded;
  }
  const scope = scopeOf(query);
  const afterCursor =
    after === undefined
      ? undefined
      : sql`(${runs.architectureFingerprint}, ${runs.corruptionKind}, ${P_KEY}, ${runs.regularizer}, ${runs.seed},
          ${runs.id}) > (${after.fingerprint}, ${after.kind}, ${after.p}::float8, ${after.regularizer},
          ${after.seed}, ${after.id})`;
  const select = db
    .select({
      id: runs.id,
      submissionId: runs.submissionId,
      position: runs.position,
      fingerprint: runs.architectureFingerprint,
      name: architectures.name,
      parameterCount: architectures.parameterCount,
      backend: runs.backend,
      corruptionKind: runs.corruptionKind,
      corruptionP: runs.corruptionP,
      regularizer: runs.regularizer,
      seed: runs.seed,
      finalTrainAcc: runs.finalTrainAcc,
      finalTestAcc: runs.finalTestAcc,
      genGap: runs.genGap,
      measures: runs.measures,
    })
    .from(runs)
    .innerJoin(architectures, eq(architectures.fingerprint, runs.architectureFingerprint))
    .where(and(scope, afterCursor))
    .orderBy(
      asc(runs.architectureFingerprint),
      asc(runs.corruptionKind),
      asc(P_KEY),
      asc(runs.regularizer),
      asc(runs.seed),
      asc(runs.id),
    )
    .$dynamic();
  // One row beyond the page says whether another page follows.
  const rows = query.limit === undefined ? await select : await select.limit(query.limit + 1);
  const [{ total } = { total: 0 }] = await db.select({ total: sql<number>`count(*)::int` }).from(runs).where(scope);

  const page = query.limit === undefined ? rows : rows.slice(0, query.limit);
  const last = page.at(-1);
  const nextCursor =
    query.limit !== undefined && rows.length > query.limit && last
      ? encodeCursor({
          fingerprint: last.fingerprint,
          kind: last.corruptionKind,
          p: last.corruptionP ?? -1,
          regularizer: last.regularizer,
          seed: last.seed,
          id: last.id,
        } satisfies MeasuresCursor)
      : null;
  const boardRuns: BoardMeasureRun[] = page.map((r) => {
    const corruption = corruptionOf(r.corruptionKind, r.corruptionP);
    // An ok run always has its accuracies and gap (storeSubmission derives them); the scope
    // selects rows with measures only.
    const finalTrainAcc = r.finalTrainAcc ?? Number.NaN;
    const finalTestAcc = r.finalTestAcc ?? Number.NaN;
    return {
      submissionId: r.submissionId,
      position: r.position,
      architecture: { fingerprint: r.fingerprint, name: r.name, parameterCount: r.parameterCount },
      backend: r.backend,
      corruption,
      corruptionLevel: corruptionLevel(corruption),
      regularizer: r.regularizer,
      seed: r.seed,
      finalTrainAcc,
      finalTestAcc,
      genGap: r.genGap ?? finalTrainAcc - finalTestAcc,
      measures: r.measures!,
    };
  });
  return {
    suite: { id: query.suiteId, version: query.suiteVersion },
    dataset: query.dataset,
    backend: query.backend ?? null,
    verifiedOnly: query.verifiedOnly ?? false,
    total,
    runs: boardRuns,
    nextCursor,
  };
}
