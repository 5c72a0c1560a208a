// Links between the pages, and to the API documents behind them. A board is a suite version
// and a dataset; its filters travel in the query string so that every view has a URL to
// share (and to cache).
import type { ContestEvidence, Environment, RankMetric } from "../schema/index.js";

export interface BoardRef {
  suite: string;
  version: number;
  dataset: string;
}

/**
 * Which standing results the figures rest on: those an operator reproducer reproduced exactly,
 * or all of them. Absent, the server's default applies (`only` where it has reproducer keys).
 */
export type VerifiedFilter = "only" | "all";

export interface BoardView extends BoardRef {
  rank: RankMetric;
  backend: Environment["backend"] | null;
  page: number;
  /** The `verified` query parameter as the URL gave it; left out of links when absent. */
  verified?: VerifiedFilter;
}

const API = "/api/v1";

/** The API's OpenAPI document: every route, JSON and CSV. */
export const API_DOCS_HREF = `${API}/openapi.json`;

/** The public record of every moderation decision. */
export const API_MODERATION_HREF = `${API}/moderation`;

function query(entries: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(entries))
    if (value !== null && value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The query parameters that name a board. */
function boardQuery(board: BoardRef) {
  return { suite: board.suite, version: board.version, dataset: board.dataset };
}

/**
 * The leaderboard with these filters.
 *
 * @example
 * leaderboardHref({ suite: "quick", version: 1, dataset: "mnist-10k", rank: "gap", backend: null, page: 1 })
 * // "/?suite=quick&version=1&dataset=mnist-10k&rank=gap"
 */
export function leaderboardHref(view: BoardView): string {
  const page = view.page > 1 ? view.page : null;
  return `/${query({ ...boardQuery(view), rank: view.rank, backend: view.backend, verified: view.verified, page })}`;
}

/** The leaderboard of a board as it first shows: ranked by memorization, every backend, page 1. */
export function boardHref(board: BoardRef): string {
  return leaderboardHref({ ...board, rank: "memorization", backend: null, page: 1 });
}

/**
 * The API request that answers a page of a board's rows, as JSON or as a CSV download.
 *
 * @example
 * apiLeaderboardHref({ suite: "quick", version: 1, dataset: "mnist-10k", rank: "gap", backend: null }, { limit: 50 })
 * // "/api/v1/leaderboard?suite=quick&version=1&dataset=mnist-10k&rank=gap&limit=50"
 */
export function apiLeaderboardHref(
  view: Omit<BoardView, "page">,
  rows: { limit: number; cursor?: string },
  format?: "csv",
): string {
  const entries = {
    ...boardQuery(view),
    rank: view.rank,
    backend: view.backend,
    verified: view.verified,
    ...rows,
    format,
  };
  return `${API}/leaderboard${query(entries)}`;
}

/**
 * A board's runs with their complexity measures (GET /leaderboard/measures), as JSON or as a CSV download.
 *
 * @example
 * apiBoardMeasuresHref({ suite: "quick", version: 2, dataset: "mnist-10k" }, { backend: null, verified: "all" }, "csv")
 * // "/api/v1/leaderboard/measures?suite=quick&version=2&dataset=mnist-10k&verified=all&format=csv"
 */
export function apiBoardMeasuresHref(
  board: BoardRef,
  filters: { backend: Environment["backend"] | null; verified?: VerifiedFilter },
  format?: "csv",
): string {
  return `${API}/leaderboard/measures${query({ ...boardQuery(board), ...filters, format })}`;
}

export function insightHref(board: BoardRef, backend: Environment["backend"] | null = null): string {
  return `/insight${query({ ...boardQuery(board), backend })}`;
}

export function architectureHref(fingerprint: string, board?: BoardRef): string {
  return `/architectures/${fingerprint}${board ? query(boardQuery(board)) : ""}`;
}

/** The API document behind an architecture's page. */
export function apiArchitectureHref(fingerprint: string, board?: BoardRef): string {
  return `${API}${architectureHref(fingerprint, board)}`;
}

/** Every submission of an architecture, as a CSV download. */
export function apiArchitectureSubmissionsCsvHref(fingerprint: string): string {
  return `${API}/submissions${query({ architecture: fingerprint, format: "csv" })}`;
}

export function submissionHref(id: string): string {
  return `/submissions/${id}`;
}

/** The API document behind a submission's page. */
export function apiSubmissionHref(id: string): string {
  return `${API}${submissionHref(id)}`;
}

/** A reproduction on its submission's page, where its section carries its id. */
export function reproductionHref(submissionId: string, reproductionId: string): string {
  return `${submissionHref(submissionId)}#${reproductionId}`;
}

/** A submission's reproductions with their signed envelopes, as the API lists them. */
export function apiReproductionsHref(submissionId: string): string {
  return `${apiSubmissionHref(submissionId)}/reproductions`;
}

/**
 * Where to read why a row is contested: the reproduction that did not reproduce its standing
 * result, else the later submission that differs from it.
 *
 * @example
 * contestEvidenceHref({ slots: 1, submissionId: "sub_1…", reproductionId: "rep_9…", contestingSubmissionId: null })
 * // "/submissions/sub_1…#rep_9…"
 */
export function contestEvidenceHref(evidence: ContestEvidence): string {
  if (evidence.reproductionId) return reproductionHref(evidence.submissionId, evidence.reproductionId);
  return submissionHref(evidence.contestingSubmissionId ?? evidence.submissionId);
}

/** The signed bundle of a submission, as a file to download and verify. */
export function bundleHref(id: string): string {
  return `/submissions/${id}/bundle`;
}

export function protocolHref(anchor?: string): string {
  return `/protocol${anchor ? `#${anchor}` : ""}`;
}
