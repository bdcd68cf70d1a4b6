#!/usr/bin/env bash
# Installs, from Debian's packages, the peers `deno task bench:tsne` compares against, and builds
# FIt-SNE's fast_tsne from a checkout of its public source (github.com/KlugerLab/FIt-SNE, tag
# v1.2.1) when one is given. Elsewhere than Debian as root it prints the install line instead.
#
#   python3-sklearn, r-cran-rtsne   the scikit-learn and Rtsne peers
#   libopenblas0-pthread            OpenBLAS: python3-sklearn alone pulls the reference BLAS, which
#                                   slows scikit-learn several times and flatters every ratio
#   time                            /usr/bin/time -v, the peak memory of every tool
#   g++, libfftw3-dev               to build FIt-SNE
#
# Usage: bench/install_tsne_peers.sh [FITSNE_SOURCE_DIR]
set -uo pipefail
bash "$(dirname "$0")/../tools/install_test_tools.sh" tsne-bench
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo "?")
case "$blas" in
  *openblas*) echo "BLAS: $blas" >&2 ;;
  *) echo "warning: libblas.so.3 is $blas, not OpenBLAS;" \
    "run: update-alternatives --config libblas.so.3-x86_64-linux-gnu" >&2 ;;
esac
if [ $# -ge 1 ]; then
  src="$1"
  if [ ! -f "$src/src/tsne.cpp" ]; then
    echo "$src is not a FIt-SNE checkout (no src/tsne.cpp)" >&2
    exit 1
  fi
  mkdir -p "$src/bin"
  echo "building $src/bin/fast_tsne" >&2
  (cd "$src" && g++ -std=c++11 -O3 src/sptree.cpp src/tsne.cpp src/nbodyfft.cpp -o bin/fast_tsne \
    -pthread -lfftw3 -lm -Wno-address-of-packed-member) || exit 1
  echo "then: deno task bench:tsne --fitsne $(cd "$src" && pwd)/bin/fast_tsne" >&2
fi
