#!/usr/bin/env bash
# Everything `deno task test` runs: formatting, lint, type checks, doc lint, publish dry run, then
# every test (unit, property, doc examples, notebooks under the real Deno kernel, Chromium pages).
# Installs the Debian tools the notebook and browser tests need when it can (root on Debian).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*" >&2; }

step "deno install"
deno install --quiet

step "deno fmt --check"
deno fmt --check
step "deno lint"
deno lint
step "deno check"
targets=(mod.ts)
for d in cli tests bench; do [ -d "$d" ] && targets+=("$d/"); done
deno check "${targets[@]}"
step "deno doc --lint"
deno doc --lint mod.ts
step "deno publish --dry-run"
deno publish --dry-run --allow-dirty 2>&1 | tail -n 3

step "test tools (Jupyter, Chromium)"
bash tools/install_test_tools.sh

step "deno test"
deno test --doc --parallel --allow-read --allow-write --allow-run --allow-env --allow-sys "$@"
