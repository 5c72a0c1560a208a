// What a route that takes a signed document (a result bundle, a reproduction attestation) checks
// before it reads the body, in order: the address's request rate, its verification budget, the
// body's size, and a JSON media type. Such routes parse their raw bytes themselves (signatures
// are over the exact bytes), so none of this is left to a body validator.
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { every } from "hono/combine";
import type { AppEnv, ResolvedOptions } from "../../env.js";
import { MAX_BODY_BYTES } from "../../limits.js";
import { rateLimit } from "../../middleware/rate-limit.js";
import { verificationBudget, type WorkBudget } from "../../middleware/verification-budget.js";
import { problem } from "../../problem.js";

/** What the OpenAPI document's body type accepts (as @hono/zod-openapi checks it), parameters allowed. */
const JSON_MEDIA_TYPE = /^application\/([a-z.-]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;

/**
 * The guards of a signed-document route. `names.document` is the body in messages ("a bundle"),
 * `names.requests` what the rate limit counts ("submissions"); `budget` is the route's own
 * verification budget.
 *
 * @example
 * router.post(route.path, signedBodyGuards(options, budget, { document: "a bundle", requests: "submissions" }), handler)
 */
export function signedBodyGuards(
  options: ResolvedOptions,
  budget: WorkBudget,
  names: { document: string; requests: string },
): MiddlewareHandler<AppEnv> {
  return every(
    rateLimit(options.rateLimits.submissions, options.clientAddress, `${names.requests} from this address`, {
      kind: "submissions",
      scope: names.requests,
      limiterOf: options.rateLimiter,
    }),
    verificationBudget(budget, options.clientAddress),
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => problem(c, "payload-too-large", `${names.document} may be at most ${MAX_BODY_BYTES} bytes`),
    }),
    async (c, next) => {
      if (!JSON_MEDIA_TYPE.test(c.req.header("content-type") ?? ""))
        return problem(c, "unsupported-media-type", "send the body as application/json");
      await next();
    },
  );
}
