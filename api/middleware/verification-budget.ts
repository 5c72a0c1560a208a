// A per-address budget on verification work, beside the request counts of rate-limit.ts: a
// client may spend at most `limit` milliseconds of the server's verification time per window.
// Counting requests alone would let four 14 MB bundles a minute keep a core busy for good.
import { createMiddleware } from "hono/factory";
import type { AppContext, AppEnv } from "../env.js";
import type { RateLimit } from "../limits.js";
import { type RateDecision, tooManyRequests } from "./rate-limit.js";

/** Beyond this many tracked keys, expired windows are swept on the next charge. */
const SWEEP_ABOVE_KEYS = 10_000;

/**
 * Milliseconds of work per key in fixed windows of `windowSeconds`. Work is charged after it
 * is done (its cost is known only then), so the request that crosses the limit completes and
 * the ones after it are refused until the window ends.
 */
export class WorkBudget {
  private readonly windows = new Map<string, { start: number; spentMs: number }>();

  constructor(private readonly rule: RateLimit) {
    if (!(rule.limit > 0) || !(rule.windowSeconds > 0))
      throw new RangeError("a work budget needs a positive limit (ms) and window");
  }

  private get windowMs(): number {
    return this.rule.windowSeconds * 1000;
  }

  /** The window `key` is in at `nowMs`; undefined when it has none or its last one has ended. */
  private current(key: string, nowMs: number) {
    const window = this.windows.get(key);
    return window && nowMs - window.start < this.windowMs ? window : undefined;
  }

  /** Whether `key` may start more work now, with what is left of its budget (whole ms). */
  check(key: string, nowMs = Date.now()): RateDecision {
    const { limit, windowSeconds } = this.rule;
    const window = this.current(key, nowMs);
    if (!window) return { allowed: true, limit, remaining: limit, resetSeconds: windowSeconds };
    return {
      allowed: window.spentMs < limit,
      limit,
      remaining: Math.max(0, Math.floor(limit - window.spentMs)),
      resetSeconds: Math.max(1, Math.ceil((window.start + this.windowMs - nowMs) / 1000)),
    };
  }

  /** Adds `ms` of work done for `key`. */
  charge(key: string, ms: number, nowMs = Date.now()): void {
    if (this.windows.size > SWEEP_ABOVE_KEYS)
      for (const k of this.windows.keys()) if (!this.current(k, nowMs)) this.windows.delete(k);
    let window = this.current(key, nowMs);
    if (!window) {
      window = { start: nowMs, spentMs: 0 };
      this.windows.set(key, window);
    }
    window.spentMs += ms;
  }
}

/**
 * A middleware that refuses (429, Retry-After) a client whose verification budget is spent,
 * before its body is read. The handler that does the work charges it with `budget.charge`.
 *
 * @example
 * const budget = new WorkBudget({ limit: 20_000, windowSeconds: 60 })
 * router.post("/", verificationBudget(budget, clientAddress), handler) // handler: budget.charge(address, ms)
 */
export function verificationBudget(budget: WorkBudget, keyOf: (c: AppContext) => string) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const decision = budget.check(keyOf(c));
    if (!decision.allowed) return tooManyRequests(c, decision, "verification milliseconds for this address");
    await next();
  });
}
