// The suites this server ranks ("known"), with the digests a bundle's suite must match.
import { canonicalDigest, findSuite, SUITES, type Suite } from "../schema/index.js";

export interface KnownSuite {
  suite: Suite;
  digest: string;
}

let known: Promise<KnownSuite[]> | undefined;

/** Every known suite and its digest (computed once). */
export function knownSuites(): Promise<KnownSuite[]> {
  known ??= Promise.all(SUITES.map(async (suite) => ({ suite, digest: await canonicalDigest(suite) })));
  return known;
}

/** A suite by id and version; without a version, the newest version of that id. */
export async function findKnownSuite(id: string, version?: number): Promise<KnownSuite | undefined> {
  const suite = findSuite(id, version);
  return (await knownSuites()).find((k) => k.suite === suite);
}

/** "smoke v1, quick v1, …", for error messages. */
export async function knownSuiteNames(): Promise<string> {
  return (await knownSuites()).map((k) => `${k.suite.id} v${k.suite.version}`).join(", ");
}
