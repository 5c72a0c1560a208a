// Tells a database that cannot be reached (a 503 for the client, worth retrying) from a
// bug in a query (a 500): SQLSTATE classes and socket error codes, through `cause` chains.

/**
 * SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57 operator
 * intervention, 40 transaction rollback (serialization, deadlock).
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57|40)[0-9A-Z]{3}$/;
const UNAVAILABLE_ERRNO = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);
/** What node-postgres and the Neon driver say when a connection fails or drops. */
const UNAVAILABLE_MESSAGE = new RegExp(
  [
    "Connection terminated",
    "timeout exceeded when trying to connect",
    "Client has encountered a connection error",
    "WebSocket",
    "connect ECONNREFUSED",
    "Cannot use a pool after calling end",
  ].join("|"),
  "i",
);

/**
 * True when the error (or one of its causes) says the database is down or unreachable.
 *
 * @example
 * isDatabaseUnavailable(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })) // true
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 8 || error === null || typeof error !== "object") return false;
  const { code, message, cause, errors } = error as {
    code?: unknown;
    message?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof code === "string" && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code))) return true;
  // drizzle's "Failed query: …" message quotes the query's parameters, which are user data.
  if (typeof message === "string" && !message.startsWith("Failed query:") && UNAVAILABLE_MESSAGE.test(message))
    return true;
  if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(cause, depth + 1);
}
