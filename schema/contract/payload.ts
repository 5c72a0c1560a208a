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
 * Where an architecture came from: a built-in, a TF.js layers model.json, a JS module that
 * builds a TF.js model, a kernel baseline, or (on the PyTorch engine) a Python factory that
 * returns an `nn.Module` ("PyTorch module" on the board).
 *
 * @example
 * ArchitectureKind.options // ["builtin", "layers-json", "builder-module", "kernel", "torch-module"]
 */
export const ArchitectureKind = z.enum(["builtin", "layers-json", "builder-module", "kernel", "torch-module"]);
export type ArchitectureKind = z.infer<typeof ArchitectureKind>;

/**
 * An architecture as it appears on the board, built for one input shape. Its identity is
 * `fingerprint`, the SHA-256 of the canonical JSON of `topology`: the layers as built
 * without any regularizer (weights excluded), so the same network trained with dropout or
 * weight decay is still the same architecture. One id may appear once per input shape.
 * For kind `torch-module`, `topology` is the module description (docs/architectures.md: the
 * module tree with types, constructor hyper-parameters and parameter shapes) and the
 * fingerprint is the SHA-256 of its canonical JSON.
 *
 * @example
 * Architecture.shape.kind.parse("torch-module") // "torch-module"
 */
export const Architecture = z.strictObject({
  id: Slug,
  name: Name,
  kind: ArchitectureKind,
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

/**
 * The training backends: TF.js's (`tensorflow` native, `wasm`, `cpu`), `none` for a bundle
 * that trained nothing (a kernel baseline), and the PyTorch engine's device types.
 *
 * @example
 * Backend.parse("torch-cuda") // "torch-cuda"
 */
export const Backend = z.enum(["tensorflow", "wasm", "cpu", "none", "torch-cpu", "torch-cuda", "torch-mps"]);
export type Backend = z.infer<typeof Backend>;

/**
 * The PyTorch backends, each with the device type its engine record must name.
 *
 * @example
 * TORCH_BACKEND_DEVICES["torch-cuda"] // "cuda"
 */
export const TORCH_BACKEND_DEVICES = { "torch-cpu": "cpu", "torch-cuda": "cuda", "torch-mps": "mps" } as const;

/**
 * Whether a backend is one of the PyTorch engine's (its environment then carries `engine`).
 *
 * @example
 * isTorchBackend("torch-cpu") // true
 * isTorchBackend("wasm") // false
 */
export function isTorchBackend(backend: Backend): backend is keyof typeof TORCH_BACKEND_DEVICES {
  return Object.hasOwn(TORCH_BACKEND_DEVICES, backend);
}

const Version = z.string().min(1).max(60);

/**
 * The PyTorch engine that trained a bundle's runs: the Python worker's torch, Python and numpy
 * versions, CUDA and cuDNN (null on CPU and MPS, or when torch was built without them), the
 * device it trained on and that device's name, the intra-op thread count, and whether
 * `torch.use_deterministic_algorithms(True)` was in force.
 *
 * @example
 * TorchEngine.parse({
 *   name: "torch", torchVersion: "2.5.1", pythonVersion: "3.12.3", numpyVersion: "2.1.3",
 *   cudaVersion: "12.4", cudnnVersion: "9.1.0", device: "cuda:0", deviceName: "NVIDIA H100 80GB HBM3",
 *   threads: 1, deterministic: true,
 * }).device // "cuda:0"
 */
export const TorchEngine = z.strictObject({
  name: z.literal("torch"),
  torchVersion: Version,
  pythonVersion: Version,
  numpyVersion: Version,
  cudaVersion: Version.nullable(),
  cudnnVersion: Version.nullable(),
  device: z.string().regex(/^(?:cpu|mps|cuda:\d{1,3})$/, 'must be "cpu", "mps" or "cuda:N"'),
  deviceName: z.string().max(LIMITS.maxName),
  threads: PositiveInt.max(4096),
  deterministic: z.boolean(),
});
export type TorchEngine = z.infer<typeof TorchEngine>;

/** The machine that ran the training. */
export const Hardware = z.strictObject({
  platform: z.string().min(1).max(40),
  arch: z.string().min(1).max(40),
  cpuModel: z.string().max(LIMITS.maxName),
  cpuCount: PositiveInt.max(4096),
  memoryBytes: NonNegativeInt,
  gpu: z.string().max(LIMITS.maxName).nullable(),
});
export type Hardware = z.infer<typeof Hardware>;

/**
 * The software, backend and machine that produced the runs. `tfjsVersion` is always there: on
 * the PyTorch engine it is the TF.js that built the canonical topologies on the Node side.
 * `engine` is present exactly for the torch-* backends (absent means TF.js, so bundles from
 * before the PyTorch engine stay valid); the server checks that the two agree
 * (`checkEnvironment`).
 */
export const Environment = z.strictObject({
  runnerVersion: z.string().min(1).max(40),
  tfjsVersion: z.string().min(1).max(40),
  backend: Backend,
  backendDetail: z.string().max(LIMITS.maxName),
  engine: TorchEngine.optional(),
  hardware: Hardware,
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
