// `serve`'s response store: what the Worker keeps in the Cache API, kept in this process's memory
// (lru-cache) — each response for its own s-maxage, all of them within a byte budget — and
// forgotten at once when this process writes (docs/api.md, "Caching").
import { LRUCache } from "lru-cache";
import type { AppOptions, ResponseStore } from "./env.js";

/** The memory all stored responses may take together: a few thousand board pages. */
export const DEFAULT_RESPONSE_CACHE_BYTES = 64 * 1024 * 1024;

/** lru-cache advises a bound on the count beside the one on size; a URL's entry is small. */
const MAX_ENTRIES = 10_000;

/** A response as kept: its bytes, never a Response (a body can be read once only). */
interface StoredResponse {
  status: number;
  headers: [string, string][];
  body: Uint8Array<ArrayBuffer>;
  /** On the cache's clock (ms), for the Age header of a hit. */
  storedAtMs: number;
}

export interface MemoryResponseCacheOptions {
  /** The bound on what all entries hold together, bodies and headers (default 64 MiB). */
  maxBytes?: number;
  /** The clock in milliseconds (default performance.now), for tests that step time. */
  now?: () => number;
}

/**
 * The s-maxage of a Cache-Control value in seconds, or undefined when it has none.
 *
 * @example
 * sharedMaxAgeSeconds("public, max-age=5, s-maxage=10") // 10
 */
export function sharedMaxAgeSeconds(cacheControl: string | null): number | undefined {
  const match = /(?:^|,)\s*s-maxage\s*=\s*"?(\d+)"?\s*(?=,|$)/i.exec(cacheControl ?? "");
  return match ? Number(match[1]) : undefined;
}

/**
 * Whole responses in memory, keyed by cache name and full URL. `store(name)` gives the view one
 * read uses: what it puts is dropped when the cache was cleared after the read began, so a read
 * that raced a write never leaves the board from before the write behind it.
 *
 * @example
 * const cache = new MemoryResponseCache()
 * createApp({ ...options, ...responseCacheOptions(cache) })
 */
export class MemoryResponseCache {
  private readonly entries: LRUCache<string, StoredResponse>;
  private readonly now: () => number;
  /** Counts clears: a view keeps what it puts only while this is what it was at its start. */
  private generation = 0;

  constructor(options: MemoryResponseCacheOptions = {}) {
    const now = options.now ?? (() => performance.now());
    this.now = now;
    this.entries = new LRUCache<string, StoredResponse>({
      max: MAX_ENTRIES,
      maxSize: options.maxBytes ?? DEFAULT_RESPONSE_CACHE_BYTES,
      // lru-cache needs a positive size; headers count too, so an empty body is not free.
      sizeCalculation: (entry) =>
        Math.max(1, entry.body.byteLength + entry.headers.reduce((sum, [k, v]) => sum + k.length + v.length, 0)),
      perf: { now },
      // Read the clock at every look-up: the default caches it for a millisecond, which a
      // stepped test clock would see as time standing still.
      ttlResolution: 0,
    });
  }

  /** The view of `cacheName` for one read, tied to the cache as it is now. */
  store(cacheName: string): ResponseStore {
    const generation = this.generation;
    return {
      match: async (request) => this.match(`${cacheName} ${request.url}`),
      put: async (request, response) => this.put(`${cacheName} ${request.url}`, response, generation),
    };
  }

  /** Forgets every entry, and what reads begun before now would put. */
  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }

  /** How many responses are kept. */
  get size(): number {
    return this.entries.size;
  }

  /** What the kept responses take, in bytes as counted against the bound. */
  get bytes(): number {
    return this.entries.calculatedSize;
  }

  private match(key: string): Response | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const response = new Response(entry.body, { status: entry.status, headers: entry.headers });
    // As a shared cache says it: how long ago the copy was made, so a browser's max-age counts from then.
    response.headers.set("Age", String(Math.floor((this.now() - entry.storedAtMs) / 1000)));
    return response;
  }

  private async put(key: string, response: Response, generation: number): Promise<void> {
    const ttlSeconds = sharedMaxAgeSeconds(response.headers.get("cache-control"));
    if (!ttlSeconds || generation !== this.generation) return;
    const body = new Uint8Array(await response.arrayBuffer());
    // A write may have cleared the cache while the body was read.
    if (generation !== this.generation) return;
    this.entries.set(
      key,
      { status: response.status, headers: [...response.headers], body, storedAtMs: this.now() },
      { ttl: ttlSeconds * 1000 },
    );
  }
}

/**
 * The app options that put `cache` in front of the reads that rank and clear it on every write
 * the app answers; with none, no response is kept (not even in a Cache API the runtime may have).
 *
 * @example
 * createApp({ ...options, ...responseCacheOptions(new MemoryResponseCache()) })
 */
export function responseCacheOptions(
  cache: MemoryResponseCache | undefined,
): Required<Pick<AppOptions, "responseCache" | "onWrite">> {
  return { responseCache: (_c, cacheName) => cache?.store(cacheName), onWrite: () => cache?.clear() };
}
