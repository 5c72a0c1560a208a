// Reading `reproduce TARGET`: a submission id, a page or API URL (whose origin and base path are
// the API), or a file.
import { describe, expect, it } from "vitest";
import { CliError } from "../errors.js";
import { parseTarget } from "./target.js";

const id = `sub_${"3f2a".repeat(8)}`;
const api = "https://rethink-bench.org";

describe("parseTarget", () => {
  it("reads a submission id as one on --api", () => {
    expect(parseTarget(id, api)).toEqual({ kind: "submission", id, api });
  });

  it.each([
    [`https://board.example/submissions/${id}`, "https://board.example"],
    [`https://board.example/api/v1/submissions/${id}`, "https://board.example"],
    [`http://127.0.0.1:8787/submissions/${id}/`, "http://127.0.0.1:8787"],
    [`https://host.example/bench/submissions/${id}?tab=runs`, "https://host.example/bench"],
  ])("takes %s's own API, %s", (url, base) => {
    expect(parseTarget(url, api)).toEqual({ kind: "submission", id, api: base });
  });

  it("refuses a URL that is not a submission's", () => {
    expect(() => parseTarget("https://board.example/architectures/abc", api)).toThrow(CliError);
    expect(() => parseTarget("https://board.example/architectures/abc", api)).toThrow(/not a submission's URL/);
  });

  it("takes anything else as a bundle file", () => {
    expect(parseTarget("rethink-results/smoke-c664201546ae.dsse.json", api)).toEqual({
      kind: "file",
      path: "rethink-results/smoke-c664201546ae.dsse.json",
    });
  });
});
