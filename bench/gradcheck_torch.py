"""PyTorch's column of `deno task bench:gradcheck`.

Prints {"torch": version, "threads": n} on its first line, then reads benchmark cases from stdin,
one JSON object per line (written by bench/gradcheck_torch.ts: the same inputs our checker sees),
runs torch.autograd.gradcheck (gradgradcheck for the second-order case) on each in float64 with the
default eps/atol/rtol, in full mode and with fast_mode=True, and answers each with one line
{"name", "full": {"seconds", "ok"}, "fast": {...}}.

Run it with Debian's /usr/bin/python3 (package python3-torch) and OPENBLAS_NUM_THREADS=1.
"""

import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch.autograd import gradcheck, gradgradcheck

# The same protocol as bench/gradcheck_torch.ts: a check that takes TIME_BUDGET_S or more is timed
# once; a quicker one runs untimed until WARMUP_S is spent, then is timed in samples of about
# SAMPLE_S (several back-to-back runs each) until TIME_BUDGET_S is spent, at most MAX_SAMPLES, and
# the median sample, per run, is reported.
TIME_BUDGET_S = 1.0
WARMUP_S = 0.5
SAMPLE_S = 0.02
MAX_SAMPLES = 20


def tensor(spec, grad=True):
    t = torch.tensor(spec["data"], dtype=torch.float64).reshape(spec["shape"])
    return t.requires_grad_(grad)


def build(case):
    """The function and the inputs torch checks, for each case kind."""
    kind, i = case["kind"], case["inputs"]
    if kind == "softmax-ce":
        labels = torch.tensor(case["labels"], dtype=torch.long)
        return (lambda z: F.cross_entropy(z, labels)), (tensor(i["x"]),), gradcheck
    if kind == "linear":
        # ours holds w as [D, M] (x·w + b); torch's F.linear wants W = wᵀ [M, D]
        w = tensor(i["w"], grad=False).t().contiguous().requires_grad_(True)
        return F.linear, (tensor(i["x"]), w, tensor(i["b"])), gradcheck
    if kind == "mlp":
        x = tensor(case["images"], grad=False)
        labels = torch.tensor(case["labels"], dtype=torch.long)

        def loss(w1, b1, w2, b2):
            return F.cross_entropy(torch.tanh(x @ w1 + b1) @ w2 + b2, labels)

        names = ["w1", "b1", "w2", "b2"]
        return loss, tuple(tensor(i[k]) for k in names), gradcheck
    if kind == "conv2d":
        pad = case["padding"]
        return (
            (lambda x, w, b: F.conv2d(x, w, b, padding=pad)),
            (tensor(i["x"]), tensor(i["w"]), tensor(i["b"])),
            gradcheck,
        )
    if kind == "maxpool":
        size = case["size"]
        return (lambda x: F.max_pool2d(x, size)), (tensor(i["x"]),), gradcheck
    if kind == "batchnorm":
        eps = case["eps"]

        def bn(x, gamma, beta):
            return F.batch_norm(x, None, None, gamma, beta, training=True, eps=eps)

        return bn, (tensor(i["x"]), tensor(i["gamma"]), tensor(i["beta"])), gradcheck
    if kind == "logsoftmax-2nd":
        return (lambda z: F.log_softmax(z, dim=1)), (tensor(i["x"]),), gradgradcheck
    raise ValueError(f"unknown case kind {kind!r}")


def timed(run):
    started = time.perf_counter()
    ok = run()
    first = time.perf_counter() - started
    if first >= TIME_BUDGET_S:
        return first, ok
    warm, warm_runs = first, 1
    while warm < WARMUP_S:
        started = time.perf_counter()
        ok = run() and ok
        warm += time.perf_counter() - started
        warm_runs += 1
    per_sample = max(1, round(SAMPLE_S / (warm / warm_runs)))
    samples, spent = [], 0.0
    while spent < TIME_BUDGET_S and len(samples) < MAX_SAMPLES:
        started = time.perf_counter()
        for _ in range(per_sample):
            ok = run() and ok
        elapsed = time.perf_counter() - started
        samples.append(elapsed / per_sample)
        spent += elapsed
    return statistics.median(samples), ok


def main():
    # One case per line in, one result line out, so the caller can interleave our checker and
    # PyTorch case by case (both then see the same machine load).
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        case = json.loads(line)
        fn, inputs, check = build(case)
        row = {"name": case["name"]}
        for mode, fast in (("full", False), ("fast", True)):
            seconds, ok = timed(
                lambda: bool(check(fn, inputs, fast_mode=fast, raise_exception=False))
            )
            row[mode] = {"seconds": seconds, "ok": ok}
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
