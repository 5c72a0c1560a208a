// Links between the pages. A board is a suite version and a dataset; its filters travel in
// the query string so that every view has a URL to share (and to cache).
import type { Environment, RankMetric } from "../schema/index.js";

export interface BoardRef {
  suite: string;
  version: number;
  dataset: string;
}

export interface BoardView extends BoardRef {
  rank: RankMetric;
  backend: Environment["backend"] | null;
  page: number;
}

function query(entries: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(entries))
    if (value !== null && value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/**
 * The leaderboard with these filters.
 *
 * @example
 * leaderboardHref({ suite: "quick", version: 1, dataset: "mnist-10k", rank: "gap", backend: null, page: 1 }) // "/?suite=quick&version=1&dataset=mnist-10k&rank=gap"
 */
export function leaderboardHref(view: BoardView): string {
  return `/${query({ suite: view.suite, version: view.version, dataset: view.dataset, rank: view.rank, backend: view.backend, page: view.page > 1 ? view.page : null })}`;
}

export function insightHref(board: BoardRef, backend: Environment["backend"] | null = null): string {
  return `/insight${query({ suite: board.suite, version: board.version, dataset: board.dataset, backend })}`;
}

export function architectureHref(fingerprint: string, board?: BoardRef): string {
  return `/architectures/${fingerprint}${board ? query({ suite: board.suite, version: board.version, dataset: board.dataset }) : ""}`;
}

/** The API document behind an architecture's page. */
export function apiArchitectureHref(fingerprint: string, board?: BoardRef): string {
  return `/api/v1${architectureHref(fingerprint, board)}`;
}

export function submissionHref(id: string): string {
  return `/submissions/${id}`;
}

/** The signed bundle of a submission, as a file to download and verify. */
export function bundleHref(id: string): string {
  return `/submissions/${id}/bundle`;
}

export function protocolHref(anchor?: string): string {
  return `/protocol${anchor ? `#${anchor}` : ""}`;
}
