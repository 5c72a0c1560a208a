// Over 350 lines on purpose: one random sequence of every kind of write the board tables follow,
// and the checks after each step, read best as one story.
// The maintained board tables equal a rebuild from the runs, on embedded Postgres (PGlite) through
// the real app: a seeded random sequence of submissions (new architectures, more seeds, the same
// slot with the same or another outcome, other backends, PyTorch, a kernel baseline), admin hides
// and shows, operators' and others' reproductions and renames. After every step the tables are
// compared with a rebuild and with queries over the runs; every few steps the API's board answers
// are compared before and after the rebuild. BOARD_ROWS_SEED=<n> replays another sequence.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import {
  findSuite,
  ReproductionReceipt,
  Rng,
  type Signer,
  SubmissionReceipt,
  type Suite,
  type Task,
  type TorchEngine,
} from "../../schema/index.js";
import { ADMIN_TOKEN, postBundle, type SignedBundle, signedBundle } from "../fixtures/api.js";
import { boardAnswers, expectEqualToRebuild, expectTablesMatchRuns } from "../fixtures/board-rows.js";
import { type ArchitectureSpec, newSigner, type PredicateOptions } from "../fixtures/bundles.js";
import { kernelBundle } from "../fixtures/kernel-bundle.js";
import { usePgliteApp } from "../fixtures/pglite.js";
import { attest, postReproduction, type ReproducedSpec } from "../fixtures/reproductions.js";
import {
  mlpModuleDescription,
  mlpModuleParameterCount,
  TORCH_CPU_ENGINE,
  TORCH_CUDA_ENGINE,
} from "../fixtures/torch-module.js";

const SEED = Number(process.env.BOARD_ROWS_SEED ?? 20261207);

/** The project's seeded generator, so a failing sequence can be replayed from its seed. */
function generator(seed: number) {
  const rng = Rng.create(seed, "board-rows-equality");
  const next = () => rng.float();
  const int = (n: number) => rng.int(n);
  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) throw new Error("pick from nothing");
    return items[int(items.length)]!;
  };
  /** A non-empty random subset, in the input's order. */
  const subset = <T>(items: readonly T[]): T[] => {
    const chosen = items.filter(() => next() < 0.5);
    return chosen.length ? chosen : [pick(items)];
  };
  const shuffle = <T>(items: T[]): T[] => {
    for (let i = items.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  };
  return { next, int, pick, subset, shuffle };
}

const SMOKE = findSuite("smoke")!;
/** Two boards in one bundle: fashion-mnist and cifar10. */
const STANDARD = findSuite("standard")!;
/** Regularizer ablations: rows with Δ gaps. */
const REGULARIZERS = findSuite("regularizers")!;
const LAYERS_BACKENDS = ["wasm", "cpu", "tensorflow"] as const;

/** What makes a bundle's runs: sent again with another key, it gives the same outcome in each slot. */
interface Recipe {
  spec: ArchitectureSpec;
  /** Default smoke. */
  suite?: Suite;
  seeds: number[];
  fitEpochs: { true: number | null; random: number | null };
  testAcc: number;
  /** A seed whose random-label run fails. */
  failedSeed?: number;
  backend?: "wasm" | "cpu" | "tensorflow";
  engine?: TorchEngine;
}

interface Sent {
  id: string;
  bundle: SignedBundle;
  /** Undefined for the kernel baseline, which is solved, not made from a recipe. */
  recipe?: Recipe;
  fingerprint: string;
}

type StepKind =
  | "new-architecture"
  | "more-seeds"
  | "same-outcome"
  | "other-outcome"
  | "other-backend"
  | "torch"
  | "kernel"
  | "other-suite"
  | "hide"
  | "hide-standing"
  | "hide-last-of-scope"
  | "show"
  | "moderate-again"
  | "operator-exact"
  | "operator-not-reproduced"
  | "reproduction"
  | "rename"
  | "resend";

/** How often each kind is dealt: about fifty steps in all. */
const DECK: Record<StepKind, number> = {
  "new-architecture": 5,
  "more-seeds": 4,
  "same-outcome": 5,
  "other-outcome": 4,
  "other-backend": 4,
  torch: 4,
  kernel: 2,
  "other-suite": 3,
  hide: 4,
  "hide-standing": 3,
  "hide-last-of-scope": 3,
  show: 4,
  "moderate-again": 2,
  "operator-exact": 4,
  "operator-not-reproduced": 2,
  reproduction: 3,
  rename: 2,
  resend: 2,
};

/** Every answer of the API that reads the board tables, with the pages of the architectures given (on a suite). */
function boardUrls(architectures: readonly { fp: string; suite: string }[]): string[] {
  const board = "/api/v1/leaderboard?suite=smoke";
  const queries = [
    "&verified=all",
    "&verified=all&rank=gap",
    "&verified=only",
    "&verified=only&rank=gap",
    "&verified=all&backend=wasm",
    "&verified=all&backend=cpu&rank=gap",
    "&verified=all&backend=torch-cpu",
    "&verified=only&backend=wasm",
    "&verified=all&limit=2",
    "&verified=all&format=csv",
    "&verified=all&rank=gap&format=csv",
  ];
  const others = [
    "/api/v1/leaderboard?suite=standard&dataset=fashion-mnist&verified=all",
    "/api/v1/leaderboard?suite=standard&dataset=cifar10&verified=all&rank=gap",
    "/api/v1/leaderboard?suite=regularizers&verified=all",
    "/api/v1/leaderboard?suite=regularizers&verified=all&rank=gap&format=csv",
  ];
  return [
    ...queries.map((q) => board + q),
    ...others,
    "/api/v1/suites",
    ...architectures.map((a) => `/api/v1/architectures/${a.fp}?suite=${a.suite}`),
  ];
}

const operatorKeys = new Set<string>();
const pg = usePgliteApp({ empty: true, app: { reproducerKeys: () => operatorKeys } });

let operator: Signer;
let keys: Signer[];
beforeAll(async () => {
  operator = await newSigner();
  operatorKeys.add(operator.keyid);
  // A few submitter keys, so one key sends several results of a slot and keys are counted.
  keys = await Promise.all([newSigner(), newSigner(), newSigner()]);
});

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await pg.handle.db.execute(query)) as unknown as { rows: T[] }).rows;
}

function admin(path: string, body: object): Promise<Response> {
  return Promise.resolve(
    pg.app.request(path, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify(body),
    }),
  );
}

function optionsOf(recipe: Recipe, signer: Signer, createdAt: string): PredicateOptions & { signer: Signer } {
  const failed = recipe.failedSeed;
  return {
    signer,
    createdAt,
    suite: recipe.suite,
    architectures: [recipe.spec],
    seeds: recipe.seeds,
    fitEpochs: recipe.fitEpochs,
    testAcc: (task: Task) => (task.corruption.kind === "true" ? recipe.testAcc : 0.1),
    // A failed run's curve carries no validation accuracy, which early-stopping runs must.
    failed:
      failed === undefined
        ? undefined
        : (task) =>
            task.seed === failed &&
            task.corruption.kind === "random" &&
            task.regularizer.earlyStoppingPatience === null,
    backend: recipe.backend,
    engine: recipe.engine,
    hardware: recipe.engine?.device.startsWith("cuda") ? { gpu: recipe.engine.deviceName } : undefined,
  };
}

describe(`the board tables after a random sequence of writes (seed ${SEED})`, () => {
  it("equal a rebuild after every step, and the API answers the same from either", async () => {
    const random = generator(SEED);
    const sent: Sent[] = [];
    let architectures = 0;
    let clock = 0;
    /** A distinct creation time per bundle, so one key never sends the same payload twice. */
    const createdAt = () => new Date(Date.UTC(2026, 10, 27) + 1000 * ++clock).toISOString();

    async function submit(bundle: SignedBundle, recipe?: Recipe): Promise<Sent> {
      const res = await postBundle(pg.app, bundle.text);
      expect(res.status, await res.clone().text()).toBe(201);
      const { id } = SubmissionReceipt.parse(await res.json());
      const made = { id, bundle, recipe, fingerprint: bundle.predicate.architectures[0]!.fingerprint };
      sent.push(made);
      return made;
    }
    const send = (recipe: Recipe) => signedBundle(optionsOf(recipe, random.pick(keys), createdAt()));

    const seedsOf = (recipe: Pick<Recipe, "suite">) => (recipe.suite ?? SMOKE).seeds;
    function freshRecipe(spec: ArchitectureSpec, engine?: TorchEngine, suite = SMOKE): Recipe {
      const fitTrue = random.pick([4, 6, 8, 10, null]);
      return {
        spec,
        suite,
        seeds: random.subset(suite.seeds),
        fitEpochs: { true: fitTrue, random: random.pick([8, 12, 16, 20, 30, null]) },
        testAcc: random.pick([0.7, 0.8, 0.85]),
        failedSeed: random.next() < 0.2 ? random.pick(suite.seeds) : undefined,
        backend: engine ? undefined : "wasm",
        engine,
      };
    }
    async function status(): Promise<Map<string, "visible" | "hidden">> {
      const found = await rows<{ id: string; status: "visible" | "hidden" }>(sql`select id, status from submissions`);
      return new Map(found.map((s) => [s.id, s.status]));
    }
    const visible = async (filter: (s: Sent) => boolean = () => true) => {
      const now = await status();
      return sent.filter((s) => now.get(s.id) === "visible" && filter(s));
    };
    /** Reproducible bit for bit on another machine: TF.js's wasm and cpu backends. */
    const exactlyReproducible = (s: Sent) => s.recipe?.backend === "wasm" || s.recipe?.backend === "cpu";
    const okPositions = (s: Sent) =>
      s.bundle.predicate.runs.flatMap((run, position) => (run.status === "ok" ? [position] : []));

    const seen = {
      confirmation: 0,
      contest: 0,
      replicate: 0,
      promoted: 0,
      emptiedScope: 0,
      threeBoards: 0,
      verifiedRows: 0,
      backendRows: 0,
    };
    /** One step of a kind: a line saying what it did, or null where nothing stored allows it yet. */
    const steps: Record<StepKind, () => Promise<string | null>> = {
      "new-architecture": async () => {
        architectures += 1;
        const spec = { id: `net-${architectures}`, hiddenUnits: 8 + architectures };
        const recipe = freshRecipe(spec);
        const made = await submit(await send(recipe), recipe);
        return `new architecture ${spec.id} (${made.id})`;
      },
      "more-seeds": async () => {
        const candidates = sent.filter((s) => s.recipe && s.recipe.seeds.length < seedsOf(s.recipe).length);
        if (!candidates.length) return null;
        const from = random.pick(candidates);
        const missing = seedsOf(from.recipe!).filter((seed) => !from.recipe!.seeds.includes(seed));
        const recipe = { ...from.recipe!, seeds: random.subset(missing) };
        const made = await submit(await send(recipe), recipe);
        return `seeds ${recipe.seeds} of ${recipe.spec.id} (${made.id})`;
      },
      "same-outcome": async () => {
        const from = sent.filter((s) => s.recipe);
        if (!from.length) return null;
        const { recipe } = random.pick(from);
        const made = await submit(await send(recipe!), recipe);
        return `the same outcome again of ${recipe!.spec.id} seeds ${recipe!.seeds} (${made.id})`;
      },
      "other-outcome": async () => {
        const from = sent.filter((s) => s.recipe);
        if (!from.length) return null;
        const { recipe } = random.pick(from);
        const shifted = (e: number | null) => (e === null ? 9 : e + 1 + random.int(3));
        const other = {
          ...recipe!,
          fitEpochs: { true: shifted(recipe!.fitEpochs.true), random: shifted(recipe!.fitEpochs.random) },
          testAcc: recipe!.testAcc === 0.8 ? 0.75 : 0.8,
        };
        const made = await submit(await send(other), other);
        return `another outcome of ${other.spec.id} seeds ${other.seeds} on ${other.backend ?? other.engine?.device} (${made.id})`;
      },
      "other-backend": async () => {
        const from = sent.filter((s) => s.recipe);
        if (!from.length) return null;
        const { recipe } = random.pick(from);
        const moved: Recipe = recipe!.engine
          ? { ...recipe!, engine: random.next() < 0.5 ? TORCH_CUDA_ENGINE : { ...TORCH_CPU_ENGINE, threads: 2 } }
          : { ...recipe!, backend: random.pick(LAYERS_BACKENDS.filter((b) => b !== recipe!.backend)) };
        const made = await submit(await send(moved), moved);
        const where = moved.backend ?? `${moved.engine!.device} with ${moved.engine!.threads} threads`;
        return `${moved.spec.id} seeds ${moved.seeds} on ${where} (${made.id})`;
      },
      torch: async () => {
        architectures += 1;
        const hidden = 16 + architectures;
        const spec = {
          id: `torch-${architectures}`,
          name: `Torch net ${architectures}`,
          topology: mlpModuleDescription(784, hidden),
          torchModule: { parameterCount: mlpModuleParameterCount(784, hidden) },
        };
        const recipe = freshRecipe(spec, TORCH_CPU_ENGINE);
        const made = await submit(await send(recipe), recipe);
        return `PyTorch module ${spec.id} on torch-cpu (${made.id})`;
      },
      "other-suite": async () => {
        // The suite's every condition per seed (a bundle must hold them all): one seed of the
        // standard suite is a bundle on two boards (fashion-mnist and cifar10); the regularizers
        // suite's rows carry Δ gaps.
        architectures += 1;
        const spec = { id: `suite-net-${architectures}`, hiddenUnits: 8 + architectures };
        const suite = (done.get("other-suite") ?? 0) % 2 ? REGULARIZERS : STANDARD;
        const recipe = { ...freshRecipe(spec, undefined, suite), seeds: [random.pick(suite.seeds)] };
        const made = await submit(await send(recipe), recipe);
        return `${spec.id} on suite ${suite.id} seed ${recipe.seeds} (${made.id})`;
      },
      kernel: async () => {
        const made = await submit(await kernelBundle(random.pick(keys)));
        return `kernel baseline (${made.id})`;
      },
      hide: async () => {
        const candidates = await visible();
        if (!candidates.length) return null;
        const target = random.pick(candidates);
        const res = await admin(`/api/v1/submissions/${target.id}/moderation`, { action: "hide", reason: "test" });
        expect(res.status, await res.clone().text()).toBe(201);
        return `hide ${target.id}`;
      },
      "hide-standing": async () => {
        // A visible submission holding a standing run whose slot has another visible run: hiding
        // it promotes that run.
        const promotable = await rows<{ id: string }>(
          sql`select distinct r.submission_id as id from runs r
              where r.slot_role = 'standing' and exists (
                select 1 from runs o where o.slot = r.slot and o.visible and o.id <> r.id)
              order by 1`,
        );
        if (!promotable.length) return null;
        const { id } = random.pick(promotable);
        const slots = await rows<{ slot: string }>(
          sql`select slot from runs where submission_id = ${id} and slot_role = 'standing'`,
        );
        const listed = sql.join(
          slots.map((r) => sql`${r.slot}`),
          sql`, `,
        );
        const res = await admin(`/api/v1/submissions/${id}/moderation`, { action: "hide", reason: "test" });
        expect(res.status, await res.clone().text()).toBe(201);
        const promoted = await rows<{ n: number }>(
          sql`select count(*)::int as n from runs where slot_role = 'standing' and slot in (${listed})`,
        );
        expect(promoted[0]!.n, `hiding ${id} promoted another run in a slot it stood in`).toBeGreaterThan(0);
        seen.promoted += 1;
        return `hide ${id}, which held a standing result another run now holds`;
      },
      "hide-last-of-scope": async () => {
        // The last visible submission of a backend, or the last with verified runs:
        // hiding it empties a board scope, whose totals row must go as a rebuild has none.
        const lonely = await rows<{ id: string }>(
          sql`select s.id from submissions s where s.status = 'visible' and not exists (
                select 1 from submissions o where o.status = 'visible' and o.backend = s.backend and o.id <> s.id)
              union
              select min(submission_id) from runs where visible and verified
              having count(distinct submission_id) = 1 and bool_or(slot_role = 'standing')
              order by 1`,
        );
        if (!lonely.length) return null;
        const { id } = random.pick(lonely);
        const scopes = async () => (await rows<{ n: number }>(sql`select count(*)::int as n from board_totals`))[0]!.n;
        const before = await scopes();
        const res = await admin(`/api/v1/submissions/${id}/moderation`, { action: "hide", reason: "test" });
        expect(res.status, await res.clone().text()).toBe(201);
        expect(await scopes(), `hiding ${id} emptied a board scope`).toBeLessThan(before);
        seen.emptiedScope += 1;
        return `hide ${id}, the last of a board scope`;
      },
      show: async () => {
        const now = await status();
        const hidden = sent.filter((s) => now.get(s.id) === "hidden");
        if (!hidden.length) return null;
        const target = random.pick(hidden);
        const res = await admin(`/api/v1/submissions/${target.id}/moderation`, { action: "show", reason: "test" });
        expect(res.status, await res.clone().text()).toBe(201);
        return `show ${target.id}`;
      },
      "moderate-again": async () => {
        // A hide of a hidden submission or a show of a visible one: recorded, but nothing changes.
        if (!sent.length) return null;
        const target = random.pick(sent);
        const action = (await status()).get(target.id) === "hidden" ? "hide" : "show";
        const res = await admin(`/api/v1/submissions/${target.id}/moderation`, { action, reason: "again" });
        expect(res.status, await res.clone().text()).toBe(201);
        return `${action} ${target.id} again`;
      },
      "operator-exact": async () => {
        const candidates = await visible(exactlyReproducible);
        if (!candidates.length) return null;
        const target = random.pick(candidates);
        const specs = random.subset(okPositions(target)).map((position) => ({ position }));
        const receipt = await reproduce(target, operator, specs);
        expect(receipt.hidden).toBe(false);
        return `operator reproduced runs ${specs.map((s) => s.position)} of ${target.id} exactly`;
      },
      "operator-not-reproduced": async () => {
        // Only an operator's first verdict on a run counts: one it has not judged yet.
        const unjudged = await rows<{ id: string; positions: number[] }>(
          sql`select submission_id as id, array_agg(position order by position) as positions from runs
              where not operator_judged and status = 'ok' group by 1`,
        );
        const open = new Map(unjudged.map((u) => [u.id, u.positions]));
        const candidates = await visible((s) => exactlyReproducible(s) && open.has(s.id));
        if (!candidates.length) return null;
        const target = random.pick(candidates);
        const position = random.pick(open.get(target.id)!);
        const receipt = await reproduce(target, operator, [{ position, change: { epoch: 2, by: 0.5 } }]);
        expect(receipt.hidden, "an operator's 'not reproduced' hides the submission").toBe(true);
        return `operator did not reproduce run ${position} of ${target.id}: hidden`;
      },
      reproduction: async () => {
        const candidates = await visible(exactlyReproducible);
        if (!candidates.length) return null;
        const target = random.pick(candidates);
        const position = random.pick(okPositions(target));
        const contest = random.next() < 0.5;
        const spec = contest ? { position, change: { epoch: 2, by: 0.5 } } : { position };
        const receipt = await reproduce(target, await newSigner(), [spec]);
        expect(receipt.hidden).toBe(false);
        return `another key ${contest ? "did not reproduce" : "reproduced"} run ${position} of ${target.id}`;
      },
      resend: async () => {
        // A bundle the server already holds: answered with its id, nothing stored or counted again.
        if (!sent.length) return null;
        const again = random.pick(sent);
        const res = await postBundle(pg.app, again.bundle.text);
        expect(res.status, await res.clone().text()).toBe(200);
        expect(SubmissionReceipt.parse(await res.json()).id).toBe(again.id);
        return `${again.id} sent again`;
      },
      rename: async () => {
        if (!sent.length) return null;
        const { fingerprint } = random.pick(sent);
        const name = `Renamed ${clock}`;
        const res = await admin(`/api/v1/architectures/${fingerprint}/name`, { name, reason: "test" });
        expect(res.status, await res.clone().text()).toBe(201);
        return `rename ${fingerprint.slice(0, 12)} to ${name}`;
      },
    };
    async function reproduce(target: Sent, by: Signer, specs: ReproducedSpec[]): Promise<ReproductionReceipt> {
      const res = await postReproduction(pg.app, await attest(target.bundle, by, specs, { createdAt: createdAt() }));
      expect(res.status, await res.clone().text()).toBe(201);
      return ReproductionReceipt.parse(await res.json());
    }
    // Two architectures first, then the deck shuffled; a kind nothing allows yet goes to the back.
    const deck: StepKind[] = random.shuffle(
      (Object.entries(DECK) as [StepKind, number][]).flatMap(([kind, n]) => Array<StepKind>(n).fill(kind)),
    );
    const queue: StepKind[] = ["new-architecture", "new-architecture", ...deck];
    const done = new Map<StepKind, number>();
    const deferred = new Map<StepKind, number>();
    const backends = new Set<string>();
    let step = 0;
    while (queue.length) {
      const kind = queue.shift()!;
      const line = await steps[kind]();
      if (line === null) {
        const tries = (deferred.get(kind) ?? 0) + 1;
        deferred.set(kind, tries);
        if (tries <= 3) queue.push(kind);
        continue;
      }
      step += 1;
      done.set(kind, (done.get(kind) ?? 0) + 1);
      const label = `seed ${SEED}, step ${step} (${kind}: ${line})`;

      await expectTablesMatchRuns(pg.handle.db, label);
      const withAnswers = step % 4 === 0 || queue.length === 0;
      // Architectures with visible runs (a hidden one's page is a 404): their standing on a board.
      const shown = await rows<{ fp: string; suite: string }>(
        sql`select distinct on (architecture_fingerprint) architecture_fingerprint as fp, suite_id as suite
            from runs where visible order by architecture_fingerprint, suite_id limit 4`,
      );
      const urls = boardUrls(shown);
      const before = withAnswers ? await boardAnswers(pg.app, urls) : undefined;
      await expectEqualToRebuild(pg.handle.db, label);
      if (before) {
        const failed = Object.entries(before).filter(([, answer]) => !answer.startsWith("200 "));
        expect(failed, `${label}: answers that are not 200`).toEqual([]);
        expect(await boardAnswers(pg.app, urls), `${label}: the API's answers after a rebuild`).toEqual(before);
      }

      const roles = await rows<{ role: string; n: number }>(
        sql`select slot_role as role, count(*)::int as n from runs where slot_role is not null group by 1`,
      );
      for (const { role, n } of roles) if (role in seen) seen[role as keyof typeof seen] += n > 0 ? 1 : 0;
      const [scopes] = await rows<{ verified: number; backends: number; boards: number }>(
        sql`select (count(*) filter (where verified_only))::int as verified,
                   (count(*) filter (where backend <> ''))::int as backends,
                   count(distinct (suite_id, suite_version, dataset_id))::int as boards from board_rows`,
      );
      seen.threeBoards += scopes!.boards >= 3 ? 1 : 0;
      for (const { backend } of await rows<{ backend: string }>(sql`select distinct backend from board_rows`))
        backends.add(backend);
      seen.verifiedRows += scopes!.verified > 0 ? 1 : 0;
      seen.backendRows += scopes!.backends > 0 ? 1 : 0;
    }

    // The sequence did what it claims: every kind of step ran, and the runs took every role.
    const counts = Object.fromEntries(Object.keys(DECK).map((k) => [k, done.get(k as StepKind) ?? 0]));
    expect(
      Object.entries(counts).filter(([, n]) => n === 0),
      `kinds of step that never ran (ran: ${JSON.stringify(counts)})`,
    ).toEqual([]);
    expect(step).toBeGreaterThanOrEqual(40);
    for (const [what, n] of Object.entries(seen)) expect(n, `${what}: how many steps saw one`).toBeGreaterThan(0);
    // Over every backend, wasm, PyTorch, the kernel's and at least one more TF.js backend.
    expect([...backends].sort(), "the backends board rows were kept for").toEqual(
      expect.arrayContaining(["", "none", "torch-cpu", "wasm"]),
    );
    expect(backends.has("cpu") || backends.has("tensorflow"), `backends: ${[...backends]}`).toBe(true);
    const [hiddenByOperator] = await rows<{ n: number }>(
      sql`select count(*)::int as n from moderation_actions where reproduction_id is not null`,
    );
    expect(hiddenByOperator!.n).toBeGreaterThan(0);
  });
});
