"""Sessions (issue 11): save + reopen a session of 5 runs x 100,000 steps to the same picture.

    python benchmarks/bench_session.py

"Reopen" is everything between the file and the filled state: read and check the file, build
the surface, replay all five runs (with their mid-run edits) and fill their trajectories
(``load_session(path).build_state()``). Peer: main 9241650 has no sessions; its way to the same
picture is running the same five runs from scratch in this process (compiled ``Run`` objects,
the edits made by hand at their steps). Median of several runs, in a process that has loaded
the compiled loops once (as the window has); a fresh process's first reopen is printed too.
Not a test: timing is never asserted in the test suite.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from saddlelab.core import catalogue
from saddlelab.core.optim import Run, RunConfig
from saddlelab.core.optim.replay import Edit, Replay, RunRecord
from saddlelab.models.session import Session, load_session, save_session

STEPS = 100_000
REPEATS = 5
TARGET_S = 1.0
RUNS = [
    ("adam", {"lr": 0.002}, 0.05),
    ("sgd", {"lr": 0.0005, "momentum": 0.9}, 0.0),
    ("rmsprop", {"lr": 0.001}, 0.1),
    ("adagrad", {"lr": 0.05}, 0.0),
    ("adamw", {"lr": 0.003}, 0.02),
]


def records() -> list[RunRecord]:
    out = []
    for i, (optimizer, params, noise) in enumerate(RUNS):
        config = RunConfig.make(optimizer, (-1.2 + 0.1 * i, 1.0), params, grad_noise=noise,
                                seed=i, max_steps=STEPS, early_stop=False)  # fmt: skip
        edits = (
            Edit(20_000, "params", {"lr": params["lr"] * 0.5}),
            Edit(50_000, "moved", {"point": [0.5, 0.25], "reason": "escape"}),
            Edit(
                70_000,
                "options",
                {"grad_noise": 0.0, "clip_norm": 5.0, "schedule": "cosine:T_max=30000,eta_min=0.0"},
            ),  # fmt: skip
        )
        out.append(RunRecord(config, edits, STEPS))
    return out


def from_scratch(surface, recs) -> list[Run]:
    """Main's way: make every run again in this process, compiled, edits by hand."""
    runs = []
    for rec in recs:
        run = Run(surface, rec.config)
        job = Replay(run, rec)  # applies each edit at its step, as a user would have
        while not job.done:
            job.advance(STEPS + 1, rows=False)
        runs.append(run)
    return runs


def median(fn) -> tuple[float, object]:
    times, result = [], None
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def fresh_process(path: Path) -> float:
    code = ("import time, sys; t0 = time.perf_counter(); "
            "from saddlelab.models.session import load_session; "
            f"load_session({str(path)!r}).build_state(); "
            "print(time.perf_counter() - t0)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main() -> int:
    surface = catalogue.load("rosenbrock")
    recs = records()
    session = Session.of_runs(surface, recs)
    from_scratch(surface, recs[:1])  # load the compiled loops once, as the window has
    path = Path(tempfile.mkdtemp()) / "five-runs.json"
    save_s, _ = median(lambda: save_session(session, path))
    reopen_s, state = median(lambda: load_session(path).build_state())
    peer_s, runs = median(lambda: from_scratch(surface, recs))
    same = all(
        model.steps == run.steps and np.array_equal(model.trajectory.points[-1], run.point)
        for model, run in zip(state.runs, runs, strict=True)
    )
    fresh = fresh_process(path)
    size = path.stat().st_size
    print(f"session of 5 runs x {STEPS:,} steps: {size:,} bytes")
    print(f"save                                   {save_s * 1e3:8.1f} ms")
    verdict = "PASS" if reopen_s < TARGET_S and same else "FAIL"
    print(f"reopen to the same picture (median)    {reopen_s * 1e3:8.1f} ms   target < "
          f"{TARGET_S * 1e3:.0f} ms   {verdict}   same final points: {same}")  # fmt: skip
    print(f"  main 9241650 peer: the 5 runs from scratch in-process {peer_s * 1e3:8.1f} ms")
    print(f"  first reopen in a fresh process (imports, loading the loops) {fresh * 1e3:8.1f} ms")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
