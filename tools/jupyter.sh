#!/usr/bin/env bash
# The last step of `deno task jupyter` (which has already installed Jupyter Notebook when it was
# missing and registered the Deno kernel): opens classic Jupyter Notebook on notebooks/. As root
# (a container, a fresh VM) Jupyter refuses to start without --allow-root, which is added here
# and said. Extra arguments go to jupyter-notebook (e.g. --no-browser, --port=8889).
set -euo pipefail
cd "$(dirname "$0")/.."
args=(--notebook-dir=notebooks)
if [ "$(id -u)" = 0 ]; then
  echo "running as root: starting Jupyter with --allow-root" >&2
  args+=(--allow-root)
fi
echo "Open the URL printed below (with its token). Before committing a notebook, clear its" \
  "outputs: deno task notebooks:clear" >&2
exec jupyter-notebook "${args[@]}" "$@"
