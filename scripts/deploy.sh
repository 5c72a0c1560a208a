#!/usr/bin/env bash
# Deploys your own leaderboard: build the pages' assets, apply the migrations to the Postgres
# database at $DATABASE_URL (Neon in production) and rebuild the board's aggregates when due,
# then `wrangler deploy`. Extra arguments go to wrangler (e.g. `npm run deploy -- --dry-run
# --outdir out` to build without uploading).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DATABASE_URL:-}" ]; then
  echo "deploy: set DATABASE_URL to your database's connection string, e.g." >&2
  echo "  DATABASE_URL='postgres://user:password@ep-…neon.tech/neondb?sslmode=require' npm run deploy" >&2
  exit 2
fi
npm run build
echo "deploy: applying migrations to ${DATABASE_URL%%@*}@…" | sed -E 's#://[^:]+:[^@]+@#://***@#'
# The migrations, then the board's aggregates rebuilt when their computation changed (scripts/db-migrate.ts).
npm run --silent db:migrate
npx wrangler deploy "$@"
