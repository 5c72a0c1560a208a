// drizzle-kit: `npx drizzle-kit generate` writes SQL migrations from schema/db into
// schema/migrations; `npm run db:migrate` applies them to the database at $DATABASE_URL.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./schema/db/tables.ts",
  out: "./schema/migrations",
  dbCredentials: { url: process.env.DATABASE_URL ?? "" },
});
