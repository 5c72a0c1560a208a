// Moderation: hiding and showing a submission (its slots classified again, atomically) and the
// public audit trail of every decision.
import { desc, eq, lt } from "drizzle-orm";
import { type ModerationAction, moderationActions, runs, submissions } from "../../../schema/index.js";
import type { Database } from "../client.js";
import { countSubmissionOnBoards, refreshBoardRows } from "./board-rows.js";
import { classifySlots, lockSlots, slotsOfSubmission } from "./slots.js";

/** A row of the audit trail as the API shows it. */
export function toModerationAction(row: typeof moderationActions.$inferSelect): ModerationAction {
  return {
    id: row.id,
    submissionId: row.submissionId,
    architectureFingerprint: row.architectureFingerprint,
    action: row.action,
    previousName: row.previousName,
    name: row.name,
    reason: row.reason,
    reproductionId: row.reproductionId,
    createdAt: row.createdAt.toISOString(),
  };
}

/** A transaction, as moderation runs inside one (its own, or a caller's). */
type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

/**
 * Hides or shows a submission and appends the decision to the audit trail, atomically. Its
 * slots are classified again: hiding a standing result promotes the slot's next visible one
 * (the earliest accepted), showing it again restores the order of acceptance.
 */
export async function moderateSubmission(
  db: Database,
  id: string,
  action: "hide" | "show",
  reason: string,
): Promise<ModerationAction | undefined> {
  return db.transaction((tx) => applyModeration(tx, id, action, reason, null));
}

/**
 * `moderateSubmission` inside a transaction the caller holds: storing an operator's "not
 * reproduced" verdict hides the submission in the same transaction, with the reproduction as
 * evidence (`reproductionId`). Undefined for an unknown submission.
 */
export async function applyModeration(
  tx: Transaction,
  id: string,
  action: "hide" | "show",
  reason: string,
  reproductionId: string | null,
): Promise<ModerationAction | undefined> {
  // The slots before the submission's row, in the order storeReproduction takes them: an admin's
  // hide racing an operator's would otherwise each hold one and wait for the other (a deadlock).
  const slots = await slotsOfSubmission(tx, id);
  await lockSlots(tx, slots);
  // Its status before, locked: the boards' submission counts change only when it really changes.
  const [before] = await tx
    .select({ status: submissions.status })
    .from(submissions)
    .where(eq(submissions.id, id))
    .for("no key update");
  if (!before) return undefined;
  const status = action === "hide" ? "hidden" : "visible";
  await tx.update(submissions).set({ status }).where(eq(submissions.id, id));
  // Roles first: a hidden run may hold none (runs_slot_role_check), and classifySlots sets them again.
  await tx
    .update(runs)
    .set({ visible: action === "show", slotRole: null })
    .where(eq(runs.submissionId, id));
  await classifySlots(tx, slots);
  await refreshBoardRows(tx, slots);
  if (before.status !== status) await countSubmissionOnBoards(tx, id, action === "hide" ? -1 : 1);
  const [row] = await tx
    .insert(moderationActions)
    .values({ submissionId: id, action, reason, reproductionId })
    .returning();
  return toModerationAction(row!);
}

/** The moderation audit trail, newest first; `before` is the id the previous page ended at. */
export async function listModerationActions(
  db: Database,
  page: { limit: number; before?: number },
): Promise<{ actions: ModerationAction[]; next: number | null }> {
  const rows = await db
    .select()
    .from(moderationActions)
    .where(page.before === undefined ? undefined : lt(moderationActions.id, page.before))
    .orderBy(desc(moderationActions.id))
    .limit(page.limit + 1);
  const actions = rows.slice(0, page.limit).map(toModerationAction);
  return { actions, next: rows.length > page.limit ? actions.at(-1)!.id : null };
}
