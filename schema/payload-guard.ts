// Checks on a parsed payload's raw structure, made before any schema can drop or rename what it
// holds: prototype-polluting keys, nesting deep enough to overflow a recursive walk, and names
// with characters that make text read differently from what it is.
import { UNSAFE_TEXT } from "./contract/index.js";

/**
 * The deepest nesting a payload may have, counting the statement itself as level 1. The deepest
 * legitimate branch is a functional topology's inbound node: statement → predicate →
 * architectures → [i] → topology → config → layers → [j] → inbound_nodes → [node] → [tensor]
 * → kwargs, level 12 (a layer's initializer config is level 11). A model nested inside a
 * model adds about 6 levels; 64 leaves room for several such nestings, and every walk that
 * follows stays far inside the JavaScript stack.
 *
 * @example
 * MAX_PAYLOAD_DEPTH // 64
 */
export const MAX_PAYLOAD_DEPTH = 64;

/**
 * Keys that JavaScript objects treat specially: zod drops `__proto__` from what it parses (so
 * a digest of the parsed value is not a digest of what was signed), and code that copies
 * objects key by key may change a prototype through them.
 */
const HOSTILE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

export type PayloadProblem = { code: "hostile-structure" | "bad-name"; path: string; message: string };

function pathOf(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  const name = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
  return parent ? `${parent}.${name}` : name;
}

/**
 * The first place where a parsed payload nests deeper than `MAX_PAYLOAD_DEPTH` or has a
 * `__proto__`, `constructor` or `prototype` key, found by an iterative walk (a recursive one
 * would overflow the stack on the very payloads it must refuse). Null when there is none.
 *
 * @example
 * findHostileStructure(JSON.parse('{"a":{"__proto__":{}}}')) // { code: "hostile-structure", path: "a.__proto__", … }
 */
export function findHostileStructure(value: unknown): PayloadProblem | null {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: "", depth: 1 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item.value !== "object" || item.value === null) continue;
    const path = item.path || "(root)";
    if (item.depth > MAX_PAYLOAD_DEPTH)
      return { code: "hostile-structure", path, message: `nests deeper than ${MAX_PAYLOAD_DEPTH} levels` };
    if (Array.isArray(item.value)) {
      for (const [i, child] of item.value.entries())
        stack.push({ value: child, path: pathOf(item.path, i), depth: item.depth + 1 });
      continue;
    }
    // JSON.parse makes every key an own property, `__proto__` included, so Object.keys sees them all.
    for (const key of Object.keys(item.value)) {
      if (HOSTILE_KEYS.has(key))
        return { code: "hostile-structure", path: pathOf(item.path, key), message: `the key "${key}" is not allowed` };
      stack.push({
        value: (item.value as Record<string, unknown>)[key],
        path: pathOf(item.path, key),
        depth: item.depth + 1,
      });
    }
  }
  return null;
}

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * The names and descriptions a page shows from a payload, with their paths: architecture and
 * submitter names, the environment and hardware strings, dataset file names. Anything missing
 * or of the wrong type is skipped: the schema reports it.
 */
function displayedStrings(statement: unknown): Array<{ path: string; text: unknown }> {
  const predicate = field(statement, "predicate");
  const environment = field(predicate, "environment");
  const hardware = field(environment, "hardware");
  return [
    ...list(field(predicate, "architectures")).map((a, i) => ({
      path: `predicate.architectures[${i}].name`,
      text: field(a, "name"),
    })),
    { path: "predicate.submitter.name", text: field(field(predicate, "submitter"), "name") },
    ...["runnerVersion", "tfjsVersion", "backendDetail"].map((key) => ({
      path: `predicate.environment.${key}`,
      text: field(environment, key),
    })),
    ...["platform", "arch", "cpuModel", "gpu"].map((key) => ({
      path: `predicate.environment.hardware.${key}`,
      text: field(hardware, key),
    })),
    ...list(field(predicate, "datasets")).flatMap((d, i) =>
      list(field(d, "files")).map((f, j) => ({
        path: `predicate.datasets[${i}].files[${j}].name`,
        text: field(f, "name"),
      })),
    ),
  ];
}

/**
 * The first displayed string of a statement (architecture and submitter names, environment and
 * hardware strings, dataset file names) that holds a control, bidi-control or zero-width
 * character (`UNSAFE_TEXT`), or null.
 *
 * @example
 * findBadName({ predicate: { submitter: { name: "a\u202Eb" } } })
 * // { code: "bad-name", path: "predicate.submitter.name", … }
 */
export function findBadName(statement: unknown): PayloadProblem | null {
  for (const { path, text } of displayedStrings(statement)) {
    if (typeof text !== "string") continue;
    const bad = UNSAFE_TEXT.exec(text);
    if (bad) {
      const codePoint = `U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
      return {
        code: "bad-name",
        path,
        message:
          `holds ${codePoint} at character ${bad.index}: ` +
          "control, bidi-control and zero-width characters are not allowed",
      };
    }
  }
  return null;
}
