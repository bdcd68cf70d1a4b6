#!/usr/bin/env bash
# Installs, from Debian's packages, what the notebook, browser and kernel-build tests need
# (Jupyter's nbconvert/nbclient and classic Notebook, Chromium and a font for its screenshots,
# wat2wasm), when it is missing and this machine can install it (Debian, root). Elsewhere it
# prints the exact install line, and the tests that need the tools skip loudly (or fail under
# CI=true). `playwright-core`, which drives Chromium, comes from npm with `deno install`.
#
# Usage: install_test_tools.sh              everything the tests need
#        install_test_tools.sh jupyter      only what `deno task jupyter` needs (exit 1 if missing)
#        install_test_tools.sh tsne-bench   the peers of `deno task bench:tsne` and what builds
#                                           FIt-SNE (bench/install_tsne_peers.sh; exit 1 if missing)
set -uo pipefail
mode="${1:-tests}"
need=()
if [ "$mode" = tsne-bench ]; then
  # OpenBLAS: python3-sklearn alone pulls the reference BLAS, several times slower.
  for pkg in python3-sklearn r-cran-rtsne libopenblas0-pthread time g++ libfftw3-dev; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
else
  [ -x /usr/bin/jupyter-notebook ] || need+=(jupyter-notebook)
fi
if [ "$mode" = tests ]; then
  [ -x /usr/bin/jupyter-nbconvert ] || need+=(jupyter-nbconvert)
  /usr/bin/python3 -c "import nbclient, ipykernel" 2>/dev/null || need+=(python3-nbclient python3-ipykernel)
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  fc-list 2>/dev/null | grep -q "Liberation Sans" || need+=(fonts-liberation)
  command -v wat2wasm >/dev/null 2>&1 || need+=(wabt)
fi
if [ ${#need[@]} -eq 0 ]; then
  if [ "$mode" = jupyter ]; then
    echo "Jupyter Notebook present" >&2
  elif [ "$mode" = tsne-bench ]; then
    echo "t-SNE benchmark peers present" >&2
  else
    echo "test tools present: jupyter-notebook, jupyter-nbconvert, python3-nbclient, chromium, wat2wasm" >&2
  fi
  exit 0
fi
line="apt-get install --no-install-recommends ${need[*]}"
if [ -f /etc/debian_version ] && [ "$(id -u)" = 0 ]; then
  echo "installing ${need[*]} from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "${need[@]}" >&2 || {
    echo "$line failed" >&2
    exit 1
  }
elif [ "$mode" = jupyter ]; then
  echo "Jupyter Notebook is not installed. On Debian or Ubuntu: sudo $line" >&2
  exit 1
elif [ "$mode" = tsne-bench ]; then
  echo "missing: ${need[*]}. On Debian or Ubuntu: sudo $line" >&2
  exit 1
else
  echo "MISSING TEST TOOLS: ${need[*]}. Install them (Debian: sudo $line);" \
    "until then the notebook, browser and gemm.wat build tests are skipped (they fail under CI=true)." >&2
fi
