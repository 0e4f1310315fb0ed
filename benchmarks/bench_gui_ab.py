"""bench_gui.py for this tree and another checkout, interleaved, key figures side by side.

    xvfb-run -a -s "-screen 0 1280x800x24" python benchmarks/bench_gui_ab.py OTHER_TREE
        [--rounds 2] [--repeat 3] [--seconds 6] [--stress-repeat 3]

Each round runs each tree's own ``benchmarks/bench_gui.py`` in a fresh process (this tree
first in odd rounds, the other first in even ones), each with its own numba cache folder, and
prints the lines with launch, surface switch, stall and frame-rate figures of both. Issue 9's
"must not regress" A/B: OTHER_TREE is a worktree of the commit to compare with.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEYS = ("launch to window", "switch surface", "GUI thread stall", "3-D view", "steps/s total")


def run(tree: str, args: argparse.Namespace) -> list[str]:
    env = dict(os.environ, PYTHONPATH=tree)
    env["SADDLELAB_CACHE_DIR"] = os.path.join(
        "/tmp", "saddlelab-ab-" + tree.strip("/").replace("/", "-")
    )
    cmd = [sys.executable, os.path.join(tree, "benchmarks", "bench_gui.py"), "--repeat",
           str(args.repeat), "--seconds", str(args.seconds), "--stress-repeat",
           str(args.stress_repeat)]  # fmt: skip
    done = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    lines = [line.strip() for line in done.stdout.splitlines() if any(k in line for k in KEYS)]
    return lines or [f"failed (exit {done.returncode}): {done.stderr.strip()[-300:]}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--stress-repeat", type=int, default=3)
    args = parser.parse_args()
    trees = [("this", HERE), ("other", os.path.abspath(args.other))]
    if not os.path.isfile(os.path.join(trees[1][1], "benchmarks", "bench_gui.py")):
        parser.error(f"{args.other} is not a SaddleLab checkout (e.g. git worktree add ... COMMIT)")
    for r in range(1, args.rounds + 1):
        for name, tree in trees if r % 2 else trees[::-1]:
            print(f"round {r}, {name} ({tree}):", flush=True)
            for line in run(tree, args):
                print("   ", line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
