// Rate limits: per client address for requests, per signing key for submissions. Counted by a
// limiter shared across instances where the entry gives one (the Worker: Cloudflare's binding),
// else in this process's memory in fixed windows (`serve`; docs/api.md, "Limits").
import { createMiddleware } from "hono/factory";
import type { AppContext, AppEnv, AppOptions } from "../env.js";
import type { RateLimit, RateLimitKind } from "../limits.js";
import { problem } from "../problem.js";

/** Beyond this many tracked keys, expired windows are swept on the next hit. */
const SWEEP_ABOVE_KEYS = 10_000;

export interface RateDecision {
  allowed: boolean;
  limit: number;
  /** What is left in the window; null where a shared limiter counts and does not say. */
  remaining: number | null;
  /** Seconds until the current window ends (at most, when a shared limiter counts). */
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

/**
 * Counts hits per key with the entry's shared limiter for `kind` when it has one, else with a
 * FixedWindowCounter of this process. `scope` keeps apart what shares a limiter but is counted
 * apart (submissions and reproductions of one key).
 */
export class RateGate {
  private readonly counter: FixedWindowCounter;

  constructor(
    private readonly rule: RateLimit,
    private readonly shared?: { kind: RateLimitKind; scope: string; limiterOf: AppOptions["rateLimiter"] },
  ) {
    this.counter = new FixedWindowCounter(rule);
  }

  async hit(c: AppContext, key: string): Promise<RateDecision> {
    const shared = this.shared;
    const limiter = shared?.limiterOf?.(c, shared.kind);
    if (!shared || !limiter) return this.counter.hit(key);
    const { success } = await limiter.limit({ key: `${shared.scope}:${key}` });
    // The binding says only yes or no: a refused client waits at most one whole period.
    return {
      allowed: success,
      limit: this.rule.limit,
      remaining: success ? null : 0,
      resetSeconds: this.rule.windowSeconds,
    };
  }
}

/** The RateLimit headers (IETF draft) that tell a client where it stands, as far as it is known. */
function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  if (decision.remaining === null) return { "RateLimit-Limit": String(decision.limit) };
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
 * A middleware that allows `rule.limit` requests per window per `keyOf(c)`, counted by `shared`'s
 * limiter where the entry has one (RateGate).
 *
 * @example
 * app.use(rateLimit({ limit: 600, windowSeconds: 60 }, (c) => clientAddress(c), "requests from this address"))
 */
export function rateLimit(
  rule: RateLimit,
  keyOf: (c: AppContext) => string,
  what: string,
  shared?: ConstructorParameters<typeof RateGate>[1],
) {
  const gate = new RateGate(rule, shared);
  return createMiddleware<AppEnv>(async (c, next) => {
    const decision = await gate.hit(c, keyOf(c));
    if (!decision.allowed) return tooManyRequests(c, decision, what);
    await next();
    for (const [name, value] of Object.entries(rateLimitHeaders(decision))) c.res.headers.set(name, value);
  });
}
