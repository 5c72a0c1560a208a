#!/usr/bin/env bash
# The PyTorch engine on a CUDA machine that has only Python and torch: `export DIR` writes the smoke
# and quick suites' tasks here and prints what to run there; `import DIR` turns the results copied
# back into signed bundles, verifies them, and prints the worker's figures (examples/s per
# architecture, the suites' training time).
#
#   bash scripts/gpu-check.sh export /tmp/gpu-check      # here, with Node.js
#   rsync -a /tmp/gpu-check/ gpu-node:gpu-check/          # then on the GPU node:
#   python3 gpu-check/smoke/worker.py --dir gpu-check/smoke --all --device cuda
#   python3 gpu-check/quick/worker.py --dir gpu-check/quick --all --device cuda
#   rsync -a gpu-node:gpu-check/ /tmp/gpu-check/          # results back, then here:
#   bash scripts/gpu-check.sh import /tmp/gpu-check
set -euo pipefail
usage() {
  echo "usage: bash scripts/gpu-check.sh export DIR | import DIR" >&2
  echo "  export DIR  write the smoke and quick suites' tasks into DIR/smoke and DIR/quick" >&2
  echo "  import DIR  sign, verify and summarize the results the CUDA machine wrote there" >&2
  exit 2
}
[ $# -eq 2 ] || usage
command=$1
dir=$(realpath -m "$2")
repo=$(cd "$(dirname "$0")/.." && pwd)
cli() { node "$repo/bin/rethink-bench.js" "$@"; }
SUITES=(smoke quick)

if [ ! -f "$repo/dist/runner/cli.js" ]; then
  echo "gpu-check: building the CLI first (npm run build)" >&2
  (cd "$repo" && npm run -s build)
fi

case "$command" in
  export)
    for suite in "${SUITES[@]}"; do
      cli tasks export --suite "$suite" --out "$dir/$suite" >&2
    done
    echo
    echo "Copy $dir to the CUDA machine (it needs Python 3.8+, torch >= 1.13 with CUDA, numpy; no Node.js):"
    echo "  rsync -a $dir/ HOST:gpu-check/"
    echo "Run there (each command can be run again; finished tasks are skipped):"
    echo "  python3 gpu-check/smoke/worker.py --dir gpu-check/smoke --check --device cuda"
    for suite in "${SUITES[@]}"; do
      echo "  python3 gpu-check/$suite/worker.py --dir gpu-check/$suite --all --device cuda"
    done
    echo "Copy the results back and import them here:"
    echo "  rsync -a HOST:gpu-check/ $dir/"
    echo "  bash scripts/gpu-check.sh import $dir"
    ;;
  import)
    for suite in "${SUITES[@]}"; do
      echo "== $suite"
      # import prints the summary table and the worker's figures; verify re-checks the bundle.
      cli tasks import "$dir/$suite" --out "$dir/bundles" | tee "$dir/$suite/import.txt"
      bundle=$(sed -n 's/^.*[Ss]igned bundle: //p' "$dir/$suite/import.txt" | tail -n 1)
      cli verify "$bundle"
    done
    ;;
  *) usage ;;
esac
