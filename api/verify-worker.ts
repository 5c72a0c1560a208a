// The verification thread: runs verifySubmission on the bodies api/verify-pool.ts posts and
// answers each with its result, so that a large bundle never blocks Node's event loop.
import { parentPort } from "node:worker_threads";
import type { VerifyAnswer, VerifyJob } from "./verify-pool.js";
import { verifySubmission } from "./verify-submission.js";

if (!parentPort) throw new Error("verify-worker.js runs as a worker thread of api/verify-pool.ts");
const port = parentPort;

port.on("message", async (job: VerifyJob) => {
  let answer: VerifyAnswer;
  try {
    answer = { id: job.id, result: await verifySubmission(job.body, job.context) };
  } catch (error) {
    // A bug, not a verdict on the bundle: the pool rejects the job and the app answers 500.
    answer = { id: job.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  port.postMessage(answer);
});
