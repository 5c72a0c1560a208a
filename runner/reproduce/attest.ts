// The reproduction attestation: each reproduced run compared with the original's (schema's
// compareRun, in the mode the two engines imply), signed with the reproducer's key, and
// written atomically next to the results.
import { createHash } from "node:crypto";
import { join, resolve } from "node:path";
import writeFileAtomic from "write-file-atomic";
import {
  compareRun,
  comparisonMode,
  curveDigest,
  type Envelope,
  type Environment,
  originalEngineFields,
  predictionDigests,
  type ReproducedRun,
  type ReproductionPredicate,
  type Signer,
  signReproduction,
} from "../../schema/index.js";
import type { StoredRun } from "../checkpoints.js";
import type { Original } from "./target.js";

/**
 * The predicate for the reproduced runs (`runs`: by position, each a finished run of the
 * original's task): mode from both engines, and for each run the verdict and first divergence,
 * the reproducer's curve and its digests.
 */
export async function buildPredicate(input: {
  original: Original;
  runs: ReadonlyMap<number, StoredRun>;
  environment: Environment;
  signer: Signer;
  name?: string;
  createdAt: Date;
}): Promise<ReproductionPredicate> {
  const result = input.original.statement.predicate;
  const mode = comparisonMode(result.environment, input.environment);
  const runs: ReproducedRun[] = [];
  for (const position of [...input.runs.keys()].sort((a, b) => a - b)) {
    const originalRun = result.runs[position]!;
    const { run } = input.runs.get(position)!;
    const predictions = await predictionDigests(run.predictions);
    const { verdict, firstDivergence } = compareRun(
      originalRun.task,
      {
        status: originalRun.status,
        curve: originalRun.curve,
        predictions: await predictionDigests(originalRun.predictions),
        measures: originalRun.measures,
      },
      { status: run.status, curve: run.curve, predictions, measures: run.measures },
      mode,
    );
    runs.push({
      position,
      task: originalRun.task,
      architectureFingerprint: originalRun.architectureFingerprint,
      verdict,
      firstDivergence,
      status: run.status,
      curve: run.curve,
      curveSha256: await curveDigest(run.curve),
      predictions,
      ...(run.measures && { measures: run.measures }),
    });
  }
  return {
    original: {
      submissionId: input.original.submissionId,
      payloadSha256: input.original.payloadSha256,
      submitterKeyid: result.submitter.keyid,
      suite: { id: result.suite.id, version: result.suite.version },
      backend: result.environment.backend,
      runnerVersion: result.environment.runnerVersion,
      tfjsVersion: result.environment.tfjsVersion,
      // A PyTorch original's engine and machine: whether torch-cpu compares exactly rests on them.
      ...originalEngineFields(result.environment),
    },
    mode,
    environment: input.environment,
    reproducer: {
      publicKey: input.signer.publicKey,
      keyid: input.signer.keyid,
      ...(input.name ? { name: input.name } : {}),
    },
    runs,
    createdAt: input.createdAt.toISOString(),
  };
}

/**
 * Signs the predicate and writes the envelope atomically to
 * `<out>/reproduction-<submission id>-<attestation payload digest, 12 hex>.dsse.json`.
 */
export async function writeAttestation(
  predicate: ReproductionPredicate,
  signer: Signer,
  out: string,
): Promise<{ path: string; envelope: Envelope; payloadSha256: string }> {
  const envelope = await signReproduction(predicate, signer);
  const payloadSha256 = createHash("sha256").update(Buffer.from(envelope.payload, "base64")).digest("hex");
  const path = join(
    resolve(out),
    `reproduction-${predicate.original.submissionId}-${payloadSha256.slice(0, 12)}.dsse.json`,
  );
  await writeFileAtomic(path, `${JSON.stringify(envelope)}\n`);
  return { path, envelope, payloadSha256 };
}
