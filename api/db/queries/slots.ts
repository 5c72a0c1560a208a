// Slots (DESIGN §5): each (architecture fingerprint, task, seed) has one standing result, the
// first accepted visible run; later visible runs of the slot confirm, contest or replicate it.
// Storing and moderation both end by classifying the slots they touched, under a per-slot lock,
// so two submissions of one slot at once cannot both stand (a unique partial index backs this).
import { eq, type SQL, sql } from "drizzle-orm";
import { runs, submissions } from "../../../schema/index.js";
import type { Database } from "../client.js";

/** A database or a transaction: what the statements below run on. */
type Executor = Pick<Database, "execute" | "selectDistinct">;

/** Slots per statement: a bound parameter each, far below Postgres's 65,535. */
const SLOTS_PER_STATEMENT = 1000;

/** `items` in consecutive runs of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `keys` as one bound text[] parameter list. */
export function textArray(keys: readonly string[]): SQL {
  return sql`array[${sql.join(
    keys.map((k) => sql`${k}`),
    sql`, `,
  )}]::text[]`;
}

/**
 * Takes a transaction-scoped advisory lock on each slot, in one global order (by hash) so two
 * transactions never wait on each other crosswise. Held until commit: whoever locks a slot
 * second reads the first one's committed runs afterwards (READ COMMITTED takes a new snapshot
 * per statement) and classifies against them.
 */
export async function lockSlots(tx: Executor, keys: readonly string[]): Promise<void> {
  const unique = [...new Set(keys)];
  if (unique.length === 0) return;
  // hashtextextended: a 64-bit hash, so distinct slots rarely share a lock (if they do, they
  // only wait for each other). One statement, ordered, for all of them.
  await tx.execute(
    sql`select pg_advisory_xact_lock(h) from (
          select distinct hashtextextended(k, 0) as h from unnest(${textArray(unique)}) as k order by h
        ) as ordered_locks`,
  );
}

/**
 * Gives every run of these slots its role: among the visible runs by acceptance (run id), the
 * first stands; a later run on the same backend with the same outcome digest confirms it, on
 * the same backend otherwise contests it (replicates it on native TensorFlow and PyTorch on CUDA
 * or MPS, which promise no bit-for-bit equality, and on PyTorch on CPU unless the torch version,
 * thread count and CPU model are the standing run's too), and on another backend replicates it;
 * hidden runs have none. Only rows whose role changes are written, in two steps (clear, then set) so the
 * one-standing-per-slot index never sees two at once. Call with the slots locked.
 */
export async function classifySlots(tx: Executor, keys: readonly string[]): Promise<void> {
  for (const part of chunks([...new Set(keys)], SLOTS_PER_STATEMENT)) {
    const wanted = sql`wanted as (
      select id, case
          when n = 1 then 'standing'
          when backend <> standing_backend then 'replicate'
          when outcome_sha256 = standing_outcome then 'confirmation'
          -- Native TensorFlow promises no bit-for-bit equality (docs/determinism.md): two honest
          -- results of one slot may differ there, which is no evidence against either.
          -- So do PyTorch on CUDA and MPS, and on CPU another torch, thread count or CPU model.
          when backend in ('tensorflow', 'torch-cuda', 'torch-mps') then 'replicate'
          when engine <> standing_engine then 'replicate'
          else 'contest'
        end as role
      from (
        select id, backend, outcome_sha256,
          first_value(backend) over w as standing_backend,
          first_value(outcome_sha256) over w as standing_outcome,
          engine, first_value(engine) over w as standing_engine,
          row_number() over w as n
        from (${engineKeyed(part)}) as keyed
        window w as (partition by slot order by id)
      ) as ordered
    )`;
    const changed = sql`select r.id, w.role from ${runs} r left join wanted w on w.id = r.id
      where r.slot = any(${textArray(part)}) and r.slot_role is distinct from w.role`;
    const stale = sql`${runs.id} = changed.id and ${runs.slotRole} is not null`;
    await tx.execute(
      sql`with ${wanted}, changed as (${changed})
          update ${runs} set slot_role = null from changed where ${stale}`,
    );
    await tx.execute(
      sql`with ${wanted}
          update ${runs} set slot_role = wanted.role from wanted
          where ${runs.id} = wanted.id and ${runs.slotRole} is distinct from wanted.role`,
    );
  }
}

/**
 * The visible runs of these slots with what makes two torch-cpu runs the same engine (torch
 * version, threads, CPU model; schema's comparisonMode): '' for every other backend.
 */
function engineKeyed(slots: readonly string[]): SQL {
  const torchCpuKey = sql`concat_ws('/', s.engine->>'torchVersion', s.engine->>'threads', s.hardware->>'cpuModel')`;
  return sql`select r.id, r.slot, r.backend, r.outcome_sha256,
      case when r.backend = 'torch-cpu' then ${torchCpuKey} else '' end as engine
    from ${runs} r join ${submissions} s on s.id = r.submission_id
    where r.slot = any(${textArray(slots)}) and r.visible`;
}

/** The slots of a submission's runs. */
export async function slotsOfSubmission(tx: Executor, submissionId: string): Promise<string[]> {
  const rows = await tx.selectDistinct({ slot: runs.slot }).from(runs).where(eq(runs.submissionId, submissionId));
  return rows.map((r) => r.slot);
}
