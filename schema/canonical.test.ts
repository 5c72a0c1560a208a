// RFC 8785 (JCS) examples give exactly the bytes the RFC prints.
import { describe, expect, it } from "vitest";
import { canonicalJson, toHex, utf8 } from "./index.js";

describe("canonicalJson (RFC 8785)", () => {
  it("reproduces the RFC's §3.2.2 example byte for byte", () => {
    // The input of RFC 8785 §3.2.2, as JSON text (escapes and number spellings included).
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    const expected =
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
      String.raw`"string":"€$\u000f\nA'B\"\\\\\"/"}`;
    const out = canonicalJson(JSON.parse(input));
    expect(out).toBe(expected);
    // §3.2.4 prints the UTF-8 bytes: the euro sign is e2 82 ac and \u000f stays escaped.
    expect(toHex(utf8.encode(out)).slice(0, 40)).toBe("7b226c69746572616c73223a5b6e756c6c2c7472");
    expect(toHex(utf8.encode(out))).toContain("e282ac245c7530303066");
  });

  it("sorts keys by UTF-16 code units (RFC 8785 §3.2.3 example)", () => {
    const input = JSON.parse(String.raw`{
      "\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`);
    const keys = Object.keys(JSON.parse(canonicalJson(input)) as object);
    // JSON.parse re-orders integer-like keys, so read the order off the text instead.
    const order = [...canonicalJson(input).matchAll(/"([^"]*)":"([^"]*)"/g)].map((m) => m[2]);
    expect(keys).toHaveLength(7);
    expect(order).toEqual([
      "Carriage Return",
      "One",
      "Control",
      "Latin Small Letter O With Diaeresis",
      "Euro Sign",
      "Emoji: Grinning Face",
      "Hebrew Letter Dalet With Dagesh",
    ]);
  });

  it.each([
    [0, "0"],
    [-0, "0"],
    [1e21, "1e+21"],
    [1e-7, "1e-7"],
    [9007199254740992, "9007199254740992"],
    [295147905179352830000, "295147905179352830000"],
    [-5e-324, "-5e-324"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [0.1 + 0.2, "0.30000000000000004"],
  ])("serializes the number %s as %s (ECMAScript shortest round trip)", (value, text) => {
    expect(canonicalJson(value)).toBe(text);
  });

  it("refuses values JSON cannot represent", () => {
    expect(() => canonicalJson(Number.NaN)).toThrow();
    expect(() => canonicalJson(Number.POSITIVE_INFINITY)).toThrow();
  });
});
