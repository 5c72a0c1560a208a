// Moderation's bodies: hiding and showing a submission, renaming an architecture, and the
// public audit trail of both.
import { z } from "zod";
import { SubmissionId } from "./api.js";
import { LIMITS, Name, PositiveInt, Sha256Hex, Timestamp } from "./common.js";
import { ReproductionId } from "./reproduction.js";

/** A moderation decision: hide or show a submission again, always with a reason. */
export const ModerationRequest = z
  .strictObject({ action: z.enum(["hide", "show"]), reason: z.string().trim().min(1).max(LIMITS.maxText) })
  .meta({ id: "ModerationRequest" });
export type ModerationRequest = z.infer<typeof ModerationRequest>;

/**
 * A moderator's new display name for an architecture, with a reason. The name an architecture
 * shows comes from its first accepted submission; only this changes it.
 *
 * @example
 * ArchitectureRenameRequest.parse({ name: "MLP 1×512", reason: "the submitted name impersonated another model" })
 */
export const ArchitectureRenameRequest = z
  .strictObject({ name: Name, reason: ModerationRequest.shape.reason })
  .meta({ id: "ArchitectureRenameRequest" });
export type ArchitectureRenameRequest = z.infer<typeof ArchitectureRenameRequest>;

/**
 * One entry of the moderation audit trail: a submission hidden or shown (`submissionId`), or
 * an architecture renamed (`architectureFingerprint`, with `previousName` and `name`).
 */
export const ModerationAction = z
  .strictObject({
    id: PositiveInt,
    submissionId: SubmissionId.nullable(),
    architectureFingerprint: Sha256Hex.nullable(),
    action: z.enum(["hide", "show", "rename"]),
    previousName: z.string().nullable(),
    name: z.string().nullable(),
    reason: z.string(),
    /** The operator reproduction whose "not reproduced" verdict hid the submission; null for a moderator's action. */
    reproductionId: ReproductionId.nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: "ModerationAction" });
export type ModerationAction = z.infer<typeof ModerationAction>;

/** `GET /moderation`: the public audit trail, newest first. */
export const ModerationLog = z
  .strictObject({ actions: z.array(ModerationAction), nextCursor: z.string().nullable() })
  .meta({ id: "ModerationLog" });
export type ModerationLog = z.infer<typeof ModerationLog>;
