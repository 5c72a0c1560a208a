// Fixed-window rate limits kept in memory: per client address for requests, per signing key
// for submissions. In the Worker the counts are per isolate (see docs/api.md).
import { createMiddleware } from "hono/factory";
import type { AppContext, AppEnv } from "../env.js";
import type { RateLimit } from "../limits.js";
import { problem } from "../problem.js";

/** Beyond this many tracked keys, expired windows are swept on the next hit. */
const SWEEP_ABOVE_KEYS = 10_000;

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the current window ends. */
  resetSeconds: number;
}

/** Counts hits per key in fixed windows of `windowSeconds`. */
export class FixedWindowCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly rule: RateLimit) {
    if (!(rule.limit > 0) || !(rule.windowSeconds > 0))
      throw new RangeError("a rate limit needs a positive limit and window");
  }

  hit(key: string, nowMs = Date.now()): RateDecision {
    const windowMs = this.rule.windowSeconds * 1000;
    if (this.windows.size > SWEEP_ABOVE_KEYS) {
      for (const [k, w] of this.windows) if (nowMs - w.start >= windowMs) this.windows.delete(k);
    }
    let window = this.windows.get(key);
    if (!window || nowMs - window.start >= windowMs) {
      window = { start: nowMs, count: 0 };
      this.windows.set(key, window);
    }
    window.count += 1;
    return {
      allowed: window.count <= this.rule.limit,
      limit: this.rule.limit,
      remaining: Math.max(0, this.rule.limit - window.count),
      resetSeconds: Math.max(1, Math.ceil((window.start + windowMs - nowMs) / 1000)),
    };
  }
}

/** The RateLimit headers (IETF draft) that tell a client where it stands. */
function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  return {
    "RateLimit-Limit": String(decision.limit),
    "RateLimit-Remaining": String(decision.remaining),
    "RateLimit-Reset": String(decision.resetSeconds),
  };
}

/** A 429 problem with Retry-After. */
export function tooManyRequests(c: AppContext, decision: RateDecision, what: string) {
  return problem(
    c,
    "rate-limited",
    `${what}: at most ${decision.limit} per window; retry in ${decision.resetSeconds} s`,
    {
      headers: { ...rateLimitHeaders(decision), "Retry-After": String(decision.resetSeconds) },
    },
  );
}

/**
 * A middleware that allows `rule.limit` requests per window per `keyOf(c)`.
 *
 * @example
 * app.use(rateLimit({ limit: 600, windowSeconds: 60 }, (c) => clientAddress(c), "requests from this address"))
 */
export function rateLimit(rule: RateLimit, keyOf: (c: AppContext) => string, what: string) {
  const counter = new FixedWindowCounter(rule);
  return createMiddleware<AppEnv>(async (c, next) => {
    const decision = counter.hit(keyOf(c));
    if (!decision.allowed) return tooManyRequests(c, decision, what);
    await next();
    for (const [name, value] of Object.entries(rateLimitHeaders(decision))) c.res.headers.set(name, value);
  });
}
