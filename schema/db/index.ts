// The database tables, for drizzle-orm queries in api/ and for drizzle-kit.
export * from "./tables.js";
