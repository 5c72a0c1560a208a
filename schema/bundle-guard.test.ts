// Validly signed payloads whose raw structure is hostile are refused before the schema reads
// them, and a CIFAR-10 result (architectures built at the 28×28 crop) signs and opens.
import { describe, expect, it } from "vitest";
import { describeArchitecture, loadArchitecture } from "../runner/models/index.js";
import { kernelArchitecture } from "../runner/science/kernel-run.js";
import { makePredicate, newSigner, signText } from "../tests/fixtures/bundles.js";
import {
  canonicalJson,
  findSuite,
  MAX_PAYLOAD_DEPTH,
  openEnvelope,
  PREDICATE_TYPE,
  type ResultPredicate,
  type Signer,
  STATEMENT_TYPE,
  signResult,
  subjectsOf,
} from "./index.js";

/** Signs payload text as given: canonical JSON of the statement, with `edit` applied to the text. */
function signEdited(predicate: ResultPredicate, signer: Signer, edit: (text: string) => string = (t) => t) {
  const statement = { _type: STATEMENT_TYPE, subject: subjectsOf(predicate), predicateType: PREDICATE_TYPE, predicate };
  return signText(edit(canonicalJson(statement)), signer);
}

async function refusal(envelope: Awaited<ReturnType<typeof signText>>) {
  const opened = await openEnvelope(envelope);
  if (opened.ok) throw new Error("the bundle was accepted");
  return { code: opened.code, paths: opened.errors.map((e) => e.path), detail: opened.detail };
}

describe("openEnvelope refuses hostile structure before the schema reads it", () => {
  it("accepts the unedited payload that the cases below edit", async () => {
    const signer = await newSigner();
    expect(await openEnvelope(await signEdited(await makePredicate(signer), signer))).toMatchObject({ ok: true });
  });

  it("refuses __proto__, constructor and prototype keys in a topology", async () => {
    const signer = await newSigner();
    const predicate = await makePredicate(signer);
    for (const key of ["__proto__", "constructor", "prototype"]) {
      // Written into the signed text: an object literal cannot hold an own `__proto__` key.
      const envelope = await signEdited(predicate, signer, (text) =>
        text.replace('"topology":{', `"topology":{"${key}":{"units":1},`),
      );
      expect(await refusal(envelope)).toMatchObject({
        code: "hostile-structure",
        paths: [`predicate.architectures[0].topology.${key}`],
      });
    }
  });

  it(`refuses a topology nested 3,000 deep (over ${MAX_PAYLOAD_DEPTH}) without overflowing the stack`, async () => {
    const signer = await newSigner();
    const predicate = await makePredicate(signer);
    const deep = `${"[".repeat(3000)}${"]".repeat(3000)}`;
    const envelope = await signEdited(predicate, signer, (text) =>
      text.replace('"topology":{', `"topology":{"a":${deep},`),
    );
    const refused = await refusal(envelope);
    expect(refused.code).toBe("hostile-structure");
    // statement (level 1) → predicate → architectures → [0] → topology → a (level 6): 59 more arrays reach level 65.
    expect(refused.paths[0]).toBe(`predicate.architectures[0].topology.a${"[0]".repeat(MAX_PAYLOAD_DEPTH - 5)}`);
  });

  it("accepts nesting at the limit", async () => {
    const signer = await newSigner();
    const predicate = await makePredicate(signer);
    const depth = MAX_PAYLOAD_DEPTH - 5; // levels 6 … 64
    const nested = `${"[".repeat(depth)}${"]".repeat(depth)}`;
    const edit = (text: string) => text.replace('"topology":{', `"topology":{"a":${nested},`);
    // Accepted by the guard; the fingerprint then no longer matches, so consistency is what refuses it.
    expect(await refusal(await signEdited(predicate, signer, edit))).toMatchObject({ code: "inconsistent" });
  });

  it("refuses names and hardware strings with bidi overrides, zero-width or control characters", async () => {
    const signer = await newSigner();
    const cases: Array<[Parameters<typeof makePredicate>[1], string]> = [
      [{ architectures: [{ id: "my-net", name: "MLP \u202Egnp.exe" }] }, "predicate.architectures[0].name"],
      [{ submitterName: "ad\u200Bmin" }, "predicate.submitter.name"],
      [{ hardware: { cpuModel: "Xeon\u2066 fast" } }, "predicate.environment.hardware.cpuModel"],
      [{ hardware: { gpu: "H100\uFEFF" } }, "predicate.environment.hardware.gpu"],
      [{ hardware: { platform: "linux\u0007" } }, "predicate.environment.hardware.platform"],
    ];
    for (const [options, path] of cases) {
      const envelope = await signEdited(await makePredicate(signer, options), signer);
      expect(await refusal(envelope), path).toMatchObject({ code: "bad-name", paths: [path] });
    }
    await expect(signResult(await makePredicate(signer, { submitterName: "a\u202Eb" }), signer)).rejects.toThrow(
      /U\+202E/,
    );
  });
});

describe("CIFAR-10 results", () => {
  /** A one-run standard-suite predicate on cifar10 whose architectures are the runner's own descriptions. */
  async function cifarPredicate(signer: Signer): Promise<ResultPredicate> {
    const suite = findSuite("standard")!;
    const predicate = structuredClone(
      await makePredicate(signer, { suite, corruptions: ["true"], regularizers: ["none"], seeds: [0] }),
    );
    const mlp = await describeArchitecture(
      await loadArchitecture({ kind: "builtin", id: "mlp-1x512" }),
      [32, 32, 3],
      10,
    );
    predicate.datasets = predicate.datasets.filter((d) => d.id === "cifar10");
    predicate.runs = predicate.runs
      .filter((r) => r.task.dataset.id === "cifar10")
      .map((run) => ({ ...run, architectureFingerprint: mlp.fingerprint }));
    predicate.architectures = [mlp];
    expect(predicate.runs).toHaveLength(1);
    return predicate;
  }

  it("signs and opens a network described at the 28×28×3 crop it is built at", async () => {
    const signer = await newSigner();
    const predicate = await cifarPredicate(signer);
    expect(predicate.architectures[0]!.inputShape).toEqual([28, 28, 3]);
    expect(await openEnvelope(await signResult(predicate, signer))).toMatchObject({ ok: true });
  });

  it("refuses a network recorded at the uncropped 32×32×3", async () => {
    const signer = await newSigner();
    const predicate = await cifarPredicate(signer);
    predicate.architectures[0]!.inputShape = [32, 32, 3];
    await expect(signResult(predicate, signer)).rejects.toThrow(/runs\[0\]\.task\.architecture/);
  });

  it("signs and opens the kernel baseline, which compares whole 32×32×3 images", async () => {
    const signer = await newSigner();
    const predicate = await cifarPredicate(signer);
    const kernel = await kernelArchitecture([32, 32, 3], 10, 10000, 0.02);
    predicate.architectures = [kernel];
    predicate.runs = predicate.runs.map((run) => ({
      ...run,
      task: { ...run.task, architecture: kernel.id },
      architectureFingerprint: kernel.fingerprint,
    }));
    expect(await openEnvelope(await signResult(predicate, signer))).toMatchObject({ ok: true });
  });
});
