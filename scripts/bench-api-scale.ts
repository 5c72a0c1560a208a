// Over 350 lines on purpose: the clone SQL and the invariants it must keep are read side by side.
// The API benchmark's scale scenario, run by bench-api.ts (`--scale`): how the routes that read
// a board fare as it grows to 10³, 10⁴, 10⁵ and 10⁶ runs. A few real signed smoke-suite
// bundles go through POST /submissions first; the board then grows by cloning them in SQL into
// many architectures (INSERT … SELECT over generate_series, a few statements per 20,000 clones),
// ANALYZE after each step; the clones bypass the write path, so the board's aggregates are then
// rebuilt from every run (rebuildBoardRows, what a migration runs; timed) and vacuumed, as
// autovacuum would. At each size: p50/p95 latency (one connection) and requests/s (8
// connections) of /health, the smoke board's /leaderboard ranked by memorization and by gap, the
// board page and an architecture page, all on a server without its response cache (every read
// is the database's), the two board reads again on a server with it, and the median time of
// three POSTs of fresh bundles (the write path, aggregates included). Last, whether the scale
// goal of docs/api.md was met, from the database and from the cache.
//
// What a clone is: one submission of a new architecture (new fingerprint and slug, the template's
// topology under its own model name) with the template's six runs, their steps to fit, wall times
// and test accuracies shifted per clone and seed so that ranks differ; every fifth clone instead
// replicates the clone four before it on the `cpu` backend (a second submitter, role
// `replicate`). Rows keep the tables' invariants (architectures, submitters, submission ids
// from payload digests, one standing run per slot, slowdowns from the shifted siblings), but a
// clone's fingerprint, keyid and envelope are stand-ins: its curves and envelope are the
// template's, and nothing re-verifies them.

import autocannon from "autocannon";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { rebuildBoardRows } from "../api/db/queries/board-rows.js";
import { findSuite, signResult } from "../schema/index.js";
import { makePredicate, newSigner } from "../tests/fixtures/bundles.js";
import { clonesToAdd, latencyPercentiles, type RouteFigures, requestsFor, scaleGoal } from "./bench-api-scale-plan.js";
import { throttledProgress } from "./serve-database.js";

/** What the scenario takes from bench-api.ts: sizes, output mode and a server in a child process. */
export interface ScaleBench {
  /** Runs on the board at each step, increasing. */
  sizes: readonly number[];
  /** Seconds of one-connection requests per route and size (at least MIN_SEQUENTIAL requests). */
  seconds: number;
  /** Print `{sizes: [...]}` as JSON on stdout (progress goes to stderr) instead of tables. */
  json: boolean;
  /** A PostgreSQL server to grow the board in (the app migrates it when it starts). */
  databaseUrl: string;
  /** Starts `serve` on the database; `responseCache: false` answers every read from the database. */
  serve(options: { databaseUrl: string; responseCache?: boolean }): Promise<{ url: string; stop(): Promise<void> }>;
}

/** The figures of one board size, as `--json` prints them. */
export interface ScaleSize {
  runs: number;
  architectures: number;
  submissions: number;
  /** Seconds the growth to this size took (INSERTs and ANALYZE). */
  growSeconds: number;
  health: RouteFigures;
  /** Read from the database every time (a server without its response cache): the aggregates' path. */
  leaderboard: { memorization: RouteFigures; gap: RouteFigures };
  /** The same reads from a server with its response cache (as the Worker's edge cache answers them). */
  leaderboardCached: { memorization: RouteFigures; gap: RouteFigures };
  page: RouteFigures;
  architecture: RouteFigures;
  /** Seconds `rebuildBoardRows` took to rebuild the board's aggregates from every run (what a migration runs). */
  rebuildSeconds: number;
  /** POST /submissions of fresh smoke bundles, one after another: the median wall time and each one's. */
  submission: { ms: number; samples: number[] };
}

const SUITE = findSuite("smoke")!;
/** Real bundles submitted first; every clone copies one of them. */
const TEMPLATES = 4;
/** Fresh bundles POSTed at each size: the submission figure is their median. */
const FRESH_PER_SIZE = 3;
/** Clones per INSERT … SELECT: about 120,000 runs a statement. */
const CLONES_PER_BATCH = 20_000;
/** Connections of the throughput measurement. */
const CONCURRENT_CONNECTIONS = 8;
/**
 * Seconds of requests per connection in the throughput measurement, as one request alone takes
 * (at least one request per connection); sharing two cores, the run takes longer.
 */
const CONCURRENT_SECONDS = 3;
/** Fewest one-connection requests behind a p50/p95, however slow the route. */
const MIN_SEQUENTIAL = 5;
const MAX_SEQUENTIAL = 5_000;
/** A request that takes longer than this is counted as failed (the board query at 10⁶ takes seconds). */
const REQUEST_TIMEOUT_SECONDS = 600;

const log = (bench: Pick<ScaleBench, "json">, line: string) =>
  bench.json ? process.stderr.write(`${line}\n`) : console.log(line);

/** One signed smoke bundle of a user architecture (an MLP), its figures set by `variant`. */
async function smokeBundle(id: string, variant: number): Promise<string> {
  const signer = await newSigner();
  const predicate = await makePredicate(signer, {
    suite: SUITE,
    architectures: [{ id, hiddenUnits: 64 * (1 + (variant % 8)) }],
    // Random labels fit at 15–36 epochs, and never in every fourth template (a censored row);
    // true labels at 5–11; test accuracy 0.70–0.88.
    fitEpoch: (task) =>
      task.corruption.kind === "true" ? 5 + ((variant + task.seed) % 7) : variant % 4 === 3 ? null : 15 + variant * 3,
    testAcc: (task) => (task.corruption.kind === "true" ? 0.7 + 0.02 * ((variant * 3 + task.seed) % 10) : 0.1),
    createdAt: new Date(Date.UTC(2026, 0, 1) + variant * 60_000).toISOString(),
  });
  return JSON.stringify(await signResult(predicate, signer));
}

async function post(url: string, bundle: string): Promise<{ ms: number; status: number; id: string }> {
  const started = performance.now();
  const res = await fetch(`${url}/api/v1/submissions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: bundle,
  });
  const body = (await res.json()) as { id?: string; detail?: string };
  const ms = performance.now() - started;
  if (res.status !== 201) throw new Error(`POST /submissions answered ${res.status}: ${body.detail ?? ""}`);
  return { ms, status: res.status, id: body.id! };
}

// Clone c copies template c mod TEMPLATES as architecture `scale-net-c`; a clone with c mod 5 = 4
// is a replicate of architecture c − 4 (same template) on the cpu backend by another submitter.
const CLONES = `clones as (
  select c, a, c % 5 = 4 as replicate, t.submission_id as template, t.fingerprint as template_fingerprint,
    encode(sha256(convert_to('scale-architecture-' || a, 'UTF8')), 'hex') as fingerprint,
    'scale-net-' || a as slug,
    encode(sha256(convert_to(
      case when c % 5 = 4 then 'scale-replicator-' else 'scale-submitter-' end || (c / 10), 'UTF8')), 'hex') as submitter,
    encode(sha256(convert_to('scale-submission-' || c, 'UTF8')), 'hex') as payload
  from generate_series($1::int, $2::int - 1) as c
  cross join lateral (select case when c % 5 = 4 then c - 4 else c end as a) as arch
  join scale_templates t on t.n = arch.a % ${TEMPLATES}
)`;

/** The statements that add clones [$1, $2), in order (each table before the ones that reference it). */
const GROW_STATEMENTS = [
  `with ${CLONES}
   insert into submitters (keyid, public_key)
   select distinct on (k.submitter) k.submitter, u.public_key
   from clones k join submissions s on s.id = k.template join submitters u on u.keyid = s.submitter_keyid
   on conflict (keyid) do nothing`,
  `with ${CLONES}
   insert into architectures (fingerprint, slug, name, kind, input_shape, parameter_count, topology)
   select k.fingerprint, k.slug, k.slug, a.kind, a.input_shape, a.parameter_count,
     jsonb_set(a.topology, '{config,name}', to_jsonb(k.slug))
   from clones k join architectures a on a.fingerprint = k.template_fingerprint
   where not k.replicate`,
  `with ${CLONES}
   insert into submissions (id, payload_sha256, submitter_keyid, suite_id, suite_version, suite_digest,
     runner_version, tfjs_version, backend, backend_detail, hardware, engine, architectures, run_count,
     created_at, envelope)
   select 'sub_' || left(k.payload, 32), k.payload, k.submitter, s.suite_id, s.suite_version, s.suite_digest,
     s.runner_version, s.tfjs_version,
     case when k.replicate then 'cpu' else s.backend end, case when k.replicate then 'cpu' else s.backend_detail end,
     s.hardware, s.engine, jsonb_build_array(k.fingerprint), s.run_count,
     s.created_at + make_interval(secs => k.c), s.envelope
   from clones k join submissions s on s.id = k.template
   order by k.c`,
  // Run ids follow (clone, position): a replicate's runs come after its original's, as acceptance order wants.
  `with ${CLONES}
   insert into runs (submission_id, visible, submitter_keyid, backend, position, architecture_fingerprint,
     suite_id, suite_version, dataset_id, corruption_kind, corruption_p, regularizer, seed, status, failure,
     epochs_to_fit, steps_to_fit, final_train_acc, final_test_acc, gen_gap, slowdown, wall_seconds,
     wall_seconds_to_fit, task, curve, slot, outcome_sha256, slot_role)
   select 'sub_' || left(k.payload, 32), true, k.submitter, case when k.replicate then 'cpu' else r.backend end,
     r.position, k.fingerprint, r.suite_id, r.suite_version, r.dataset_id, r.corruption_kind, r.corruption_p,
     r.regularizer, r.seed, r.status, r.failure,
     r.epochs_to_fit + v.later, r.steps_to_fit + v.later * (r.steps_to_fit / r.epochs_to_fit),
     r.final_train_acc, v.test_acc, case when r.gen_gap is not null then r.final_train_acc - v.test_acc end,
     -- A true-label run's slowdown is its own steps over themselves (1); a corrupted run's, over its sibling's.
     case when r.slowdown is null or sib.id is null then r.slowdown else
       (r.steps_to_fit + v.later * (r.steps_to_fit / r.epochs_to_fit))::float8
       / (sib.steps_to_fit + pg_temp.scale_later(k.c, sib.seed, 'true') * (sib.steps_to_fit / sib.epochs_to_fit))
     end,
     r.wall_seconds * v.stretch, r.wall_seconds_to_fit * v.stretch,
     jsonb_set(r.task, '{architecture}', to_jsonb(k.slug)), r.curve, k.fingerprint || substr(r.slot, 65),
     encode(sha256(convert_to('scale-outcome-' || k.c || '-' || r.position, 'UTF8')), 'hex'),
     case when k.replicate then 'replicate' else 'standing' end
   from clones k
   join runs r on r.submission_id = k.template
   left join runs sib on sib.submission_id = r.submission_id and r.corruption_kind <> 'true'
     and sib.corruption_kind = 'true' and sib.regularizer = r.regularizer and sib.seed = r.seed
     and sib.dataset_id = r.dataset_id
   cross join lateral (
     select case when r.epochs_to_fit is null then 0 else pg_temp.scale_later(k.c, r.seed, r.corruption_kind) end
         as later,
       case when r.epochs_to_fit is null then 1
         else (r.epochs_to_fit + pg_temp.scale_later(k.c, r.seed, r.corruption_kind))::float8 / r.epochs_to_fit
       end as stretch,
       least(1, greatest(0, r.final_test_acc + ((k.c * 31 + r.seed * 17) % 21 - 10) / 250.0)) as test_acc
   ) as v
   order by k.c, r.position`,
];

/**
 * Extra epochs to fit of clone c's run of one seed and condition: 0–22, spread by clone, seed
 * and condition, so the medians over seeds differ between clones. Smoke runs fit by epoch 36 of
 * 100, so a shifted run still fits within the suite's budget.
 */
const LATER_FUNCTION = `create function pg_temp.scale_later(c int, seed int, kind text) returns int
  language sql immutable as $$
    select ((c::bigint * 7919 + seed * 104729 + case when kind = 'true' then 0 else 15485863 end) % 23)::int
  $$`;

/** A board in PostgreSQL that grows by cloning the template submissions. */
class Board {
  private nextClone = 0;
  private constructor(private readonly client: pg.Client) {}

  /** Connects to a migrated, empty board (clones are numbered from 0, so a second run would collide). */
  static async open(databaseUrl: string): Promise<Board> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const board = new Board(client);
    const { runs } = await board.counts();
    if (runs > 0) {
      await client.end();
      throw new Error(
        `the scale scenario grows a board from empty, but this database holds ${runs} runs: ` +
          "unset $DATABASE_URL (a throwaway cluster is made) or point it at an empty database",
      );
    }
    await client.query(LATER_FUNCTION);
    return board;
  }

  /** The real submissions every clone copies, by id. */
  async setTemplates(templateIds: readonly string[]): Promise<void> {
    await this.client.query(
      "create temporary table scale_templates (n int primary key, submission_id text, fingerprint text)",
    );
    await this.client.query(
      `insert into scale_templates
       select ord - 1, s.id, s.architectures->>0 from unnest($1::text[]) with ordinality as t(id, ord)
       join submissions s on s.id = t.id`,
      [templateIds],
    );
  }

  async counts(): Promise<{ runs: number; architectures: number; submissions: number }> {
    const { rows } = await this.client.query(
      `select (select count(*) from runs)::int as runs, (select count(*) from architectures)::int as architectures,
        (select count(*) from submissions)::int as submissions`,
    );
    return rows[0];
  }

  /** Adds clones until the board holds at least `targetRuns` runs, then ANALYZEs; the seconds it took. */
  async growTo(targetRuns: number, onBatch: (line: string) => void): Promise<number> {
    const started = performance.now();
    const runsPerClone = SUITE.seeds.length * SUITE.conditions.length;
    const end = this.nextClone + clonesToAdd(targetRuns, (await this.counts()).runs, runsPerClone);
    while (this.nextClone < end) {
      const to = Math.min(end, this.nextClone + CLONES_PER_BATCH);
      const batchStarted = performance.now();
      await this.client.query("begin");
      for (const statement of GROW_STATEMENTS) await this.client.query(statement, [this.nextClone, to]);
      await this.client.query("commit");
      onBatch(`  clones ${this.nextClone}–${to - 1}: ${((performance.now() - batchStarted) / 1000).toFixed(1)} s`);
      this.nextClone = to;
    }
    await this.client.query("analyze");
    return (performance.now() - started) / 1000;
  }

  /**
   * Rebuilds the board's aggregates from every run, as a migration does: the clones went into
   * `runs` by plain INSERTs, past the write path that keeps the aggregates. The seconds it took.
   */
  async rebuildAggregates(onProgress: (line: string) => void): Promise<number> {
    const started = performance.now();
    // One line in ten seconds at most: a rebuild of 10⁶ runs reports hundreds of batches.
    await rebuildBoardRows(drizzle({ client: this.client }), throttledProgress(onProgress, 10_000).report);
    const seconds = (performance.now() - started) / 1000;
    // As autovacuum does after a bulk write: counts of a rank read the index alone once the
    // visibility map says the rebuilt rows are visible to all.
    await this.client.query("vacuum analyze board_rows, board_totals, boards");
    return seconds;
  }

  /** Slots with more than one standing run, or standing runs not first in their slot: must be none. */
  async checkSlots(): Promise<void> {
    const { rows } = await this.client.query(
      `select count(*)::int as wrong from (
        select slot, count(*) filter (where slot_role = 'standing') as standing,
          (array_agg(slot_role order by id))[1] as first
        from runs where visible group by slot
      ) as s where standing <> 1 or first <> 'standing'`,
    );
    if (rows[0].wrong !== 0) throw new Error(`${rows[0].wrong} slots do not have exactly one standing run, first`);
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

/** POSTs fresh bundles one after another; their median wall time and each one's, in ms. */
async function postFresh(url: string, bundles: readonly string[]): Promise<ScaleSize["submission"]> {
  const samples: number[] = [];
  for (const bundle of bundles) samples.push((await post(url, bundle)).ms);
  return { ms: latencyPercentiles(samples).p50, samples };
}

/** Runs autocannon on one path; resolves with its result and every response's latency in ms. */
function cannon(
  url: string,
  options: { connections: number; amount: number },
): Promise<{ result: autocannon.Result; latenciesMs: number[] }> {
  return new Promise((resolve, reject) => {
    const latenciesMs: number[] = [];
    const instance = autocannon(
      { url, ...options, timeout: REQUEST_TIMEOUT_SECONDS },
      (error: Error | null, result: autocannon.Result) => (error ? reject(error) : resolve({ result, latenciesMs })),
    );
    // autocannon's histogram keeps whole milliseconds; the response event has the exact time.
    instance.on("response", (_client, _status, _bytes, responseTimeMs: number) => latenciesMs.push(responseTimeMs));
  });
}

/** One warm-up request, one-connection requests for about `seconds`, then a short 8-connection run. */
async function measureRoute(url: string, seconds: number): Promise<RouteFigures> {
  const probeStarted = performance.now();
  const probe = await fetch(url);
  await probe.arrayBuffer();
  if (!probe.ok) throw new Error(`GET ${url} answered ${probe.status}`);
  const probeMs = performance.now() - probeStarted;

  const sequential = await cannon(url, {
    connections: 1,
    amount: requestsFor(seconds, probeMs, { minimum: MIN_SEQUENTIAL, maximum: MAX_SEQUENTIAL }),
  });
  const concurrent = await cannon(url, {
    connections: CONCURRENT_CONNECTIONS,
    amount: requestsFor(CONCURRENT_SECONDS * CONCURRENT_CONNECTIONS, probeMs, {
      minimum: CONCURRENT_CONNECTIONS,
      maximum: MAX_SEQUENTIAL * CONCURRENT_CONNECTIONS,
    }),
  });
  for (const { result } of [sequential, concurrent]) {
    const failed = result.errors + result.timeouts + result.non2xx;
    if (failed > 0) throw new Error(`GET ${url}: ${failed} of ${result.requests.total} requests failed or timed out`);
  }
  // In `amount` mode autocannon's duration is the run's wall time in seconds.
  return {
    ...latencyPercentiles(sequential.latenciesMs),
    reqPerSecond: concurrent.result.requests.total / concurrent.result.duration,
  };
}

function printSize(size: ScaleSize): void {
  console.log(
    `\n${size.runs.toLocaleString("en")} runs (${size.architectures.toLocaleString("en")} architectures, ` +
      `${size.submissions.toLocaleString("en")} submissions; grown in ${size.growSeconds.toFixed(1)} s)`,
  );
  const cells = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(48) : cell.padStart(10))).join(" ");
  console.log(cells(["route", "p50 ms", "p95 ms", "req/s", "p50 ×"]));
  const routes: [string, RouteFigures][] = [
    ["GET /api/v1/health", size.health],
    ["GET /api/v1/leaderboard (memorization)", size.leaderboard.memorization],
    ["GET /api/v1/leaderboard (gap)", size.leaderboard.gap],
    ["GET /api/v1/leaderboard (memorization, cached)", size.leaderboardCached.memorization],
    ["GET /api/v1/leaderboard (gap, cached)", size.leaderboardCached.gap],
    ["GET / (board page)", size.page],
    ["GET /architectures/:fingerprint", size.architecture],
  ];
  for (const [route, f] of routes)
    console.log(
      cells([
        route,
        f.p50.toFixed(2),
        f.p95.toFixed(2),
        f.reqPerSecond < 100 ? f.reqPerSecond.toPrecision(3) : f.reqPerSecond.toFixed(0),
        (f.p50 / size.health.p50).toFixed(1),
      ]),
    );
  console.log(
    cells([
      `POST /api/v1/submissions (median of ${size.submission.samples.length})`,
      size.submission.ms.toFixed(1),
      "",
      "",
      (size.submission.ms / size.health.p50).toFixed(1),
    ]),
  );
}

/** The goal of docs/performance.md: the board's reads within 5× /health's p50, flat within ±50% as it grows. */
const SCALE_GOAL = { maxHealthRatio: 5, flatness: 0.5 };

function printGoal(how: string, goal: ReturnType<typeof scaleGoal>): void {
  console.log(
    `\nGoal, leaderboard ${how} (p50 ≤ ${SCALE_GOAL.maxHealthRatio}× /health at every size, smallest → largest ` +
      `size within ±${SCALE_GOAL.flatness * 100}%): ${goal.met ? "met" : "NOT met"}`,
  );
  console.log(`  worst leaderboard p50 / health p50: ${goal.worstHealthRatio.toFixed(2)}×`);
  console.log(
    `  p50 growth, smallest → largest size: memorization ${goal.growth.memorization.toFixed(2)}×, ` +
      `gap ${goal.growth.gap.toFixed(2)}×`,
  );
}

/** Grows the smoke board through `bench.sizes` and measures each size; prints tables or JSON. */
export async function scaleScenario(bench: ScaleBench): Promise<ScaleSize[]> {
  log(
    bench,
    `Signing ${TEMPLATES} template bundles and ${bench.sizes.length * FRESH_PER_SIZE} fresh ones (suite ${SUITE.id})…`,
  );
  const templates = await Promise.all(
    Array.from({ length: TEMPLATES }, (_, i) => smokeBundle(`scale-template-${i}`, i)),
  );
  const fresh = await Promise.all(
    Array.from({ length: bench.sizes.length * FRESH_PER_SIZE }, (_, i) =>
      smokeBundle(`scale-fresh-${i}`, i + TEMPLATES),
    ),
  );

  // Every route is measured on a server without the response cache, so that each read is the
  // database's; the board reads again on one with it, as readers of a hot board get them.
  const served = await bench.serve({ databaseUrl: bench.databaseUrl, responseCache: false });
  const cached = await bench.serve({ databaseUrl: bench.databaseUrl });
  const measured: ScaleSize[] = [];
  let board: Board | undefined;
  try {
    board = await Board.open(bench.databaseUrl);
    const templateIds: string[] = [];
    for (const bundle of templates) templateIds.push((await post(served.url, bundle)).id);
    await board.setTemplates(templateIds);
    const architectureFingerprint = JSON.parse(Buffer.from(JSON.parse(templates[0]!).payload, "base64").toString())
      .predicate.architectures[0].fingerprint as string;
    const boardQuery = `suite=${SUITE.id}&version=${SUITE.version}`;
    for (const [i, target] of bench.sizes.entries()) {
      log(bench, `Growing the board to ${target.toLocaleString("en")} runs…`);
      const growSeconds = await board.growTo(target, (line) => log(bench, line));
      await board.checkSlots();
      const counts = await board.counts();
      log(bench, `  ${counts.runs.toLocaleString("en")} runs in ${growSeconds.toFixed(1)} s; rebuilding aggregates…`);
      const rebuildSeconds = await board.rebuildAggregates((line) => log(bench, `  ${line}`));
      log(bench, `  aggregates rebuilt in ${rebuildSeconds.toFixed(1)} s; measuring…`);
      const at = (path: string, url = served.url) => measureRoute(url + path, bench.seconds);
      const size: ScaleSize = {
        ...counts,
        growSeconds,
        rebuildSeconds,
        health: await at("/api/v1/health"),
        leaderboard: {
          memorization: await at(`/api/v1/leaderboard?${boardQuery}&rank=memorization`),
          gap: await at(`/api/v1/leaderboard?${boardQuery}&rank=gap`),
        },
        leaderboardCached: {
          memorization: await at(`/api/v1/leaderboard?${boardQuery}&rank=memorization`, cached.url),
          gap: await at(`/api/v1/leaderboard?${boardQuery}&rank=gap`, cached.url),
        },
        page: await at(`/?${boardQuery}`),
        architecture: await at(`/architectures/${architectureFingerprint}`),
        submission: await postFresh(served.url, fresh.slice(i * FRESH_PER_SIZE, (i + 1) * FRESH_PER_SIZE)),
      };
      measured.push(size);
      if (!bench.json) printSize(size);
    }
  } finally {
    await board?.close();
    await served.stop();
    await cached.stop();
  }
  const goal = {
    database: scaleGoal(measured, SCALE_GOAL),
    cached: scaleGoal(
      measured.map((size) => ({ ...size, leaderboard: size.leaderboardCached })),
      SCALE_GOAL,
    ),
  };
  if (bench.json) console.log(JSON.stringify({ sizes: measured, goal }));
  else {
    printGoal("read from the database", goal.database);
    printGoal("from the response cache", goal.cached);
  }
  return measured;
}
