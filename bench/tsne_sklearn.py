"""scikit-learn's Barnes-Hut t-SNE on a numeric CSV, for bench/tsne_bench.ts.

usage: /usr/bin/python3 tsne_sklearn.py IN.csv OUT.csv SEED THREADS
Reads IN.csv (no header, float64 rows), embeds with perplexity 30, 1000 iterations, PCA
initialization, learning_rate="auto", angle 0.5 (scikit-learn's angle compares the full cell
width, so it is our theta 0.25), writes OUT.csv and prints {"seconds": ...} (fit only).
"""
import json
import sys
import time

import numpy as np
from sklearn.manifold import TSNE

src, dst, seed, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
x = np.loadtxt(src, delimiter=",", dtype=np.float64)
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
np.savetxt(dst, y, delimiter=",", fmt="%.17g")
print(json.dumps({"seconds": seconds, "kl_reported": float(model.kl_divergence_)}))
