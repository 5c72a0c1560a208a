// `rethink-bench serve`: the leaderboard API on this machine, on embedded PGlite (default) or
// a Postgres server, until SIGINT/SIGTERM; then it stops taking requests, lets those in
// flight finish and closes the database, so no committed submission is lost.
import { mkdir, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { parseReproducerKeys } from "../../api/index.js";
import { type RunningServer, startServer } from "../../api/node.js";
import { CliError, InputError, UsageError } from "../errors.js";
import { dataDir } from "../paths.js";
import { parseWholeNumber } from "./option-parsers.js";

export interface ServeOptions {
  port: string;
  host: string;
  data?: string;
  databaseUrl?: string;
  /** The scheme and host pages link to, when a proxy serves this server under another name. */
  publicUrl?: string;
  /** Operator reproducer keys (keyids or base64url public keys), added to those of $REPRODUCER_KEYS. */
  reproducerKey?: string[];
  /** False (`--no-response-cache`): read the database at every request instead of keeping hot reads in memory. */
  responseCache?: boolean;
}

/** Exit code when the database server cannot be reached (EX_TEMPFAIL: try again later). */
const DATABASE_UNREACHABLE = 75;

/** The URL without its password, for messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable URL)";
  }
}

/** The embedded database's folder: --data, else `leaderboard/` under the user's data dir. */
function leaderboardDataDir(data?: string): string {
  return data ?? join(dataDir(), "leaderboard");
}

/** A file every Postgres (and PGlite) data dir holds at its top. */
const DATA_DIR_MARK = "PG_VERSION";

/**
 * Refuses a --data that cannot be the embedded database: a file, or a folder holding other
 * things. PGlite would otherwise fail with an unclear message, or write its files among them.
 */
async function checkDataDir(dir: string): Promise<void> {
  let entries: string[];
  try {
    if (!(await stat(dir)).isDirectory())
      throw new UsageError(
        `--data ${dir} is a file: give a folder for the embedded database (new, empty, or one serve made)`,
      );
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return; // created below
    throw error;
  }
  if (entries.length > 0 && !entries.includes(DATA_DIR_MARK)) {
    const shown = entries.slice(0, 3).join(", ") + (entries.length > 3 ? ", …" : "");
    throw new UsageError(
      `--data ${dir} holds other files (${shown}) and is not a rethink-bench database: ` +
        "give a new or empty folder, or one that `rethink-bench serve` made",
    );
  }
}

export interface LocalServer {
  url: string;
  /** Where the database lives, for messages. */
  where: string;
  close(): Promise<void>;
}

/** Starts the leaderboard on this machine, mapping start-up failures to clear CLI errors. */
export async function startLocalServer(options: ServeOptions): Promise<LocalServer> {
  const port = parseWholeNumber(options.port, "--port", 0, 65535);
  if (options.databaseUrl && !/^postgres(ql)?:\/\//.test(options.databaseUrl)) {
    throw new UsageError("--database-url must be a postgres:// (or postgresql://) URL");
  }
  if (options.publicUrl !== undefined && !/^https?:\/\/[^/?#\s]+\/?$/.test(options.publicUrl))
    throw new UsageError("--public-url must be a scheme and host, like https://board.example.org");
  const reproducerKeys = [process.env.REPRODUCER_KEYS ?? "", ...(options.reproducerKey ?? [])];
  const parsedKeys = await parseReproducerKeys(reproducerKeys.join(","));
  if (parsedKeys.errors.length > 0)
    throw new UsageError(`${parsedKeys.errors[0]} (from --reproducer-key or $REPRODUCER_KEYS)`);
  const data = options.databaseUrl ? undefined : leaderboardDataDir(options.data);
  const where = options.databaseUrl ? redact(options.databaseUrl) : `PGlite in ${data}`;
  if (data) {
    await checkDataDir(data);
    await mkdir(data, { recursive: true });
  }

  let server: RunningServer;
  try {
    server = await startServer({
      port,
      host: options.host,
      publicUrl: options.publicUrl,
      dataDir: data,
      databaseUrl: options.databaseUrl,
      adminToken: process.env.RETHINK_BENCH_ADMIN_TOKEN || undefined,
      reproducerKeys: [...parsedKeys.keys],
      responseCache: options.responseCache,
      log: (record) => process.stderr.write(`${JSON.stringify(record)}\n`),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE")
      throw new UsageError(`port ${port} on ${options.host} is already in use: pick another with --port`, {
        cause: error,
      });
    if (code === "EACCES")
      throw new UsageError(`not allowed to listen on port ${port} on ${options.host}`, { cause: error });
    const reason = (error as Error).message.split("\n")[0];
    if (options.databaseUrl)
      throw new CliError(`cannot open the database at ${where}: ${reason}`, DATABASE_UNREACHABLE, { cause: error });
    throw new InputError(`cannot open the embedded database in ${data}: ${reason}`, { cause: error });
  }
  return { url: server.url, where, close: () => server.close() };
}

/** Serves until SIGINT/SIGTERM, then finishes requests in flight and closes the database. */
export async function serveUntilSignal(server: LocalServer): Promise<void> {
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  process.stderr.write(`rethink-bench: ${signal}: finishing requests in flight and closing the database\n`);
  await server.close();
}

/** True when a rethink-bench server answers at `base` (its health route names the service). */
export async function isLeaderboardAt(base: string): Promise<boolean> {
  try {
    const response = await fetch(`${base}/api/v1/health`, { signal: AbortSignal.timeout(2000) });
    const body = (await response.json()) as { service?: unknown };
    return response.ok && body.service === "rethink-bench";
  } catch {
    return false;
  }
}

export async function serveCommand(options: ServeOptions): Promise<void> {
  const server = await startLocalServer(options);
  process.stdout.write(
    `rethink-bench: leaderboard at ${server.url}/ · API at ${server.url}/api/v1` +
      ` (database: ${server.where}); Ctrl-C stops it\n`,
  );
  await serveUntilSignal(server);
}
