// A run's derived metrics as stored columns, selected as one nested object (drizzle maps a
// nested selection to a nested result), so every query reads them the same way.
import { runs } from "../../../schema/index.js";

/** Select as `derived: DERIVED_COLUMNS`; the result's `derived` is a DerivedMetrics. */
export const DERIVED_COLUMNS = {
  epochsToFit: runs.epochsToFit,
  stepsToFit: runs.stepsToFit,
  finalTrainAcc: runs.finalTrainAcc,
  finalTestAcc: runs.finalTestAcc,
  genGap: runs.genGap,
  slowdown: runs.slowdown,
  wallSeconds: runs.wallSeconds,
};
