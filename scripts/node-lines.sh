#!/usr/bin/env bash
# The supported Node.js lines besides the machine's (README, "Node.js"): on each, the unit tests
# and the smoke path (run → verify → serve → submit, tests/node-lines/smoke.test.ts); then one
# test that every line's smoke bundle holds the same curves and predictions as the machine's.
# Node comes from the `node` package of the npm registry (its preinstall fetches the matching
# node-<os>-<arch> package from the same registry), installed once per version under the user's
# cache dir and reused. Needs dist/ (`npm run build`; `npm test` builds it). CI: .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

# Exact versions, so that a line changes only with this file. Override: RB_NODE_LINES="22.x.y …".
read -r -a versions <<<"${RB_NODE_LINES:-22.23.3 24.21.0}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/rethink-bench/node"
bundles=$(mktemp -d "${TMPDIR:-/tmp}/rb-node-lines.XXXXXX")
trap 'rm -rf "$bundles"' EXIT
export RB_NODE_LINES_BUNDLES="$bundles"
# same-bundles.test.ts expects one bundle per line: the machine's and each of these.
export RB_NODE_LINES_COUNT=$((${#versions[@]} + 1))
lines_config=tests/node-lines/vitest.config.ts
[ -f dist/runner/cli.js ] || npm run build

# Sets node_bin to Node `version`'s binary, installing it into the cache on first use.
node_binary() {
  local version=$1 prefix="$cache/$1"
  node_bin="$prefix/node_modules/node/bin/node"
  local bin=$node_bin
  if [ ! -x "$bin" ] || [ "$("$bin" --version 2>/dev/null)" != "v$version" ]; then
    echo "node-lines: installing node@$version from the npm registry into $prefix" >&2
    rm -rf "$prefix"
    mkdir -p "$prefix"
    # A private package.json: the install records nothing in ours, and allows the one install script
    # (node's preinstall, which fetches the platform's binary package from the registry).
    printf '{"private":true,"allowScripts":{"node":true}}\n' >"$prefix/package.json"
    npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      "node@$version" >&2
    "$bin" --version >/dev/null
  fi
}

# Runs vitest (this checkout's) on the given Node binary: the tests' child processes
# (process.execPath) run on it too.
vitest_on() {
  local node=$1
  shift
  PATH="$(dirname "$node"):$PATH" "$node" node_modules/vitest/vitest.mjs run "$@"
}

summary=()
timed() {
  local label=$1 start=$SECONDS
  shift
  "$@"
  summary+=("$label: $((SECONDS - start)) s")
}

timed "smoke on the machine's Node $(node --version)" vitest_on "$(command -v node)" --config "$lines_config" \
  tests/node-lines/smoke.test.ts
for version in "${versions[@]}"; do
  timed "node@$version: install (a cache hit after the first run)" node_binary "$version"
  timed "node@$version: unit tests" vitest_on "$node_bin" --project unit
  timed "node@$version: smoke path" vitest_on "$node_bin" --config "$lines_config" tests/node-lines/smoke.test.ts
done
timed "same bundles on every line" vitest_on "$(command -v node)" --config "$lines_config" \
  tests/node-lines/same-bundles.test.ts

echo "node-lines: $(node --version) and ${versions[*]} agree"
printf '  %s\n' "${summary[@]}"
echo "  in all: $SECONDS s"
