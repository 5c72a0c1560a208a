// The Worker's driver: @neondatabase/serverless over WebSockets. Neon requires the Pool to
// be created and ended inside one request, so the Worker opens one per request.
import { Pool } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-serverless";
import type { DatabaseHandle } from "./client.js";

/**
 * A database on a Neon (or any Postgres behind a Neon-style WebSocket proxy) URL.
 *
 * @example
 * const { db, close } = openNeonDatabase(env.DATABASE_URL); ctx.waitUntil(close())
 */
export function openNeonDatabase(url: string): DatabaseHandle {
  const pool = new Pool({ connectionString: url });
  // An idle client's connection can drop; the next query reports it. Without a listener the
  // pool's 'error' event would be thrown as an uncaught exception.
  pool.on("error", () => undefined);
  return { db: drizzle({ client: pool }), close: () => pool.end() };
}
