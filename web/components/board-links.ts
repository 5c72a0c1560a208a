// The boards a page can switch between: every suite version × dataset this server ranks,
// with how many architectures and submissions each has.
import type { DatasetId, SuiteRef } from "../../schema/index.js";
import { plural } from "../format.js";
import type { BoardRef } from "../urls.js";
import type { BoardLink } from "./parts.js";

export interface BoardCount {
  suite: SuiteRef;
  /** The suite's title, e.g. "Quick sweep". */
  title: string;
  dataset: DatasetId;
  architectures: number;
  submissions: number;
}

export function sameBoard(a: BoardRef, b: { suite: SuiteRef; dataset: string }): boolean {
  return a.suite === b.suite.id && a.version === b.suite.version && a.dataset === b.dataset;
}

/** Links to every board, the current one marked, each described by its counts. */
export function boardLinks(
  counts: readonly BoardCount[],
  current: BoardRef,
  href: (board: BoardRef) => string,
): BoardLink[] {
  return counts.map((count) => {
    const board = { suite: count.suite.id, version: count.suite.version, dataset: count.dataset };
    return {
      suite: count.suite,
      title: count.title,
      dataset: count.dataset,
      href: href(board),
      current: sameBoard(current, count),
      meta: count.architectures === 0 ? "no results yet" : plural(count.architectures, "architecture"),
      empty: count.architectures === 0,
    };
  });
}
