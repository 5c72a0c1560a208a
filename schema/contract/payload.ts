// The signed result: an in-toto Statement v1 whose predicate is rethink-bench's result.
import { z } from "zod";
import { Base64, Base64Url, LIMITS, Name, NonNegativeInt, PositiveInt, Sha256Hex, Slug, Timestamp } from "./common.js";
import { RunResult } from "./run.js";
import { DatasetId, Suite } from "./suite.js";

export const STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
export const PREDICATE_TYPE = "https://rethink-bench.org/result/v1";
export const PAYLOAD_TYPE = "application/vnd.in-toto+json";

/** A JSON object of any shape (finite numbers only), such as a TF.js layers topology. */
export const JsonObject = z.record(z.string(), z.json());
export type JsonObject = z.infer<typeof JsonObject>;

/** Height, width and channels of an input image, e.g. [28, 28, 1] for MNIST. */
export const InputShape = z.tuple([PositiveInt.max(4096), PositiveInt.max(4096), PositiveInt.max(64)]);
export type InputShape = z.infer<typeof InputShape>;

/**
 * An architecture as it appears on the board, built for one input shape. Its identity is
 * `fingerprint`, the SHA-256 of the canonical JSON of `topology`: the layers as built
 * without any regularizer (weights excluded), so the same network trained with dropout or
 * weight decay is still the same architecture. One id may appear once per input shape.
 */
export const Architecture = z.strictObject({
  id: Slug,
  name: Name,
  kind: z.enum(["builtin", "layers-json", "builder-module", "kernel"]),
  inputShape: InputShape,
  fingerprint: Sha256Hex,
  parameterCount: NonNegativeInt,
  topology: JsonObject,
});
export type Architecture = z.infer<typeof Architecture>;

/** A file that a dataset was read from, named and digested (a subject of the statement). */
export const DatasetFile = z.strictObject({ name: z.string().min(1).max(200), sha256: Sha256Hex });
export type DatasetFile = z.infer<typeof DatasetFile>;

/** A dataset as a bundle used it: sizes, class count and the digests of its source files. */
export const DatasetRecord = z.strictObject({
  id: DatasetId,
  trainSize: PositiveInt.max(LIMITS.maxExamples),
  testSize: PositiveInt.max(LIMITS.maxExamples),
  classes: PositiveInt.min(2).max(LIMITS.maxClasses),
  shape: InputShape,
  files: z.array(DatasetFile).min(1).max(LIMITS.maxDatasetFiles),
});
export type DatasetRecord = z.infer<typeof DatasetRecord>;

/** Who signed: the raw 32-byte Ed25519 public key (base64url) and its keyid (hex SHA-256 of it). */
export const Submitter = z.strictObject({
  publicKey: Base64Url.length(43),
  keyid: Sha256Hex,
  name: Name.optional(),
});
export type Submitter = z.infer<typeof Submitter>;

/** The software, backend and machine that produced the runs. */
export const Environment = z.strictObject({
  runnerVersion: z.string().min(1).max(40),
  tfjsVersion: z.string().min(1).max(40),
  backend: z.enum(["tensorflow", "wasm", "cpu", "none"]),
  backendDetail: z.string().max(LIMITS.maxName),
  hardware: z.strictObject({
    platform: z.string().min(1).max(40),
    arch: z.string().min(1).max(40),
    cpuModel: z.string().max(LIMITS.maxName),
    cpuCount: PositiveInt.max(4096),
    memoryBytes: NonNegativeInt,
    gpu: z.string().max(LIMITS.maxName).nullable(),
  }),
});
export type Environment = z.infer<typeof Environment>;

/**
 * rethink-bench's predicate: the suite (and its digest), the environment, the submitter,
 * the architectures and datasets, and every run with its curves and predictions.
 */
export const ResultPredicate = z.strictObject({
  suite: Suite,
  suiteDigest: Sha256Hex,
  environment: Environment,
  submitter: Submitter,
  architectures: z.array(Architecture).min(1).max(LIMITS.maxArchitecturesPerBundle),
  datasets: z.array(DatasetRecord).min(1).max(8),
  runs: z.array(RunResult).min(1).max(LIMITS.maxRunsPerBundle),
  createdAt: Timestamp,
});
export type ResultPredicate = z.infer<typeof ResultPredicate>;

/** A subject of the statement: a named artifact and its SHA-256. */
export const Subject = z.strictObject({
  name: z.string().min(1).max(300),
  digest: z.strictObject({ sha256: Sha256Hex }),
});
export type Subject = z.infer<typeof Subject>;

/**
 * An in-toto Statement v1 carrying a rethink-bench result.
 *
 * @example
 * Statement.parse(JSON.parse(payloadText)).predicateType // "https://rethink-bench.org/result/v1"
 */
export const Statement = z.strictObject({
  _type: z.literal(STATEMENT_TYPE),
  subject: z
    .array(Subject)
    .min(1)
    .max(LIMITS.maxArchitecturesPerBundle + 8 * LIMITS.maxDatasetFiles),
  predicateType: z.literal(PREDICATE_TYPE),
  predicate: ResultPredicate,
});
export type Statement = z.infer<typeof Statement>;

/** A DSSE v1 envelope with exactly one Ed25519 signature. */
export const Envelope = z.strictObject({
  payloadType: z.string().max(200),
  payload: Base64,
  signatures: z.array(z.strictObject({ keyid: Sha256Hex, sig: Base64.max(200) })).length(1),
});
export type Envelope = z.infer<typeof Envelope>;
