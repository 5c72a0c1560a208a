// Result bundles: build and sign an in-toto statement, and open (verify) a DSSE envelope
// with a precise reason for every way it can be wrong. Runner, API and CLI share this.
import { decodeClasses } from "./bytes.js";
import { canonicalJson } from "./canonical.js";
import {
  type Envelope,
  expandSuite,
  PREDICATE_TYPE,
  type ResultPredicate,
  STATEMENT_TYPE,
  Statement,
  type Subject,
  type Task,
  taskKey,
} from "./contract/index.js";
import { duplicateTaskKeys, findDerivedMismatches } from "./derive.js";
import { canonicalDigest } from "./digest.js";
import type { Signer } from "./dsse.js";
import { checkArchitectureEngines, checkEnvironment } from "./environment-checks.js";
import { fail, openSigned, type PathError, type Refused, schemaFailure, signStatement } from "./signed-statement.js";
import { architectureInputShape, modelInputShape } from "./topology/input-shape.js";

export type OpenedBundle =
  | {
      ok: true;
      envelope: Envelope;
      statement: Statement;
      /** Lowercase hex SHA-256 of the signed payload bytes: the bundle's content address. */
      payloadSha256: string;
      keyid: string;
    }
  | Refused;

/** The subjects a predicate must name: each architecture topology and each dataset file. */
export function subjectsOf(predicate: ResultPredicate): Subject[] {
  return [
    ...predicate.architectures.map((a) => ({
      name: `architecture:${a.id}@${a.inputShape.join("x")}`,
      digest: { sha256: a.fingerprint },
    })),
    ...predicate.datasets.flatMap((d) =>
      d.files.map((f) => ({ name: `dataset:${d.id}/${f.name}`, digest: { sha256: f.sha256 } })),
    ),
  ];
}

/**
 * Wraps a predicate in an in-toto statement and signs it into a DSSE envelope. Throws if
 * the predicate is not a valid, self-consistent result: the runner never writes a bundle
 * that `openBundle` would refuse.
 *
 * @example
 * const envelope = await signResult(predicate, signer)
 */
export function signResult(predicate: ResultPredicate, signer: Signer): Promise<Envelope> {
  return signStatement({
    what: "result",
    keyField: "submitter",
    key: predicate.submitter,
    predicate,
    signer,
    parse: () =>
      Statement.parse({
        _type: STATEMENT_TYPE,
        subject: subjectsOf(predicate),
        predicateType: PREDICATE_TYPE,
        predicate,
      }),
    check: checkConsistency,
  });
}

/** Parses and verifies a bundle file's text. */
export function openBundle(text: string): Promise<OpenedBundle> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return Promise.resolve(fail("bad-json", `the file is not JSON: ${(error as Error).message}`));
  }
  return openEnvelope(value);
}

/**
 * Verifies a parsed DSSE envelope carrying a result: shape, payload type, signature by the key
 * the predicate names (keyid = SHA-256 of that key), canonical form, the strict schema, and
 * the consistency of every digest and derived metric.
 *
 * @example
 * const opened = await openEnvelope(body); if (!opened.ok) console.error(opened.code, opened.detail)
 */
export async function openEnvelope(value: unknown): Promise<OpenedBundle> {
  const signed = await openSigned(value, PREDICATE_TYPE);
  if (!signed.ok) return signed;
  const statement = Statement.safeParse(signed.parsed);
  if (!statement.success) return schemaFailure(statement.error);
  const problems = await checkConsistency(statement.data);
  if (problems.length > 0) return fail("inconsistent", `${problems[0]!.path}: ${problems[0]!.message}`, problems);
  return {
    ok: true,
    envelope: signed.envelope,
    statement: statement.data,
    payloadSha256: signed.payloadSha256,
    keyid: signed.keyid,
  };
}

/**
 * Everything a valid statement's parts must agree on: the backend and the engine record (and
 * the engine that trained a PyTorch module), digests of the suite and topologies, the subjects,
 * runs that belong to the suite, predictions of the right length, and derived metrics equal to
 * their recomputation from the curves.
 */
async function checkConsistency(statement: Statement): Promise<PathError[]> {
  const { predicate } = statement;
  const errors: PathError[] = [
    ...checkEnvironment(predicate.environment, "predicate.environment"),
    ...checkArchitectureEngines(predicate.architectures, predicate.environment, "predicate"),
  ];
  const add = (path: string, message: string) => errors.push({ path: `predicate.${path}`, message });

  const suiteDigest = await canonicalDigest(predicate.suite);
  if (predicate.suiteDigest !== suiteDigest)
    add("suiteDigest", `is not the SHA-256 of the suite's canonical JSON (${suiteDigest})`);

  const architectureIds = new Set<string>();
  const architectures = new Map<string, (typeof predicate.architectures)[number]>();
  for (const [i, architecture] of predicate.architectures.entries()) {
    const key = `${architecture.id}@${architecture.inputShape.join("x")}`;
    if (architectures.has(key) || [...architectures.values()].some((a) => a.fingerprint === architecture.fingerprint)) {
      add(`architectures[${i}]`, `${key} appears twice`);
    }
    architectures.set(key, architecture);
    architectureIds.add(architecture.id);
    const fingerprint = await canonicalDigest(architecture.topology);
    if (architecture.fingerprint !== fingerprint)
      add(`architectures[${i}].fingerprint`, `is not the SHA-256 of the topology's canonical JSON (${fingerprint})`);
  }
  const datasets = new Map(predicate.datasets.map((d) => [d.id, d]));
  if (datasets.size !== predicate.datasets.length) add("datasets", "names a dataset twice");

  if (canonicalJson(statement.subject) !== canonicalJson(subjectsOf(predicate))) {
    errors.push({
      path: "subject",
      message: "must name exactly each architecture (by fingerprint) and each dataset file (by SHA-256)",
    });
  }

  // A run must be a task of the suite: for the suite's own architectures exactly as the
  // suite defines it, for a user-supplied architecture the suite's grid with its id. Tasks are
  // compared with the seed set aside: whether a seed is one the suite lists is the server's
  // protocol check (checkProtocol), so that `verify` still opens any honest bundle.
  const userArchitectures = [...architectureIds].filter(
    (id) => !predicate.suite.architectures.some((a) => a.id === id),
  );
  const withoutSeed = (task: Task) => canonicalJson({ ...task, seed: 0 });
  const suiteTasks = new Set(
    [
      ...expandSuite(predicate.suite, { seeds: [0] }),
      ...(userArchitectures.length
        ? expandSuite(predicate.suite, { architectures: userArchitectures, seeds: [0] })
        : []),
    ].map(withoutSeed),
  );
  for (const [i, run] of predicate.runs.entries()) {
    if (!suiteTasks.has(withoutSeed(run.task)))
      add(
        `runs[${i}].task`,
        `${taskKey(run.task)} is not a task of suite ${predicate.suite.id} v${predicate.suite.version}`,
      );
    const dataset = datasets.get(run.task.dataset.id);
    if (!dataset) {
      add(`runs[${i}].task.dataset`, `"${run.task.dataset.id}" is not among the bundle's datasets`);
    } else {
      // An architecture is identified by the shape it is built at: a network trained on CIFAR-10
      // sees the 28×28 crop, the kernel baseline the whole 32×32 image.
      const architecture = [...architectures.values()].find(
        (a) =>
          a.id === run.task.architecture &&
          a.inputShape.join("x") === architectureInputShape(a.kind, dataset.shape).join("x"),
      );
      const builtAt = architecture?.inputShape.join("x") ?? modelInputShape(dataset.shape).join("x");
      if (!architecture)
        add(
          `runs[${i}].task.architecture`,
          `"${run.task.architecture}" for ${dataset.id} (input ${builtAt}) is not among the bundle's architectures`,
        );
      else if (architecture.fingerprint !== run.architectureFingerprint)
        add(
          `runs[${i}].architectureFingerprint`,
          `is not the fingerprint of ${run.task.architecture} for input ${builtAt}`,
        );
      if (dataset.trainSize !== run.task.dataset.trainSize || dataset.testSize !== run.task.dataset.testSize) {
        add(`runs[${i}].task.dataset`, `sizes differ from the bundle's ${dataset.id} record`);
      }
      if (!run.predictions) continue;
      if (!decodeClasses(run.predictions.train, dataset.trainSize))
        add(`runs[${i}].predictions.train`, `must encode ${dataset.trainSize} classes`);
      if (!decodeClasses(run.predictions.test, dataset.testSize))
        add(`runs[${i}].predictions.test`, `must encode ${dataset.testSize} classes`);
    }
  }
  for (const key of duplicateTaskKeys(predicate.runs)) add("runs", `task ${key} appears more than once`);
  for (const m of findDerivedMismatches(predicate.runs))
    add(m.path, `claims ${m.claimed}, but the curves give ${m.expected}`);
  return errors;
}
