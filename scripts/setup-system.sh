#!/usr/bin/env bash
# Installs the system packages the test suite needs, on Debian or Ubuntu: openssl (signature
# interoperability), PostgreSQL server binaries (integration tests start a throwaway
# cluster), Chromium (browser tests), the Fashion-MNIST files (dataset tests), PyTorch
# (the PyTorch baseline of bench:torch) and SciPy (the reference for Kendall's τ).
# Idempotent and fast when everything is present; `npm test` runs it first.
set -euo pipefail

need=()
command -v openssl >/dev/null 2>&1 || need+=(openssl)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -d /usr/share/datasets/fashion-mnist ] || need+=(dataset-fashion-mnist)
# Debian's PyTorch (CPU) under /usr/bin/python3, with the pthreads OpenBLAS, for bench:torch.
/usr/bin/python3 -c "import torch" >/dev/null 2>&1 || need+=(python3-torch)
# SciPy under the same Python: web/stats.scipy.test.ts checks Kendall's τ and its p-value against it.
/usr/bin/python3 -c "import scipy" >/dev/null 2>&1 || need+=(python3-scipy)
dpkg-query -W -f='${Status}' libopenblas0-pthread 2>/dev/null | grep -q "install ok installed" \
  || need+=(libopenblas0-pthread)

[ ${#need[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-system: the tests need these Debian packages (or their equivalents): ${need[*]}" >&2
  echo "setup-system: apt-get is not available here; install them by hand and run npm test again." >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

echo "setup-system: installing ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "setup-system: done"
