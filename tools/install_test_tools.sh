#!/usr/bin/env bash
# Installs what the notebook, browser and kernel-build tests need (Jupyter, Chromium, wat2wasm),
# from Debian's packages, when it is missing and this machine can install it (Debian, root). Elsewhere it prints how to install, and the tests
# that need the tools skip loudly (or fail under CI=true).
set -uo pipefail
need=()
[ -x /usr/bin/jupyter-nbconvert ] || need+=(jupyter-nbconvert)
/usr/bin/python3 -c "import nbclient, ipykernel" 2>/dev/null || need+=(python3-nbclient python3-ipykernel)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v wat2wasm >/dev/null 2>&1 || need+=(wabt)
if [ ${#need[@]} -eq 0 ]; then
  echo "test tools present: jupyter-nbconvert, python3-nbclient, chromium, wat2wasm" >&2
  exit 0
fi
if [ -f /etc/debian_version ] && [ "$(id -u)" = 0 ]; then
  echo "installing ${need[*]} from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "${need[@]}" >&2 || {
    echo "apt-get install ${need[*]} failed" >&2
    exit 1
  }
else
  echo "MISSING TEST TOOLS: ${need[*]}. Install them (Debian: sudo apt-get install ${need[*]});" \
    "until then the notebook, browser and gemm.wat build tests are skipped (they fail under CI=true)." >&2
fi
