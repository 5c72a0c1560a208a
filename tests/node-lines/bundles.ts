// Where each Node.js line's smoke bundle is kept for comparison, and what of a bundle must be
// the same on every line: each run's curves without wall times, its derived figures without
// wall time, its predictions, and its complexity measures without their cost in seconds.
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The folder scripts/node-lines.sh gives every line's run (RB_NODE_LINES_BUNDLES). */
export function bundleDir(): string {
  return process.env.RB_NODE_LINES_BUNDLES ?? join(tmpdir(), "rb-node-lines");
}

/** The file the smoke run on Node `version` leaves its bundle in. */
export const bundleFile = (dir: string, version: string) => join(dir, `node-${version}.dsse.json`);

interface Run {
  task: unknown;
  architectureFingerprint: string;
  status: string;
  curve: Record<string, unknown>[];
  derived: Record<string, unknown>;
  predictions: unknown;
  measures?: Record<string, unknown>;
}

/** A bundle file's runs as they must agree across Node lines: wall-clock seconds left out. */
export function comparableRuns(file: string): unknown[] {
  const envelope = JSON.parse(readFileSync(file, "utf8")) as { payload: string };
  const statement = JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8")) as {
    predicate: { runs: Run[] };
  };
  return statement.predicate.runs.map(({ curve, derived, measures, ...run }) => {
    const { wallSeconds: _derivedWall, ...figures } = derived;
    const { seconds: _cost, ...measured } = measures ?? {};
    return {
      ...run,
      derived: figures,
      curve: curve.map(({ wallSeconds: _wall, ...point }) => point),
      measures: measured,
    };
  });
}
