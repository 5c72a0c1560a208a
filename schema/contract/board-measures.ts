// `GET /leaderboard/measures`: the complexity measures of a board's standing runs, each beside its
// generalization gap, which the insight page ranks the measures by and the export hands out.
import { z } from "zod";
import { ArchitectureSummary, SubmissionId, SuiteRef } from "./api.js";
import { NonNegativeInt, Slug } from "./common.js";
import { RunMeasures } from "./measures.js";
import { Environment } from "./payload.js";
import { Corruption, DatasetId } from "./suite.js";

/**
 * One standing ok run of a board with measures: what it was (architecture, corruption, seed),
 * its generalization gap and its measures.
 */
export const BoardMeasureRun = z
  .strictObject({
    submissionId: SubmissionId,
    /** The run's index in its bundle. */
    position: NonNegativeInt,
    architecture: ArchitectureSummary.pick({ fingerprint: true, name: true, parameterCount: true }),
    backend: Environment.shape.backend,
    corruption: Corruption,
    /** 0 for true labels, p for partial, 1 for random labels; null for the input corruptions. */
    corruptionLevel: z.number().nullable(),
    regularizer: Slug,
    seed: NonNegativeInt,
    finalTrainAcc: z.number(),
    finalTestAcc: z.number(),
    /** Final training accuracy minus final test accuracy. */
    genGap: z.number(),
    measures: RunMeasures,
  })
  .meta({ id: "BoardMeasureRun" });
export type BoardMeasureRun = z.infer<typeof BoardMeasureRun>;

/**
 * `GET /leaderboard/measures`: a page of a board's standing ok runs that carry measures, in a
 * stable order (architecture, corruption, regularizer, seed).
 *
 * @example
 * BoardMeasures.parse(await (await fetch("/api/v1/leaderboard/measures?suite=quick")).json()).runs[0]?.measures.margin
 */
export const BoardMeasures = z
  .strictObject({
    suite: SuiteRef,
    dataset: DatasetId,
    backend: Environment.shape.backend.nullable(),
    verifiedOnly: z.boolean(),
    /** Standing ok runs with measures on the board. */
    total: NonNegativeInt,
    runs: z.array(BoardMeasureRun),
    /** Pass as `cursor` for the next page; null on the last page. */
    nextCursor: z.string().nullable(),
  })
  .meta({ id: "BoardMeasures" });
export type BoardMeasures = z.infer<typeof BoardMeasures>;
