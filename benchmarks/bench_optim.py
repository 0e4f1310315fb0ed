"""Optimizer engine figures, side by side with torch.optim (if installed) in the same run.

Run: /work/venv/bin/python benchmarks/bench_optim.py   (torch: pip install torch==2.13.0)
Prints medians of several repetitions: single-run and batch Adam throughput on Rosenbrock,
compile latency (cold cache, warm cache, new surface), and a 10^7-step run's memory.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc

import numpy as np

from saddlelab.core import catalogue
from saddlelab.core.optim import Batch, Run, RunConfig

REPEATS = 5
START = (-1.2, 1.0)


def median_time(fn, repeats=REPEATS) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def config(start=START, **kw):
    # gtol 0 and no stall test: every run does all its steps
    return RunConfig.make("adam", start, {"lr": 1e-4}, gtol=0.0, stall_window=0,
                          max_steps=10**9, **kw)  # fmt: skip


def ours_single(surface, steps=1_000_000) -> float:
    """Recorded steps per second (Adam can land exactly on the minimum: count real steps)."""
    run = Run(surface, config())
    run.step(10)
    rates = []
    for _ in range(REPEATS):
        run.reset()
        t = time.perf_counter()
        done = run.advance(steps)
        rates.append(done / (time.perf_counter() - t))
    return statistics.median(rates)


def ours_batch(surface, n=100_000, steps=50) -> float:
    rng = np.random.default_rng(0)
    starts = rng.uniform([-2, -1], [2, 3], size=(n, 2))
    batch = Batch(surface, [config(tuple(s)) for s in starts])
    batch.step(1)
    return n * steps / median_time(lambda: batch.step(steps))


def torch_grad(torch, p):
    x, y = p[..., 0], p[..., 1]
    r = y - x * x
    return torch.stack([-400.0 * x * r + 2 * x - 2.0, 200.0 * r], dim=-1)


def torch_single(torch, steps=20_000) -> float:
    p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=1e-4)

    def go():
        for _ in range(steps):
            with torch.no_grad():
                p.grad = torch_grad(torch, p)
            opt.step()

    return steps / median_time(go, 3)


def torch_batch(torch, n=100_000, steps=50) -> float:
    rng = np.random.default_rng(0)
    p = torch.tensor(rng.uniform([-2, -1], [2, 3], size=(n, 2)), requires_grad=True)
    opt = torch.optim.Adam([p], lr=1e-4)

    def go():
        for _ in range(steps):
            with torch.no_grad():
                p.grad = torch_grad(torch, p)
            opt.step()

    return n * steps / median_time(go, 3)


def torch_batch_one_thread(torch) -> float:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return torch_batch(torch)
    finally:
        torch.set_num_threads(threads)


COLD = """
import time, random
t = time.perf_counter()
from saddlelab.core import catalogue
from saddlelab.core.optim import Run, RunConfig
from saddlelab.core.surface import Surface
t0 = time.perf_counter()
s = catalogue.load("rosenbrock")
r = Run(s, RunConfig.make("adam", (-1.2, 1.0), {"lr": 1e-3})); r.step(10)
t1 = time.perf_counter()
s2 = Surface.from_expression("sin(x)*cos(y) + %r*(x^2 + y^2)" % random.random(), ["x", "y"])
r2 = Run(s2, RunConfig.make("newton", (0.3, 0.2), {})); r2.step(10)
t2 = time.perf_counter()
print(f"{t0 - t:.3f} {t1 - t0:.3f} {t2 - t1:.3f}")
"""


def compile_latency() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, SADDLELAB_CACHE_DIR=tmp, NUMBA_CACHE_DIR=tmp)
        for label in ("cold cache (first ever use)", "warm cache (later sessions)"):
            out = subprocess.run([sys.executable, "-c", COLD], env=env, capture_output=True,
                                 text=True, check=True).stdout.split()  # fmt: skip
            imp, first, new = (float(v) for v in out)
            print(f"  {label:30s} import {imp:6.2f} s | first run (loops + rosenbrock) "
                  f"{first:6.2f} s | then a new typed surface {new:5.2f} s")  # fmt: skip


def long_run(surface, steps=10_000_000) -> None:
    tracemalloc.start()
    run = Run(surface, RunConfig.make("sgd", START, {"lr": 1e-5}, gtol=0.0, stall_window=0,
                                      max_steps=steps))  # fmt: skip
    t = time.perf_counter()
    while not run.done:
        run.step(100_000)  # the GUI's path: every row comes back as a chunk
    elapsed = time.perf_counter() - t
    traj = run.trajectory
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {run.steps:,} steps ({run.status.value}): {elapsed:.1f} s, kept {len(traj)} rows "
          f"(decimated={traj.decimated}), "
          f"trajectory buffer {run._buffer.nbytes() / 1e6:.1f} MB, traced peak "
          f"{peak / 1e6:.1f} MB, process max RSS {rss:.0f} MB")  # fmt: skip


def main() -> None:
    surface = catalogue.load("rosenbrock")
    try:
        import torch
    except ImportError:
        torch = None
    print(
        "Adam on Rosenbrock, float64, one thread (ours); torch",
        torch.__version__ if torch else "not installed",
        f"({torch.get_num_threads()} threads)" if torch else "",
    )
    single = ours_single(surface)
    t_single = torch_single(torch) if torch else float("nan")
    print(f"  one run:   saddlelab {single:14,.0f} steps/s | torch.optim {t_single:12,.0f} "
          f"steps/s | ratio {single / t_single:7.1f}x   (target >= 100,000)")  # fmt: skip
    batch = ours_batch(surface)
    t_batch = torch_batch(torch) if torch else float("nan")
    print(
        f"  100k runs: saddlelab {batch / 1e6:10.1f} M particle-steps/s | torch.optim "
        f"{t_batch / 1e6:8.1f} M/s | ratio {batch / t_batch:5.2f}x   (target >= 20 M/s, 1.5x)"
    )
    print("compile latency:")
    compile_latency()
    print("memory:")
    long_run(surface)


if __name__ == "__main__":
    main()
