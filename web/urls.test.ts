import { describe, expect, it } from "vitest";
import { apiBoardMeasuresHref, apiLeaderboardHref, contestEvidenceHref, leaderboardHref } from "./urls.js";

const SUB = `sub_${"1".repeat(32)}`;
const LATER = `sub_${"2".repeat(32)}`;
const REP = `rep_${"9".repeat(32)}`;
const view = { suite: "quick", version: 1, dataset: "mnist-10k", rank: "gap", backend: null, page: 1 } as const;

describe("board links", () => {
  it("carry the verified filter the URL gave, and leave it out when the URL had none", () => {
    expect(leaderboardHref(view)).toBe("/?suite=quick&version=1&dataset=mnist-10k&rank=gap");
    expect(leaderboardHref({ ...view, backend: "wasm", verified: "all", page: 2 })).toBe(
      "/?suite=quick&version=1&dataset=mnist-10k&rank=gap&backend=wasm&verified=all&page=2",
    );
    expect(apiLeaderboardHref({ ...view, verified: "only" }, { limit: 50 })).toBe(
      "/api/v1/leaderboard?suite=quick&version=1&dataset=mnist-10k&rank=gap&verified=only&limit=50",
    );
  });
});

describe("measures export links", () => {
  it("name the board and its filters, JSON by default and CSV on request", () => {
    const board = { suite: "quick", version: 2, dataset: "mnist-10k" };
    expect(apiBoardMeasuresHref(board, { backend: null })).toBe(
      "/api/v1/leaderboard/measures?suite=quick&version=2&dataset=mnist-10k",
    );
    expect(apiBoardMeasuresHref(board, { backend: "wasm", verified: "only" }, "csv")).toBe(
      "/api/v1/leaderboard/measures?suite=quick&version=2&dataset=mnist-10k&backend=wasm&verified=only&format=csv",
    );
  });
});

describe("contest evidence", () => {
  it("links the reproduction on the contested submission's page when a reproduction contests it", () => {
    const evidence = { slots: 1, submissionId: SUB, reproductionId: REP, contestingSubmissionId: null };
    expect(contestEvidenceHref(evidence)).toBe(`/submissions/${SUB}#${REP}`);
  });

  it("links the later submission when one contests it", () => {
    const evidence = { slots: 2, submissionId: SUB, reproductionId: null, contestingSubmissionId: LATER };
    expect(contestEvidenceHref(evidence)).toBe(`/submissions/${LATER}`);
  });
});
