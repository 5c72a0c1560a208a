// The app's options with every default filled in, as the routes receive them.
import type { AppOptions } from "../../env.js";
import type { RateLimits } from "../../limits.js";

export type ResolvedOptions = Omit<AppOptions, "rateLimits"> & { rateLimits: RateLimits };
