// The submission routes' bodies: the receipt of `POST /submissions`, the list, one submission
// with its envelope and moderation history, and its runs as its page lists them.
import { z } from "zod";
import { SlotRole, SubmissionId, SubmissionStatus, SuiteRef, Verification } from "./api.js";
import { Name, NonNegativeInt, Sha256Hex, Slug, Timestamp } from "./common.js";
import { ModerationAction } from "./moderation.js";
import { Architecture, Envelope, Environment, TorchEngine } from "./payload.js";
import { RunReproductions } from "./reproduction.js";
import { DerivedMetrics } from "./run.js";
import { Corruption, DatasetId } from "./suite.js";

/**
 * A board a submission's runs are on, linked so that it shows the submission at once: paths on
 * the server (page and API) whose `after=<submission id>` makes them a fresh read of the board.
 *
 * @example
 * ReceiptBoard.parse({ dataset: "synthetic", page: "/?suite=smoke&version=1&dataset=synthetic&verified=all&after=sub_…",
 *   api: "/api/v1/leaderboard?suite=smoke&version=1&dataset=synthetic&verified=all&after=sub_…" })
 */
export const ReceiptBoard = z
  .strictObject({
    dataset: DatasetId,
    page: z.string().describe("the board page, a path on this server, with after=<submission id>"),
    api: z.string().describe("the same board as JSON (GET /api/v1/leaderboard), with after=<submission id>"),
  })
  .meta({ id: "ReceiptBoard" });
export type ReceiptBoard = z.infer<typeof ReceiptBoard>;

/**
 * The answer to `POST /submissions`: 201 when this request stored the bundle, 200 with the
 * same id when it was already there. `boards` says where it shows at once, one per dataset.
 *
 * @example
 * SubmissionReceipt.parse(await response.json()).id // "sub_3f2a…"
 */
export const SubmissionReceipt = z
  .strictObject({
    id: SubmissionId,
    payloadSha256: Sha256Hex,
    created: z.boolean(),
    status: SubmissionStatus,
    suite: SuiteRef,
    architectures: z.array(Sha256Hex),
    runs: NonNegativeInt,
    /** The submission's path on this server. */
    location: z.string(),
    /** The boards its runs are on, in suite order, linked to show it at once (ReceiptBoard). */
    boards: z.array(ReceiptBoard),
  })
  .meta({ id: "SubmissionReceipt" });
export type SubmissionReceipt = z.infer<typeof SubmissionReceipt>;

/** A submission as lists show it. */
export const SubmissionSummary = z
  .strictObject({
    id: SubmissionId,
    payloadSha256: Sha256Hex,
    submitter: z.strictObject({ keyid: Sha256Hex, name: Name.nullable() }),
    suite: SuiteRef,
    runnerVersion: z.string(),
    tfjsVersion: z.string(),
    backend: Environment.shape.backend,
    backendDetail: z.string(),
    hardware: Environment.shape.hardware,
    /** The PyTorch engine that trained it (torch, CUDA and cuDNN versions, device); null for TF.js. */
    engine: TorchEngine.nullable(),
    architectures: z.array(Sha256Hex),
    runs: NonNegativeInt,
    createdAt: Timestamp,
    receivedAt: Timestamp,
    status: SubmissionStatus,
  })
  .meta({ id: "SubmissionSummary" });
export type SubmissionSummary = z.infer<typeof SubmissionSummary>;

/** `GET /submissions`: newest first. */
export const SubmissionList = z
  .strictObject({ submissions: z.array(SubmissionSummary), nextCursor: z.string().nullable() })
  .meta({ id: "SubmissionList" });
export type SubmissionList = z.infer<typeof SubmissionList>;

/**
 * `GET /submissions/{id}`: everything stored about a submission, including the envelope
 * exactly as verified, so anyone can check the signature again.
 */
export const SubmissionDetail = SubmissionSummary.extend({
  publicKey: z.string(),
  envelope: Envelope,
  moderation: z.array(ModerationAction),
  /** Whether operator reproducers reproduced its standing results exactly. */
  verification: Verification,
  /** Stored reproductions of it (`GET /submissions/{id}/reproductions` lists them). */
  reproductions: NonNegativeInt,
}).meta({ id: "SubmissionDetail" });
export type SubmissionDetail = z.infer<typeof SubmissionDetail>;

/** One run of a submission as its page lists it: its architecture by name, curves and predictions left out. */
export const SubmissionRun = z.strictObject({
  position: NonNegativeInt,
  architecture: z.strictObject({ fingerprint: Sha256Hex, id: Slug, name: Name, kind: Architecture.shape.kind }),
  suite: SuiteRef,
  dataset: DatasetId,
  corruption: Corruption,
  regularizer: Slug,
  seed: NonNegativeInt,
  status: z.enum(["ok", "failed"]),
  failure: z.string().nullable(),
  /** Its place in its slot; null while the submission is hidden. */
  slotRole: SlotRole.nullable(),
  /** Its reproductions by other keys, and whether an operator reproduced it exactly. */
  reproductions: RunReproductions,
  derived: DerivedMetrics,
});
export type SubmissionRun = z.infer<typeof SubmissionRun>;
