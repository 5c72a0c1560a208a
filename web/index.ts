// web/: the leaderboard's pages (server-rendered with hono/jsx), the data their charts draw,
// and the manifest of the client assets that scripts/build-web.ts builds. The API renders
// these pages; data reaches them as props.
export { ASSET_MANIFEST_FILE, AssetManifest, type PageScript } from "./assets.js";
export type { BoardCount } from "./components/board-links.js";
export {
  corruptionName,
  formatCorrelation,
  formatGibibytes,
  formatInteger,
  formatPercentValue,
  formatPValue,
  formatThreshold,
  NONE,
} from "./format.js";
export { type GranulatedTau, type MeasureCorrelation, measureCorrelations, measureVerdict } from "./measures.js";
export { type ArchitectureBoard, ArchitecturePage, type ArchitecturePageProps } from "./pages/architecture/index.js";
export { ErrorPage, type ErrorPageProps } from "./pages/error.js";
export { InsightPage, type InsightPageProps } from "./pages/insight.js";
export { LeaderboardPage, type LeaderboardPageProps } from "./pages/leaderboard/index.js";
export { ProtocolPage, type ProtocolPageProps } from "./pages/protocol/index.js";
export type { QueueSummary } from "./pages/protocol/reproduction.js";
export { HiddenSubmissionPage, SubmissionPage, type SubmissionPageProps } from "./pages/submission.js";
export { type KendallTau, kendallTau } from "./stats.js";
export { summarizeTopology, type TopologySummary } from "./topology.js";
export type { BoardRef, BoardView, VerifiedFilter } from "./urls.js";
export { apiLeaderboardHref, architectureHref, boardHref, insightHref, leaderboardHref } from "./urls.js";
