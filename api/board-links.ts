// Where a new submission shows at once: the board page and API URLs of each board its runs are
// on, with `after=<its id>`, a URL of its own in the edge cache (docs/web.md, "Caching").
import type { DatasetId, ReceiptBoard, SubmissionId, SuiteRef } from "../schema/index.js";

/**
 * The boards of `datasets` (in the order given, each once) for `suite`, linked with `after=id`
 * and `verified=all`: a new result is not verified yet, and a server with operator keys shows
 * only verified results by default.
 *
 * @example
 * boardLinks("sub_0123…", { id: "smoke", version: 1 }, ["synthetic"])
 * // [{ dataset: "synthetic",
 * //    page: "/?suite=smoke&version=1&dataset=synthetic&verified=all&after=sub_0123…",
 * //    api: "/api/v1/leaderboard?suite=smoke&version=1&dataset=synthetic&verified=all&after=sub_0123…" }]
 */
export function boardLinks(id: SubmissionId, suite: SuiteRef, datasets: readonly DatasetId[]): ReceiptBoard[] {
  return [...new Set(datasets)].map((dataset) => {
    const query = new URLSearchParams({
      suite: suite.id,
      version: String(suite.version),
      dataset,
      verified: "all",
      after: id,
    }).toString();
    return { dataset, page: `/?${query}`, api: `/api/v1/leaderboard?${query}` };
  });
}
