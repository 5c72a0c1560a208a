// The API's size and rate limits, in one place (docs/api.md explains each figure).

/**
 * Largest request body, in bytes. A complete `paper`-suite bundle (4 architectures, 62
 * architecture × condition pairs, 3 seeds: 186 runs of 100 epochs with 50,000 + 10,000
 * predictions) is about 13.3 MiB as an envelope; 16 MiB leaves room for long topologies.
 */
export const MAX_BODY_BYTES = 16 * 2 ** 20;

/**
 * Deepest row of the leaderboard a page may start at: the API's cursors and the web pages'
 * `page` parameter both stop here, so every page links to a download the API answers.
 */
export const MAX_BOARD_OFFSET = 1_000_000;

/** A fixed window: at most `limit` requests per `windowSeconds`. */
export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

export interface RateLimits {
  /** Every request, per client address. */
  requests: RateLimit;
  /** `POST /submissions`, per client address. */
  submissions: RateLimit;
  /** Verified submissions per signing key. */
  submissionsPerKey: RateLimit;
  /** Milliseconds of verification work per client address (`limit` is in ms, not requests). */
  verificationMs: RateLimit;
}

/** The limits that count requests (not work): the ones Cloudflare's rate-limiting binding can hold globally. */
export type RateLimitKind = Exclude<keyof RateLimits, "verificationMs">;

/**
 * A limiter shared by every instance of the app: Cloudflare's rate-limiting binding (wrangler.toml
 * `[[ratelimits]]`) as the Worker sees it. `success` is false once `key` used up its limit in the
 * current period.
 */
export interface SharedRateLimiter {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  requests: { limit: 600, windowSeconds: 60 },
  submissions: { limit: 30, windowSeconds: 60 },
  submissionsPerKey: { limit: 120, windowSeconds: 3600 },
  // A third of one core per address: a complete paper-suite bundle takes a few seconds.
  verificationMs: { limit: 20_000, windowSeconds: 60 },
};

/**
 * The limits the Worker holds through Cloudflare's rate-limiting binding: the same figures as
 * wrangler.toml's `[[ratelimits]]` (whose periods can only be 10 or 60 seconds), which the
 * Worker cannot read back, so its 429s and RateLimit-Limit headers quote these. Per signing key
 * the binding has no hour: 10 a minute (at most 600 an hour, against `serve`'s 120), across every
 * isolate of a location instead of per isolate (docs/api.md, "Limits").
 */
export const WORKER_RATE_LIMITS: RateLimits = {
  ...DEFAULT_RATE_LIMITS,
  submissionsPerKey: { limit: 10, windowSeconds: 60 },
};
