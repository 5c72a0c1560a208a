// The contract: every type that runner, API and web share, as zod schemas.

export * from "./api.js";
export * from "./architecture.js";
export * from "./board-measures.js";
export * from "./common.js";
export * from "./leaderboard.js";
export * from "./measures.js";
export * from "./moderation.js";
export * from "./payload.js";
export * from "./problem.js";
export * from "./reproduction.js";
export * from "./run.js";
export * from "./submission.js";
export * from "./suite.js";
export * from "./task.js";
export * from "./torch-module.js";
