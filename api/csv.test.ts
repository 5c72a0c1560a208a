import { describe, expect, it } from "vitest";
import { toCsv } from "./csv.js";

describe("toCsv", () => {
  it("quotes what RFC 4180 needs quoted and leaves the rest", () => {
    expect(
      toCsv(
        ["a", "b"],
        [
          ["x,y", 'say "hi"'],
          ["line\nbreak", " padded"],
          [null, -0.25],
        ],
      ),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak"," padded"\r\n,-0.25\r\n');
  });

  it("defuses text a spreadsheet would run as a formula, but not numbers", () => {
    expect(
      toCsv(
        ["name", "gap"],
        [
          ['=HYPERLINK("http://x")', -0.1],
          ["@SUM(A1)", 0],
          ["+1", 1],
        ],
      ),
    ).toBe('name,gap\r\n"\'=HYPERLINK(""http://x"")",-0.1\r\n\'@SUM(A1),0\r\n\'+1,1\r\n');
  });
});
