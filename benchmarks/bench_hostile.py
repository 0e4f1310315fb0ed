"""Time to answer each class of hostile input (issue 10, point 3), this tree beside another.

    python benchmarks/bench_hostile.py [--base /work/wt-base] [--repeat 3] [--timeout 60]

Each case runs ``python -m saddlelab.cli ...`` in a subprocess with PYTHONPATH (and the
working directory) set to this tree, then to the base checkout, and prints the median wall
time of ``--repeat`` runs (a case that hits ``--timeout`` is not repeated), the exit status
and the last line it wrote to stderr (or stdout). The long-run case sends SIGINT after
``INTERRUPT_AFTER`` seconds and times how long the command takes to end after it.
Not a test: timing is never asserted in the suite.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
PRODUCT_60 = "*".join(f"(x+{i % 7 + 1}*y-{i % 5})" for i in range(60))
BIG = "1" + "0" * 30
INTERRUPT_AFTER = 6.0

CASES: list[tuple[str, list[str]]] = [
    ("--steps beyond 64 bits", ["run", "rosenbrock", "--optimizer", "sgd", "--steps", BIG]),
    ("--seed beyond 64 bits", ["run", "rosenbrock", "--optimizer", "sgd", "--seed", BIG]),
    ("variable named numpy",
     ["analyze", "--expr", "sin(numpy)+exp(numpy*y)", "--vars", "numpy,y", "--at", "1,1"]),
    ("keyword as variable", ["analyze", "--expr", "x+y", "--vars", "lambda,y", "--at", "1,1"]),
    ("product of 60 linear factors",
     ["analyze", "--expr", PRODUCT_60, "--vars", "x,y", "--at", "0,0"]),
    ("exp tower (30 deep)",
     ["analyze", "--expr", "exp(" * 30 + "x*y" + ")" * 30, "--vars", "x,y", "--at", "0,0"]),
    ("x^(10^9)", ["analyze", "--expr", "x^(10^9)+y", "--vars", "x,y", "--at", "1,1"]),
    ("critical-points sin(20x)sin(20y)",
     ["critical-points", "--expr", "sin(20*x)*sin(20*y)", "--vars", "x,y", "--json"]),
    ("critical-points sin(5x)sin(5y) on ±20",
     ["critical-points", "--expr", "sin(5*x)*sin(5*y)", "--vars", "x,y",
      "--domain", "x=-20:20,y=-20:20", "--json"]),
    ("--expr '-x^2-y^2'", ["analyze", "--expr", "-x^2-y^2", "--vars", "x,y", "--at", "1,1"]),
    ("domain x=-1e308:1e308",
     ["critical-points", "--expr", "x^2+y^2", "--vars", "x,y", "--domain", "x=-1e308:1e308"]),
]  # fmt: skip
LONG_RUN = [
    "run", "--expr", "x+y", "--vars", "x,y", "--domain", "x=-1e9:1e9,y=-1e9:1e9",
    "--start", "0,0", "--optimizer", "sgd", "--steps", "1000000000", "--json",
]  # fmt: skip


def _env(tree: Path) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    env.setdefault("SADDLELAB_CACHE_DIR", str(Path(tempfile.gettempdir()) / "bench-hostile"))
    return env


def _last_line(out: str, err: str) -> str:
    lines = [ln for ln in (err or out).strip().splitlines() if ln.strip()]
    text = lines[-1].strip() if lines else ""
    return text if len(text) <= 70 else text[:67] + "..."


def _once(tree: Path, argv: list[str], timeout: float) -> tuple[float, str, str]:
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "saddlelab.cli", *argv], env=_env(tree), cwd=tree,
            capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return timeout, "-", f"no answer within {timeout:g} s"
    return time.perf_counter() - start, str(done.returncode), _last_line(done.stdout, done.stderr)


def _interrupted(tree: Path, argv: list[str], timeout: float) -> tuple[float, str, str]:
    """Seconds from SIGINT to exit for a long run (and how it ended)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "saddlelab.cli", *argv], env=_env(tree), cwd=tree,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(INTERRUPT_AFTER)
    sent = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return timeout, "-", f"still running {timeout:g} s after Ctrl-C"
    tail = "Traceback" if "Traceback" in err else _last_line("", err)
    interrupted = '"interrupted": true' in out
    return (
        time.perf_counter() - sent,
        str(proc.returncode),
        f"{tail} | JSON interrupted={interrupted}",
    )


def _median(measure, tree: Path, argv: list[str], repeat: int, timeout: float):
    results = [measure(tree, argv, timeout)]
    while len(results) < repeat and results[-1][1] != "-":
        results.append(measure(tree, argv, timeout))
    return statistics.median(r[0] for r in results), results[-1][1], results[-1][2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="/work/wt-base", help="the other checkout")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    trees = {"this tree": HERE, "base": Path(args.base)}
    print(f"median of {args.repeat}; timeout {args.timeout:g} s; base = {args.base}\n")
    rows = [(name, _median, argv) for name, argv in CASES]
    rows.append((f"--steps 10^9, Ctrl-C after {INTERRUPT_AFTER:g} s (s to exit)", None, LONG_RUN))
    for name, _, argv in rows:
        print(name)
        for label, tree in trees.items():
            if argv is LONG_RUN:
                t, code, line = _median(_interrupted, tree, argv, args.repeat, args.timeout)
            else:
                t, code, line = _median(_once, tree, argv, args.repeat, args.timeout)
            shown = f">{t:.0f}" if code == "-" else f"{t:.2f}"
            print(f"  {label:9s} {shown:>6s} s  exit {code:>3s}  {line}", flush=True)


if __name__ == "__main__":
    main()
