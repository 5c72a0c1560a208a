// `rethink-bench reproduce TARGET`: train a submission's runs again, compare them epoch by epoch
// with the signed original, and sign the verdicts into a reproduction attestation (DESIGN §4);
// with --watch, the operator's daemon that works through the server's reproduction queue.
import { join } from "node:path";
import { InputError, NotSentError, UsageError, VerificationError } from "../errors.js";
import { loadOrCreateKey } from "../keys.js";
import { Outbox } from "../outbox.js";
import { configDir, dataDir } from "../paths.js";
import { finalLine, negativeRuns, verdictTable } from "../reproduce/report.js";
import {
  choosePositions,
  type ReproductionOptions,
  reproduceOriginal,
  reproductionJson,
} from "../reproduce/reproduction.js";
import { loadOriginal, parseTarget } from "../reproduce/target.js";
import { watchQueue } from "../reproduce/watch.js";
import { parseWholeNumber } from "./option-parsers.js";
import { apiBase } from "./submit.js";

export interface ReproduceOptions extends ReproductionOptions {
  api?: string;
  submit?: boolean;
  watch?: boolean;
  once?: boolean;
  poll: string;
}

export async function reproduceCommand(target: string | undefined, options: ReproduceOptions): Promise<void> {
  const say = (message: string) => process.stderr.write(`${message}\n`);
  const { signer } = await loadOrCreateKey(configDir());
  const outbox = new Outbox(join(dataDir(), "outbox"));
  if (options.watch) {
    if (target) throw new UsageError("--watch takes its work from the server's queue: name no TARGET");
    if ((options.runs ?? "all") !== "all" || options.sample || options.sampleSeed)
      throw new UsageError("--watch reproduces what the queue lists: no --runs or --sample");
    const api = apiBase(options.api);
    const context = { options, signer, outbox, api, target: "", say };
    return watchQueue(api, context, {
      once: Boolean(options.once),
      pollSeconds: parseWholeNumber(options.poll, "--poll", 1),
    });
  }
  if (options.once) throw new UsageError("--once belongs with --watch");
  if (!target) throw new UsageError("name what to reproduce: a submission id (sub_…), its URL, or a bundle file");
  const parsed = parseTarget(target, apiBase(options.api));
  const original = await loadOriginal(parsed, options);
  const positions = choosePositions(options, original, say);
  const api = options.submit
    ? options.api
      ? apiBase(options.api)
      : parsed.kind === "submission"
        ? parsed.api
        : apiBase()
    : null;
  const reproduced = await reproduceOriginal(original, positions, { options, signer, outbox, api, target, say });
  const { predicate, attestationPath, delivery } = reproduced;
  if (options.json) {
    process.stdout.write(`${JSON.stringify(reproductionJson(reproduced))}\n`);
  } else {
    process.stdout.write(
      `${verdictTable(predicate)}\n\n${finalLine(predicate)}\nAttestation: ${attestationPath}\n` +
        `Verify it with: rethink-bench verify ${attestationPath}\n`,
    );
  }
  // A negative verdict is a result worth publishing: it is written (and sent) before this exit.
  const negative = negativeRuns(predicate);
  if (negative > 0)
    throw new VerificationError(
      `${negative} of ${predicate.runs.length} run${predicate.runs.length === 1 ? "" : "s"} did not reproduce`,
    );
  if (delivery?.kind === "refused") throw new VerificationError("the leaderboard refused the attestation");
  if (delivery?.kind === "unavailable")
    throw new NotSentError("the attestation waits in the outbox: rethink-bench submit --retry");
  if (reproduced.unfinished.length > 0)
    throw new InputError(
      `run${reproduced.unfinished.length === 1 ? "" : "s"} ${reproduced.unfinished.map((u) => u.position).join(", ")} ` +
        `could not be trained on this machine and are not attested; the same command trains them again`,
    );
}
