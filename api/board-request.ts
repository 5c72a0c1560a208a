// Which board a request names: a suite id, a version (the newest this server knows by
// default) and one of that suite's datasets (its first by default). The API and the pages
// both resolve the query string here, so they refuse the same requests for the same reason.
import { z } from "zod";
import { DatasetId, PositiveInt, Slug, SubmissionId, type SuiteRef } from "../schema/index.js";
import { findKnownSuite, type KnownSuite, knownSuiteNames, knownSuites } from "./known-suites.js";

/** The query parameters that name a board, as both the API and the pages parse them. */
export const BoardParams = {
  suite: Slug.default("quick"),
  version: z.coerce.number().pipe(PositiveInt).optional(),
  dataset: DatasetId.optional(),
};

/**
 * `after=<submission id>` on a board or architecture read, page or API: it changes nothing in
 * the answer, but the edge cache keys on the full URL, so a URL with it is read fresh the first
 * time. A submission's receipt links to its boards with its own id here (api/board-links.ts).
 */
export const AfterParam = SubmissionId.optional().describe(
  "a submission id (sub_…). It changes nothing in the answer; it makes the URL its own entry of the edge cache, " +
    "so the first read of it comes from the database. A submission's receipt links to its boards with its id " +
    "here: they show it at once, while other URLs of a board may serve a copy up to 10 seconds old.",
);

export interface BoardRequest {
  suite: string;
  version?: number | undefined;
  dataset?: DatasetId | undefined;
}

/** A board this server ranks, to offer when a request names none of them. */
export interface KnownBoard {
  suite: SuiteRef;
  title: string;
  dataset: DatasetId;
}

/** Why no board answers the request: the query parameter at fault and what is wrong with it. */
export interface BoardRequestError {
  path: "query.suite" | "query.version" | "query.dataset";
  message: string;
}

export type ResolvedBoard =
  | { ok: true; known: KnownSuite; dataset: DatasetId }
  | { ok: false; error: BoardRequestError };

/**
 * The board a request names, or the parameter that names none. Nothing is substituted: a
 * dataset the suite does not have is an error, not the suite's first dataset.
 *
 * @example
 * await resolveBoard({ suite: "quick", dataset: "cifar10" })
 * // { ok: false, error: { path: "query.dataset",
 * //   message: "suite quick v2 has no dataset cifar10 (it has mnist-10k)" } }
 */
export async function resolveBoard(request: BoardRequest): Promise<ResolvedBoard> {
  const known = await findKnownSuite(request.suite, request.version);
  if (!known) {
    // An id the server knows with a version it does not: the version is at fault.
    const idKnown = (await knownSuites()).some((k) => k.suite.id === request.suite);
    const path = idKnown && request.version !== undefined ? "query.version" : "query.suite";
    const named = request.version === undefined ? request.suite : `${request.suite} v${request.version}`;
    const message = `unknown suite ${named}; this server ranks ${await knownSuiteNames()}`;
    return { ok: false, error: { path, message } };
  }
  const { suite } = known;
  const datasets = suite.datasets.map((d) => d.id);
  const dataset = request.dataset ?? datasets[0]!;
  if (!datasets.includes(dataset)) {
    const message = `suite ${suite.id} v${suite.version} has no dataset ${dataset} (it has ${datasets.join(", ")})`;
    return { ok: false, error: { path: "query.dataset", message } };
  }
  return { ok: true, known, dataset };
}

/** Every board this server ranks, in suite order. */
export async function knownBoards(): Promise<KnownBoard[]> {
  return (await knownSuites()).flatMap(({ suite }) =>
    suite.datasets.map((d) => ({ suite: { id: suite.id, version: suite.version }, title: suite.title, dataset: d.id })),
  );
}
