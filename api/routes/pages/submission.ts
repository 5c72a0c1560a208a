// GET /submissions/:id (the link `rethink-bench submit` prints) and /submissions/:id/bundle,
// its signed envelope as a file. A hidden submission answers 410 with the moderation reason.
import type { Context, Hono, MiddlewareHandler } from "hono";
import { SubmissionId } from "../../../schema/index.js";
import { HiddenSubmissionPage, SubmissionPage } from "../../../web/index.js";
import { listReproductions } from "../../db/queries/reproductions.js";
import { listSubmissionRuns } from "../../db/queries/runs.js";
import { findSubmission, type SubmissionRecord } from "../../db/queries/submissions.js";
import type { AppEnv, ResolvedOptions } from "../../env.js";
import { findKnownSuite } from "../../known-suites.js";
import { assetsOf, CACHE, errorPage, renderPage, suiteTag } from "./page-response.js";

type Found<S> = { ok: true; submission: S } | { ok: false; response: Response };

/** The visible submission of the path, as `find` reads it, or the page that says why there is none. */
async function visibleSubmission<S extends SubmissionRecord>(
  options: ResolvedOptions,
  c: Context<AppEnv>,
  find: (id: string) => Promise<S | undefined>,
): Promise<Found<S>> {
  const id = c.req.param("id") ?? "";
  const submission = SubmissionId.safeParse(id).success ? await find(id) : undefined;
  if (!submission)
    return {
      ok: false,
      response: await errorPage(options, c, 404, "No such submission", `There is no submission ${id} on this server.`),
    };
  if (submission.status === "hidden") {
    const hidden = submission.moderation.findLast((m) => m.action === "hide");
    const page = HiddenSubmissionPage({ id, hidden, assets: await assetsOf(options, c) });
    return { ok: false, response: await renderPage(c, page, { status: 410, cacheControl: CACHE.none }) };
  }
  return { ok: true, submission };
}

export function registerSubmissionPages(
  pages: Hono<AppEnv>,
  options: ResolvedOptions,
  reading: MiddlewareHandler<AppEnv>[],
) {
  pages.use("/submissions/:id", ...reading);
  pages.get("/submissions/:id", async (c) => {
    const found = await visibleSubmission(options, c, (id) => findSubmission(c.var.db, id));
    if (!found.ok) return found.response;
    const { submission } = found;
    const [runs, known, reproductions] = await Promise.all([
      listSubmissionRuns(c.var.db, submission.id),
      findKnownSuite(submission.suite.id, submission.suite.version),
      listReproductions(c.var.db, submission.id),
    ]);
    const page = SubmissionPage({
      submission,
      runs,
      reproductions,
      suiteTitle: known?.suite.title,
      // The configured URL, never the request's: its Host header is the client's, and this page is cached.
      origin: options.publicUrl?.(c)?.replace(/\/+$/, ""),
      assets: await assetsOf(options, c),
    });
    return renderPage(c, page, {
      cacheControl: CACHE.board,
      tags: [suiteTag(submission.suite), `rb-submission-${submission.id}`],
    });
  });

  pages.use("/submissions/:id/bundle", ...reading);
  pages.get("/submissions/:id/bundle", async (c) => {
    const found = await visibleSubmission(options, c, (id) => findSubmission(c.var.db, id, { envelope: true }));
    if (!found.ok) return found.response;
    const { submission } = found;
    return c.body(`${JSON.stringify(submission.envelope)}\n`, 200, {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${submission.id}.dsse.json"`,
      "Cache-Control": CACHE.board,
      "Cache-Tag": `rb-page,${suiteTag(submission.suite)},rb-submission-${submission.id}`,
    });
  });
}
