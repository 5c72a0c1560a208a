// Where rethink-bench keeps its files: XDG base directories, each overridable by one env var.
import { homedir } from "node:os";
import { join } from "node:path";

type Env = Record<string, string | undefined>;

function xdg(env: Env, variable: string, fallback: string): string {
  return join(env[variable] || join(homedir(), fallback), "rethink-bench");
}

/**
 * Keys and settings: `$RETHINK_BENCH_CONFIG_DIR`, else `$XDG_CONFIG_HOME/rethink-bench`, else
 * `~/.config/rethink-bench`.
 */
export function configDir(env: Env = process.env): string {
  return env.RETHINK_BENCH_CONFIG_DIR || xdg(env, "XDG_CONFIG_HOME", ".config");
}

/**
 * Downloaded datasets: `$RETHINK_BENCH_CACHE_DIR`, else `$XDG_CACHE_HOME/rethink-bench`, else
 * `~/.cache/rethink-bench`.
 */
export function cacheDir(env: Env = process.env): string {
  return env.RETHINK_BENCH_CACHE_DIR || xdg(env, "XDG_CACHE_HOME", ".cache");
}

/**
 * The local leaderboard database and the submission outbox: `$RETHINK_BENCH_DATA_DIR`, else
 * `$XDG_DATA_HOME/rethink-bench`, else `~/.local/share/rethink-bench`.
 */
export function dataDir(env: Env = process.env): string {
  return env.RETHINK_BENCH_DATA_DIR || xdg(env, "XDG_DATA_HOME", join(".local", "share"));
}
