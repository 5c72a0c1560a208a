// A validly signed bundle is still refused when its parts disagree with each other.
import { describe, expect, it } from "vitest";
import { makePredicate, newSigner, signRaw } from "../tests/fixtures/bundles.js";
import { openBundle, openEnvelope, type ResultPredicate, signResult, subjectsOf } from "./index.js";

async function inconsistency(
  mutate: (p: ResultPredicate) => void,
  subject?: (p: ResultPredicate) => ReturnType<typeof subjectsOf>,
) {
  const signer = await newSigner();
  const predicate = structuredClone(await makePredicate(signer, { seeds: [0] }));
  mutate(predicate);
  const opened = await openEnvelope(await signRaw(predicate, signer, subject?.(predicate)));
  expect(opened.ok).toBe(false);
  if (opened.ok) throw new Error("unreachable");
  expect(opened.code).toBe("inconsistent");
  return opened.errors.map((e) => e.path);
}

describe("bundle consistency", () => {
  it("accepts a consistent bundle from its file text", async () => {
    const signer = await newSigner();
    const envelope = await signResult(await makePredicate(signer), signer);
    expect(await openBundle(JSON.stringify(envelope, null, 2))).toMatchObject({ ok: true, keyid: signer.keyid });
    expect(await openBundle("{")).toMatchObject({ ok: false, code: "bad-json" });
  });

  it("leaves seeds to the server's protocol check: a signed bundle may hold a seed outside its suite's", async () => {
    const signer = await newSigner();
    const predicate = structuredClone(await makePredicate(signer, { seeds: [0] }));
    for (const run of predicate.runs) run.task.seed = 7;
    expect(await openEnvelope(await signRaw(predicate, signer))).toMatchObject({ ok: true });
  });

  it("refuses claimed metrics that disagree with the curves", async () => {
    expect(await inconsistency((p) => (p.runs[1]!.derived.stepsToFit = 1))).toEqual([
      "predicate.runs[1].derived.stepsToFit",
    ]);
  });

  it("refuses a wrong suite digest, a wrong topology fingerprint and missing subjects", async () => {
    expect(await inconsistency((p) => (p.suiteDigest = "0".repeat(64)))).toEqual(["predicate.suiteDigest"]);
    expect(await inconsistency((p) => ((p.architectures[0]!.topology as Record<string, unknown>).extra = 1))).toContain(
      "predicate.architectures[0].fingerprint",
    );
    expect(
      await inconsistency(
        () => undefined,
        (p) => subjectsOf(p).slice(1),
      ),
    ).toEqual(["subject"]);
  });

  it("refuses runs that are not tasks of the suite, duplicated runs, and wrongly sized predictions", async () => {
    expect(await inconsistency((p) => (p.runs[0]!.task.optimizer.learningRate = 0.5))).toContain(
      "predicate.runs[0].task",
    );
    expect(await inconsistency((p) => p.runs.push(structuredClone(p.runs[0]!)))).toContain("predicate.runs");
    expect(await inconsistency((p) => (p.runs[0]!.predictions!.test = "AAAA"))).toEqual([
      "predicate.runs[0].predictions.test",
    ]);
    expect(await inconsistency((p) => (p.runs[1]!.architectureFingerprint = "b".repeat(64)))).toEqual([
      "predicate.runs[1].architectureFingerprint",
    ]);
    expect(await inconsistency((p) => (p.architectures[0]!.inputShape = [32, 32, 3]))).toEqual([
      "predicate.runs[0].task.architecture",
      "predicate.runs[1].task.architecture",
    ]);
  });

  it("signResult refuses to sign an inconsistent or foreign predicate", async () => {
    const signer = await newSigner();
    const predicate = await makePredicate(signer);
    await expect(signResult({ ...predicate, suiteDigest: "0".repeat(64) }, signer)).rejects.toThrow(/suiteDigest/);
    await expect(signResult(predicate, await newSigner())).rejects.toThrow(/not the signing key/);
  });
});
