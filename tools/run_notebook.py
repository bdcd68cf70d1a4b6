#!/usr/bin/python3
"""Executes a notebook under a Jupyter kernel (the Deno kernel by default) without losing outputs.

The Deno kernel sometimes publishes a cell's last outputs (console output, displays) after it has
reported the cell finished, and output it flushes while handling the next request carries that
request's id. Stock nbclient stops listening at the first point and drops them. This runner
attributes every IOPub message to its cell by the parent message id, whenever it arrives; after
each cell it sends a silent sentinel request whose late output is credited to that cell, then
waits for a short silence; an execute_result goes to the cell whose execution count it carries; and
before shutting the kernel down it waits for a quiet period, so nothing of the last cell is lost.

Usage: run_notebook.py IN.ipynb --out OUT.ipynb [--html OUT.html] [--repeat K] [--timeout S]
Prints one JSON summary on stdout; exits 1 when a cell fails or output counts differ between
repeats, 2 for usage errors.
"""

import argparse
import json
import os
import queue
import sys
import tempfile
import time

import nbformat
from jupyter_client.manager import KernelManager

QUIET_SECONDS = 0.5
"""How long the IOPub channel must stay silent after the last cell before the kernel is stopped."""

SETTLE_SECONDS = 0.05
"""After each cell's sentinel, how long IOPub must stay silent before the next cell is sent."""

OUTPUT_TYPES = {"stream", "display_data", "execute_result", "error"}


def atomic_write(path, text):
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=os.path.basename(path))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def add_output(cell, msg):
    kind = msg["msg_type"]
    content = msg["content"]
    if kind == "clear_output":
        cell.outputs = []
        return
    if kind not in OUTPUT_TYPES:
        return
    out = nbformat.v4.output_from_msg(msg)
    if kind == "stream" and cell.outputs and cell.outputs[-1].get("output_type") == "stream" \
            and cell.outputs[-1].get("name") == content.get("name"):
        cell.outputs[-1]["text"] += content.get("text", "")
        return
    cell.outputs.append(out)


def execute(nb, kernel_name, cwd, timeout):
    """Runs every code cell in a fresh kernel; returns (errors, seconds per cell)."""
    km = KernelManager(kernel_name=kernel_name)
    km.start_kernel(cwd=cwd)
    kc = km.client()
    kc.start_channels()
    errors = []
    timings = []
    by_msg = {}
    by_count = {}
    try:
        kc.wait_for_ready(timeout=120)

        def pump(until_idle_of=None, deadline=None, quiet=None):
            """Routes IOPub messages to cells; returns when the given request is idle or on quiet."""
            while True:
                wait = 0.1 if quiet is not None else max(0.01, deadline - time.time())
                try:
                    msg = kc.get_iopub_msg(timeout=quiet if quiet is not None else wait)
                except queue.Empty:
                    if quiet is not None:
                        return
                    if time.time() >= deadline:
                        raise TimeoutError("cell timed out after %ss" % timeout)
                    continue
                parent = msg.get("parent_header", {}).get("msg_id")
                if parent in by_msg:
                    cell = by_msg[parent]
                    count = msg["content"].get("execution_count")
                    if msg["msg_type"] == "execute_input":
                        cell.execution_count = count
                        by_count[count] = cell
                    elif msg["msg_type"] == "execute_result" and count in by_count:
                        # A result carries its own cell's count even when it arrives late,
                        # stamped with a later request's id.
                        cell = by_count[count]
                    add_output(cell, msg)
                if until_idle_of is not None and parent == until_idle_of \
                        and msg["msg_type"] == "status" \
                        and msg["content"].get("execution_state") == "idle":
                    return

        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            cell.outputs = []
            cell.execution_count = None
            started = time.time()
            msg_id = kc.execute(cell.source, store_history=True, allow_stdin=False)
            by_msg[msg_id] = cell
            pump(until_idle_of=msg_id, deadline=started + timeout)
            reply = kc.get_shell_msg(timeout=timeout)
            while reply.get("parent_header", {}).get("msg_id") != msg_id:
                reply = kc.get_shell_msg(timeout=timeout)
            # A silent request right after the cell: output the kernel flushes late while handling
            # it carries the sentinel's id, and belongs to this cell.
            sentinel = kc.execute("", silent=True, store_history=False)
            by_msg[sentinel] = cell
            pump(until_idle_of=sentinel, deadline=time.time() + timeout)
            pump(quiet=SETTLE_SECONDS)
            timings.append(round(time.time() - started, 3))
            if reply["content"].get("status") != "ok":
                ename = reply["content"].get("ename", "Error")
                evalue = reply["content"].get("evalue", "")
                errors.append({"cell": index, "ename": ename, "evalue": evalue})
                break
        pump(quiet=QUIET_SECONDS)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            if out.get("output_type") == "error" and not any(e["cell"] == index for e in errors):
                errors.append({"cell": index, "ename": out.get("ename"), "evalue": out.get("evalue")})
    return errors, timings


KERNEL_ATTEMPTS = 3
"""Kernel-level failures (not cell errors) are retried: two kernels started at the same moment by
separate processes can pick the same ports, which jupyter_client reports as 'Invalid Signature'."""


def execute_with_retry(nb, kernel_name, cwd, timeout):
    for attempt in range(1, KERNEL_ATTEMPTS + 1):
        try:
            return execute(nb, kernel_name, cwd, timeout)
        except (ValueError, RuntimeError) as e:
            if attempt == KERNEL_ATTEMPTS:
                raise
            print("kernel failure (%s), retrying in a fresh kernel" % e, file=sys.stderr)
            for cell in nb.cells:
                if cell.cell_type == "code":
                    cell.outputs = []
            time.sleep(1)


def output_counts(nb):
    return [len(c.outputs) for c in nb.cells if c.cell_type == "code"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebook")
    parser.add_argument("--out", required=True, help="executed notebook to write")
    parser.add_argument("--html", help="also export the executed notebook to this HTML file")
    parser.add_argument("--kernel", default="deno")
    parser.add_argument("--repeat", type=int, default=1, help="runs in fresh kernels; counts must agree")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per cell")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if not os.path.isfile(args.notebook):
        print("error: no notebook at %s" % args.notebook, file=sys.stderr)
        sys.exit(2)
    cwd = os.path.dirname(os.path.abspath(args.notebook))
    runs = []
    executed = None
    all_errors = []
    started = time.time()
    for _ in range(args.repeat):
        nb = nbformat.read(args.notebook, as_version=4)
        errors, timings = execute_with_retry(nb, args.kernel, cwd, args.timeout)
        runs.append(output_counts(nb))
        all_errors.extend(errors)
        executed = nb
        if errors:
            break
    atomic_write(args.out, nbformat.writes(executed))
    if args.html:
        from nbconvert import HTMLExporter
        body, _ = HTMLExporter().from_notebook_node(executed)
        atomic_write(args.html, body)
    counts = runs[-1]
    empty = [i for i, c in enumerate(executed.cells) if c.cell_type == "code" and not c.outputs]
    figures = sum(
        1 for c in executed.cells if c.cell_type == "code" for o in c.outputs
        if "application/vnd.plotly.v1+json" in o.get("data", {}))
    consistent = all(r == runs[0] for r in runs)
    summary = {
        "notebook": args.notebook,
        "runs": len(runs),
        "outputs": sum(counts),
        "outputsPerRun": [sum(r) for r in runs],
        "consistent": consistent,
        "cellOutputsPerRun": runs if not consistent else None,
        "codeCellsWithoutOutput": empty,
        "figures": figures,
        "errors": all_errors,
        "cellSeconds": timings,
        "seconds": round(time.time() - started, 2),
    }
    print(json.dumps(summary))
    sys.exit(0 if not all_errors and consistent else 1)


if __name__ == "__main__":
    main()
