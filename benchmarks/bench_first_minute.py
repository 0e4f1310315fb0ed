"""Issue 10, point 4 ("the first minute is instant"): every figure, on this tree and another.

    xvfb-run -a -s "-screen 0 1920x1080x24" python benchmarks/bench_first_minute.py \
        [/work/wt-base] [--repeat 3] [--gui-repeat 2] [--skip-gui] [--skip-rss]

Each figure runs in fresh processes with ``PYTHONPATH=<tree>``, alternating the two trees, and
the table shows medians. "Cold" means empty ``SADDLELAB_CACHE_DIR`` and ``NUMBA_CACHE_DIR``
(new folders for every run); "warm" reuses folders that one unmeasured run filled. Python's own
bytecode is written as an installed package has it (``PYTHONDONTWRITEBYTECODE`` is unset).

- ``import numpy``: the yardstick of ``analyze`` (goal: analyze <= 3x it);
- ``saddlelab analyze rosenbrock --at 0.5,0.5``, cold and warm;
- ``saddlelab run rosenbrock --optimizer adam --steps 1000``: < 3 s cold, < 0.8 s warm;
- a 10^7-step run (sgd, lr=1e-4, grad_noise=0.1): peak RSS of the CLI process itself (its
  ``VmHWM`` at exit) and of it and its children (``wait4``: the largest of them, i.e. a compile
  child's where there is one), warm and cold;
- the window (``lecture_window()``, 1280 x 800, needs a display): from Play to the first rows
  applied (goal < 0.5 s), the longest stall between the window shown and Play (1.5 s later)
  and the longest stall of a 5 ms GUI-thread timer from Play until every
  run steps compiled plus a second (goal <= 50 ms), cold and warm; then, as the machine's
  noise floor, the longest stall in the next 3 s of compiled stepping (nothing compiles).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
RUN_1000 = ["run", "rosenbrock", "--optimizer", "adam", "--steps", "1000"]
ANALYZE = ["analyze", "rosenbrock", "--at", "0.5,0.5"]
RUN_1E7 = ["run", "rosenbrock", "--optimizer", "sgd", "--set", "lr=0.0001", "--set",
           "grad_noise=0.1", "--steps", "10000000"]  # fmt: skip

GUI_PROBE = r"""
import json, sys, time
from PySide6 import QtCore, QtWidgets
from saddlelab.app import style
style.before_application()
app = QtWidgets.QApplication(sys.argv[:1])
style.apply(app)
from saddlelab.app.window import lecture_window
w = lecture_window()
w.resize(1280, 800)
out = {"first_move": None, "max_stall": 0.0, "compiled_after": None}
gaps, last, marks = [], [time.perf_counter()], {}

before = []

def probe():
    now = time.perf_counter()
    if "play" in marks:
        gaps.append((now - last[0] - 0.005, now - marks["play"]))
    else:
        before.append(now - last[0] - 0.005)
    last[0] = now

timer = QtCore.QTimer(); timer.setInterval(5); timer.timeout.connect(probe); timer.start()

def compiled():
    entries = list(w.controller.worker._entries.values())
    return bool(entries) and all(
        e.run is not None and not getattr(e.run, "pure", False) and e.run.steps > 0
        for e in entries)

def on_rows(rows):
    if rows and out["first_move"] is None and "play" in marks:
        out["first_move"] = time.perf_counter() - marks["play"]

def watch():
    now = time.perf_counter()
    if out["compiled_after"] is None and compiled():
        out["compiled_after"] = now - marks["play"]
        QtCore.QTimer.singleShot(4000, app.quit)
    elif now - marks["play"] > float(sys.argv[1]):
        app.quit()

def play():
    marks["play"] = time.perf_counter()
    w.state.playback.set_playing(True)
    poll = QtCore.QTimer(w); poll.setInterval(20); poll.timeout.connect(watch); poll.start()

w.controller.batch_applied.connect(on_rows)
w.show()
QtCore.QTimer.singleShot(1500, play)
app.exec()
end = (out["compiled_after"] or 1e9) + 1.0
during = [g for g in gaps if g[1] <= end]
out["max_stall"] = max(during)[0] if during else None
after = [g for g, at in gaps if at > end]
out["steady_stall"] = max(after) if after else None
out["before_play"] = max(before[1:]) if len(before) > 1 else None  # the first: the first frame
out["worst"] = [(round(g, 3), round(at, 2)) for g, at in sorted(during)[-5:]]
w.shutdown()
print(json.dumps(out))
"""


OWN_PEAK = r"""
import atexit, sys
def _own_peak():
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM"))
    with open(sys.argv[1], "w") as out:
        out.write(peak)
atexit.register(_own_peak)
from saddlelab.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _env(tree: Path, cache: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree), "SADDLELAB_CACHE_DIR": str(cache / "kernels"),
           "NUMBA_CACHE_DIR": str(cache / "numba")}  # fmt: skip
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _measure(args: list[str], env: dict) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, stdout) of one fresh process (``wait4``: its own rusage)."""
    t0 = time.perf_counter()
    child = subprocess.Popen([sys.executable, *args], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, cwd=tempfile.gettempdir())  # fmt: skip
    out = child.stdout.read().decode()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - t0
    if child.returncode != 0:
        raise RuntimeError(f"{args} exited with {child.returncode}")
    return seconds, usage.ru_maxrss / 1024, out


def _cli(argv: list[str]) -> list[str]:
    return ["-m", "saddlelab.cli", *argv]


def _run_1e7(tree: Path) -> list[str]:
    """RUN_1E7, with --exact-steps where the tree has it: the run then really takes 10^7
    updates (by the one criticality rule it would stop at about 3·10^5, converged)."""
    exact = "--exact-steps" in (tree / "saddlelab" / "commands" / "run.py").read_text()
    return [*RUN_1E7, "--exact-steps"] if exact else RUN_1E7


def _rss_1e7(t: Trees, name: str, kind: str, cache: Path) -> None:
    """The 10^7-step run: seconds, its own peak RSS and that of it and its children."""
    own = cache / "own-peak-kb"
    argv = _run_1e7(t.trees[name])
    s, mb, _ = _measure(["-c", OWN_PEAK, str(own), *argv], _env(t.trees[name], cache))
    t.add(f"run 1e7, {kind}: peak RSS of the CLI process (MB)", name, int(own.read_text()) / 1024)
    t.add(f"run 1e7, {kind}: peak RSS, largest of it and children (MB)", name, mb)
    t.add(f"run 1e7, {kind} (s)", name, s)


class Trees:
    """Two trees measured alternately; each keeps a warm cache folder of its own."""

    def __init__(self, trees: dict[str, Path], scratch: Path) -> None:
        self.trees = trees
        self.scratch = scratch
        self.counter = 0
        self.figures: dict[str, dict[str, list[float]]] = {}

    def cold(self) -> Path:
        self.counter += 1
        path = self.scratch / f"cold-{self.counter}"
        path.mkdir()
        return path

    def warm(self, name: str) -> Path:
        path = self.scratch / f"warm-{name}"
        path.mkdir(exist_ok=True)
        return path

    def add(self, figure: str, name: str, value: float | None) -> None:
        self.figures.setdefault(figure, {}).setdefault(name, [])
        if value is not None:
            self.figures[figure][name].append(value)


def measure_cli(t: Trees, repeat: int, rss: bool) -> None:
    for name, tree in t.trees.items():  # bytecode and warm caches, unmeasured
        for argv in (ANALYZE, RUN_1000):
            _measure(_cli(argv), _env(tree, t.warm(name)))
        if rss:
            _measure(_cli(_run_1e7(tree)), _env(tree, t.warm(name)))
    for _ in range(repeat):
        for name, tree in t.trees.items():
            t.add(
                "import numpy (s)", name, _measure(["-c", "import numpy"], _env(tree, t.cold()))[0]
            )
            t.add("analyze, cold (s)", name, _measure(_cli(ANALYZE), _env(tree, t.cold()))[0])
            t.add("analyze, warm (s)", name, _measure(_cli(ANALYZE), _env(tree, t.warm(name)))[0])
            t.add("run 1000, cold (s)", name, _measure(_cli(RUN_1000), _env(tree, t.cold()))[0])
            t.add("run 1000, warm (s)", name, _measure(_cli(RUN_1000), _env(tree, t.warm(name)))[0])
            if rss:
                _rss_1e7(t, name, "warm", t.warm(name))
                _rss_1e7(t, name, "cold", t.cold())


def measure_gui(t: Trees, repeat: int, limit: float) -> None:
    for _ in range(repeat):
        for name, tree in t.trees.items():
            for kind, cache in (("cold", t.cold()), ("warm", t.warm("gui-" + name))):
                if kind == "warm" and not any(cache.iterdir()):  # fill it once, unmeasured
                    _measure(["-c", GUI_PROBE, str(limit)], _env(tree, cache))
                _, _, out = _measure(["-c", GUI_PROBE, str(limit)], _env(tree, cache))
                data = json.loads(out.strip().splitlines()[-1])
                t.add(f"GUI {kind}: Play to first rows (s)", name, data["first_move"])
                stall = data["max_stall"]
                t.add(f"GUI {kind}: longest stall until compiled + 1 s (ms)", name,
                      None if stall is None else 1000 * stall)  # fmt: skip
                t.add(f"GUI {kind}: Play to compiled stepping (s)", name, data["compiled_after"])
                steady = data["steady_stall"]
                t.add(f"GUI {kind}: longest stall in the 3 s after that (ms)", name,
                      None if steady is None else 1000 * steady)  # fmt: skip
                before = data.get("before_play")
                t.add(f"GUI {kind}: longest stall from shown to Play, 1.5 s (ms)", name,
                      None if before is None else 1000 * before)  # fmt: skip
                print(f"{name} {kind}: worst stalls (s, at s after Play): {data['worst']}")


def table(t: Trees) -> str:
    names = list(t.trees)
    rows = [["figure", *names, "ratio"]]
    for figure, by_tree in t.figures.items():
        medians = [statistics.median(by_tree[n]) if by_tree.get(n) else None for n in names]
        cells = [f"{m:.3g}" if m is not None else "n/a" for m in medians]
        ratio = ""
        if None not in medians and medians[1]:
            ratio = f"{medians[0] / medians[1]:.2f}"
        rows.append([figure, *cells, ratio])
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("other", nargs="?", default="/work/wt-base", help="the tree to compare")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--gui-repeat", type=int, default=2)
    parser.add_argument("--gui-limit", type=float, default=90.0, help="seconds to wait after Play")
    parser.add_argument("--skip-gui", action="store_true")
    parser.add_argument("--skip-rss", action="store_true")
    args = parser.parse_args()
    trees = {"this": HERE, "other": Path(args.other).resolve()}
    scratch = Path(tempfile.mkdtemp(prefix="bench-first-minute-"))
    t = Trees(trees, scratch)
    try:
        measure_cli(t, args.repeat, not args.skip_rss)
        if not args.skip_gui:
            if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
                measure_gui(t, args.gui_repeat, args.gui_limit)
            else:
                print("no display: GUI figures skipped (run under xvfb-run)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"this = {trees['this']}   other = {trees['other']}   python = {sys.executable}")
    print(f"medians of {args.repeat} (CLI) / {args.gui_repeat} (GUI) runs; ratio = this / other")
    print(table(t))
    return 0


if __name__ == "__main__":
    sys.exit(main())
