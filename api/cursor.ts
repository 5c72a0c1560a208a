// Opaque pagination cursors: base64url JSON that only this server reads back.
import type { z } from "zod";
import { fromBase64Url, toBase64Url, utf8 } from "../schema/index.js";

export function encodeCursor(value: unknown): string {
  return toBase64Url(utf8.encode(JSON.stringify(value)));
}

/** The cursor's value, or null when it is not one this server wrote. */
export function decodeCursor<T>(text: string, schema: z.ZodType<T>): T | null {
  const bytes = fromBase64Url(text);
  if (!bytes) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(utf8.decode(bytes)));
    return parsed.success ? parsed.data : null;
  } catch {
    // Not UTF-8 JSON: a cursor someone made up, answered as a validation error.
    return null;
  }
}
