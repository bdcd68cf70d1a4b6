"""scikit-learn's Barnes-Hut t-SNE on raw float64 data, for bench/tsne_bench.ts.

usage: /usr/bin/python3 tsne_sklearn.py IN.f64 N D OUT.f64 SEED THREADS
       /usr/bin/python3 tsne_sklearn.py --blas
Reads IN.f64 (N x D little-endian float64, row-major), embeds with perplexity 30, 1000
iterations, PCA initialization, learning_rate="auto", angle 0.5 (scikit-learn's angle compares
the full cell width, so it is our theta 0.25), writes the N x 2 embedding to OUT.f64 the same way
and prints {"seconds": ...} (fit only). The thread count of BLAS is set by the caller
(OMP_NUM_THREADS, OPENBLAS_NUM_THREADS). With --blas it prints, as one JSON line, the BLAS
libraries numpy has loaded (threadpoolctl), so a report can say which BLAS the peer used.
"""
import json
import sys
import time

import numpy as np

if sys.argv[1:] == ["--blas"]:
    try:
        from threadpoolctl import threadpool_info

        libs = [
            {k: lib.get(k) for k in ("internal_api", "version", "threading_layer",
                                     "num_threads", "filepath")}
            for lib in threadpool_info() if lib.get("user_api") == "blas"
        ]
    except ImportError:
        libs = []
    print(json.dumps({"numpy": np.__version__, "blas": libs}))
    sys.exit(0)

from sklearn import __version__ as sklearn_version  # noqa: E402
from sklearn.manifold import TSNE  # noqa: E402

src, n, d, dst = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
seed, threads = int(sys.argv[5]), int(sys.argv[6])
x = np.fromfile(src, dtype="<f8").reshape(n, d)
model = TSNE(
    n_components=2,
    perplexity=30.0,
    n_iter=1000,
    init="pca",
    learning_rate="auto",
    method="barnes_hut",
    angle=0.5,
    random_state=seed,
    n_jobs=threads,
)
start = time.perf_counter()
y = model.fit_transform(x)
seconds = time.perf_counter() - start
np.ascontiguousarray(y, dtype="<f8").tofile(dst)
print(json.dumps({"seconds": seconds, "kl_reported": float(model.kl_divergence_),
                  "version": sklearn_version}))
