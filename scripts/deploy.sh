#!/usr/bin/env bash
# Deploys your own leaderboard: build the pages' assets, apply the migrations to the Postgres
# database at $DATABASE_URL (Neon in production) and rebuild the board's aggregates when due,
# then `wrangler deploy`, and rebuild the aggregates once more after the previous version drained. Extra arguments go to wrangler (e.g. `npm run deploy -- --dry-run
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
# The migrations, then the board's aggregates rebuilt when their computation changed (scripts/db-migrate.ts),
# so the new Worker never reads empty or outdated board tables.
npm run --silent db:migrate
npx wrangler deploy "$@"
# Until its last requests end, the Worker version this one replaces keeps storing submissions,
# hides and reproductions without keeping the board tables as this version does (it may predate
# them, or compute them differently), and nothing would rebuild them later: once it has drained,
# rebuild them from the runs. A dry run replaced nothing.
case " $* " in *" --dry-run "*) exit 0 ;; esac
DRAIN_SECONDS=30
echo "deploy: waiting ${DRAIN_SECONDS} s for the previous version's requests to end, then rebuilding the board's aggregates"
sleep "$DRAIN_SECONDS"
npm run --silent db:rebuild-aggregates
