"""A/B of the pacing layer (issue 9, point 4): bench_gui.py's stress figures with one pacing
piece at a time replaced by what Qt does by itself (run under a display, e.g.
``xvfb-run -a -s "-screen 0 1280x800x24"``).

    python benchmarks/bench_pacing_ab.py [--variants no-scheduler,no-lod,...] [--repeat 3]
        [--seconds 5] [--segments 2] [--paired] [--explain]

Variants (``pacing_variants.py`` patches them in, before the window is made): ``current``;
``no-scheduler``, ``no-paint-pacer``, ``no-throttle``, ``no-lod``, ``no-nice`` (one piece
replaced each); ``toolkit`` (all but merging redraws, which then merge with a plain QTimer
each, and the worker's nice); or pieces joined by ``+``. (The fence-polled swap, the batch
slot and the layout settling were measured here too and left the app: see the module
docstring of ``saddlelab/app/runtime/pacing.py``.) Every
run is a fresh process (patches cannot leak) doing bench_gui's stress test: 5 runs stepping
flat out, the camera orbiting, a 5 ms timer probe, ``--segments`` x ``--seconds`` measured.
Each round runs ``current`` and every variant once, in an order rotated per round; ``--paired``
runs ``current`` before every variant instead (more baseline samples: its worst is then over
more segments). A variant that crashes or hangs is reported and the rest go on.

The table: the probe's lateness (its gaps minus 5 ms) as the median of segment maxima, the
worst segment, the median of segment p99s; 3-D frames/s (median of segments); steps/s (median
of runs); PASS when the median of maxima < 30 ms and frames/s >= 25. Below it, per variant,
the counters that show its patches took effect (summed over runs).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import textwrap
import time
from collections import Counter

STALL_TARGET_S = 0.030
FPS_TARGET = 25.0
DEFAULT_VARIANTS = "no-scheduler,no-paint-pacer,no-throttle,no-lod,no-nice,toolkit"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
"""The checkout whose saddlelab the children must import (PYTHONPATH)."""
RESULT = "AB-RESULT "
"""Prefix of the child's one line of results (JSON) on stdout."""


def child(spec: str, seconds: float, segments: int, explain: bool) -> int:
    """One measurement in this process: patch, make the window, run the stress test."""
    import bench_gui
    import pacing_variants
    from PySide6 import QtWidgets

    import saddlelab
    from saddlelab.app import style

    style.before_application()
    app = QtWidgets.QApplication(sys.argv[:1])
    style.apply(app)
    names = pacing_variants.apply(spec)
    breakdown = bench_gui.instrument() if explain else None  # wraps the patched methods
    if breakdown and "no-scheduler" in names:
        from saddlelab.app.scene3d.gl_window import GLSceneWindow

        # Frames take Qt's path: QOpenGLWindow's paintEvent runs paintGL and swaps.
        breakdown.wrap(GLSceneWindow, "paintEvent", "3-D frame: Qt's paintGL + swap")
    from saddlelab.app.runtime.pacing import FrameScheduler
    from saddlelab.app.window import lecture_window

    win = lecture_window(resolution=200)
    win.resize(1280, 800)
    win.show()
    for _ in range(20):
        app.processEvents()
    try:
        bench_gui.start_stress(app, win)
        result = bench_gui.measure_stress(win, seconds, segments, True, breakdown)
    finally:
        win.close()  # stops the worker: an error is reported, not an abort at exit
    ok, confirm = pacing_variants.check(names)
    gaps = sorted(result.worst, reverse=True)[:3] if breakdown else []
    out = {
        "segments": result.segments,
        "steps_per_s": result.steps / result.elapsed,
        "still": result.still,
        "stopped": [f"{r.optimizer} {r.status}" for r in win.state.runs if r.done],
        "patched": ok,
        "confirm": confirm,
        "jobs": FrameScheduler.instance().jobs_run,
        "module": saddlelab.__file__,
        "explain": [f"gap {1000 * g:5.1f}: {breakdown.explain(e - g, e)}" for g, e in gaps],
    }
    print(RESULT + json.dumps(out), flush=True)
    return 0


def run_child(spec: str, args) -> dict:
    """Measure ``spec`` in a fresh process; ``{"error": ...}`` if it gave no figures."""
    cmd = [sys.executable, os.path.abspath(__file__), "--child", spec]
    cmd += ["--seconds", str(args.seconds), "--segments", str(args.segments)]
    cmd += ["--explain"] if args.explain else []
    limit = 180 + 2 * args.seconds * args.segments
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return {"error": f"no result within {limit:.0f} s (killed)"}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT):
            out = json.loads(line[len(RESULT) :])
            if done.returncode:
                out["note"] = f"exit code {done.returncode} after measuring"
            return out
    rc = done.returncode
    why = f"killed by {signal.Signals(-rc).name}" if rc < 0 else f"exit code {rc}"
    lines = done.stderr.strip().splitlines() or ["(no output)"]
    errors = [x for x in lines if re.match(r"\w[\w.]*(Error|Exception)\b", x)]
    tail = (errors or lines)[-1]  # the Python exception, if any, else the last word
    return {"error": f"{why}: {tail[:150]}"}


def schedule(variants: list[str], repeat: int, paired: bool) -> list[tuple[int, str]]:
    """(round, spec) in the order they run: ``current`` interleaved with the variants."""
    order = []
    for r in range(repeat):
        k = r % len(variants)
        turn = variants[k:] + variants[:k]
        if paired:
            order += [(r, s) for v in turn for s in ("current", v)]
        else:
            seq = ["current"] + turn
            j = r % len(seq)
            order += [(r, s) for s in seq[j:] + seq[:j]]
    return order


def ms(x: float) -> str:
    return f"{1000 * x:6.1f}"


def summary(spec: str, runs: list[dict]) -> str:
    good = [r for r in runs if "error" not in r]
    n = f"{len(good)}/{len(runs)}"
    if not good:
        return f"  {spec:<30} {n:>5}  {'no figures: every run failed':<50} CRASH"
    segs = [s for r in good for s in r["segments"]]
    top = statistics.median(s[2] for s in segs)
    fps = statistics.median(s[3] for s in segs)
    steps = statistics.median(r["steps_per_s"] for r in good)
    verdict = "PASS" if top < STALL_TARGET_S and fps >= FPS_TARGET else "FAIL"
    if not all(r["patched"] for r in good):
        verdict += " (patch not in effect!)"
    elif len(good) < len(runs):
        verdict += " (some runs crashed)"
    return (
        f"  {spec:<30} {n:>5} {ms(top)} {ms(max(s[2] for s in segs))} "
        f"{ms(statistics.median(s[1] for s in segs))}  {fps:6.1f} {steps / 1e6:8.2f} M  {verdict}"
    )


def confirmation(spec: str, runs: list[dict]) -> str:
    good = [r for r in runs if "error" not in r]
    if not good:
        return f"  {spec}: no run finished"
    total: Counter = Counter()
    for r in good:
        for part in r["confirm"].split(", "):
            key, _, value = part.rpartition(" ")
            total[key] += int(value)
    state = "took effect" if all(r["patched"] for r in good) else "DID NOT TAKE EFFECT"
    counts = ", ".join(f"{k} {v}" for k, v in total.items())
    text = f"{spec}: {state} ({counts}; scheduler jobs {sum(r['jobs'] for r in good)})"
    return textwrap.fill(text, 100, initial_indent="  ", subsequent_indent="      ")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default=DEFAULT_VARIANTS, help="comma-separated specs")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (a fresh process per run)")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of a segment")
    parser.add_argument("--segments", type=int, default=2, help="segments measured per run")
    parser.add_argument("--paired", action="store_true", help="current before every variant")
    parser.add_argument("--explain", action="store_true", help="what ran in the longest gaps")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seconds <= 0 or args.segments < 1 or args.repeat < 1:
        parser.error("--seconds, --segments and --repeat must be positive")
    if args.child is not None:
        return child(args.child, args.seconds, args.segments, args.explain)

    import pacing_variants

    variants = [v.strip() for v in args.variants.split(",") if v.strip() not in ("", "current")]
    for v in variants:
        pacing_variants.resolve(v)  # unknown names fail here, not in every child
    results: dict[str, list[dict]] = {s: [] for s in ["current"] + variants}
    print(
        f"pacing A/B: {len(variants)} variants + current, {args.repeat} rounds, "
        f"{args.segments} x {args.seconds:g} s per run; {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.2f} at the start",
        flush=True,
    )
    t0 = time.time()
    for r, spec in schedule(variants, args.repeat, args.paired):
        out = run_child(spec, args)
        results[spec].append(out)
        if "error" in out:
            line = f"FAILED: {out['error']}"
        else:
            segs = out["segments"]
            line = (
                f"stall max {ms(max(s[2] for s in segs))} ms  p99 "
                f"{ms(statistics.median(s[1] for s in segs))} ms  "
                f"{statistics.median(s[3] for s in segs):5.1f} frames/s  "
                f"{out['steps_per_s'] / 1e6:5.2f} M steps/s  "
                + ("patches in effect" if out["patched"] else "PATCH NOT IN EFFECT")
            )
            line += f"  [{out['note']}]" if "note" in out else ""
            if out["still"] < 5:
                line += f"  [{out['still']}/5 runs stepping; stopped: {', '.join(out['stopped'])}]"
            if not out["module"].startswith(ROOT):
                line += f"  [saddlelab from {out['module']}, not {ROOT}]"
        print(f"  round {r + 1}  {spec:<24} {line}", flush=True)
        for gap in out.get("explain", []):
            print(f"      {gap}"[:220], flush=True)

    print(
        f"\npacing A/B, {time.time() - t0:.0f} s, load average {os.getloadavg()[0]:.2f} at the "
        f"end; stall = lateness of the 5 ms probe (ms), targets: median of maxima < "
        f"{1000 * STALL_TARGET_S:.0f} ms, frames/s >= {FPS_TARGET:.0f}"
    )
    print(
        f"  {'variant':<30} {'runs':>5} {'max':>6} {'worst':>6} {'p99':>6}  "
        f"{'3-D f/s':>6} {'steps/s':>10}  verdict"
    )
    for spec, runs in results.items():
        print(summary(spec, runs))
    print("patches (counters summed over the runs that finished):")
    for spec, runs in results.items():
        print(confirmation(spec, runs))
    for spec, runs in results.items():
        for out in runs:
            if "error" in out:
                print(f"  {spec} failed: {out['error']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
