// Postgres text and jsonb cannot hold U+0000 (legal in JSON and in canonical JSON). Such
// strings are refused with their paths, never altered. (Lone surrogates never get this far:
// they have no canonical form, so the bundle is refused as non-canonical.)
import { formatPath, type PathError } from "./signed-statement.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching U+0000 is this module's purpose.
const UNSTORABLE = /\u0000/;
const MAX_REPORTED = 20;

/**
 * Paths of the strings (values and object keys) in `value` that Postgres cannot store.
 *
 * @example
 * findUnstorableText({ a: ["ok", "x\u0000"] }) // [{ path: "a[1]", message: … }]
 */
export function findUnstorableText(value: unknown, path: PropertyKey[] = [], found: PathError[] = []): PathError[] {
  if (found.length >= MAX_REPORTED) return found;
  if (typeof value === "string") {
    if (UNSTORABLE.test(value))
      found.push({ path: formatPath(path) || "(root)", message: "contains U+0000, which Postgres cannot store" });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      findUnstorableText(item, [...path, i], found);
    });
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (UNSTORABLE.test(key))
        found.push({
          path: formatPath([...path, key]),
          message: "this key contains U+0000, which Postgres cannot store",
        });
      findUnstorableText(item, [...path, key], found);
    }
  }
  return found;
}
