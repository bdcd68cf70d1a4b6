"""PyTorch side of `deno task bench:train`.

Reads the MNIST digits, labels, initial weights and batch orders that bench/train_bench.ts wrote
(raw little-endian files in the folder given as argv[1]), trains the same 784-128-10 ReLU MLP with
softmax cross-entropy and plain SGD (lr 0.1, batch 64) for one epoch in float32 and in float64,
and prints one JSON object with the median epoch time of each and the final batch losses.
Run with OPENBLAS_NUM_THREADS=1 (the bench sets it).
"""
import json
import os
import statistics
import sys
import time

import numpy as np
import torch

folder = sys.argv[1]
meta = json.load(open(os.path.join(folder, "meta.json")))
n, d, h, c = meta["n"], meta["d"], meta["hidden"], meta["classes"]
lr, batch, repeats = meta["lr"], meta["batchSize"], meta["repeats"]
images = np.fromfile(os.path.join(folder, "images.f64"), dtype="<f8").reshape(n, d)
labels = np.fromfile(os.path.join(folder, "labels.i32"), dtype="<i4").astype(np.int64)
order = np.fromfile(os.path.join(folder, "order.i32"), dtype="<i4").astype(np.int64)
w0 = np.fromfile(os.path.join(folder, "w0.f64"), dtype="<f8").reshape(d, h)
w1 = np.fromfile(os.path.join(folder, "w1.f64"), dtype="<f8").reshape(h, c)


def epoch(dtype):
    x_all = torch.tensor(images, dtype=dtype)
    y_all = torch.tensor(labels)
    params = [
        torch.tensor(w0, dtype=dtype, requires_grad=True),
        torch.zeros(h, dtype=dtype, requires_grad=True),
        torch.tensor(w1, dtype=dtype, requires_grad=True),
        torch.zeros(c, dtype=dtype, requires_grad=True),
    ]
    opt = torch.optim.SGD(params, lr=lr)
    idx = torch.tensor(order)
    start = time.perf_counter()
    loss = None
    for s in range(0, n, batch):
        b = idx[s:s + batch]
        xb, yb = x_all[b], y_all[b]
        z = torch.relu(xb @ params[0] + params[1]) @ params[2] + params[3]
        loss = torch.nn.functional.cross_entropy(z, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    final = loss.item()
    return time.perf_counter() - start, final


result = {"torch": torch.__version__, "threads": torch.get_num_threads()}
for name, dtype in (("float32", torch.float32), ("float64", torch.float64)):
    epoch(dtype)  # warm-up
    runs = [epoch(dtype) for _ in range(repeats)]
    result[name] = {"seconds": statistics.median(r[0] for r in runs), "finalLoss": runs[-1][1]}
print(json.dumps(result))
