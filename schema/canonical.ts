// Canonical JSON (RFC 8785, JCS): the one serialization that is signed and hashed.
import canonicalize from "canonicalize";

/**
 * The RFC 8785 canonical form of a JSON value: keys sorted by UTF-16 code units, numbers in
 * ECMAScript's shortest round-trip form, minimal string escapes, no whitespace.
 *
 * @example
 * canonicalJson({ b: 1, a: [1e21, "é"] }) // '{"a":[1e+21,"é"],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError("value has no JSON representation");
  return text;
}
