"""Compile a surface's batch kernel for a swarm in a child process, not in the window's.

numba compiles a surface's batch kernel (one per optimizer) on the first step of a batch of at
least 1024 rows and holds Python's GIL meanwhile (seconds cold): in the window's process that
would freeze the window. The child (``python -m saddlelab.app.runtime.swarm_warmup``, lowered
priority, no Qt) steps a 1024-row batch once, which leaves the kernel in numba's on-disk cache;
the swarm worker then builds its swarm, which loads it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from saddlelab.core.optim.warmup import _spec

NICE = 10


class SwarmWarmup:
    """One child per (surface, optimizer) not warmed in this process yet (worker thread only)."""

    def __init__(self) -> None:
        self._done: set[str] = set()
        self._children: dict[str, subprocess.Popen] = {}

    @staticmethod
    def _key(surface, optimizer: str) -> str:
        return json.dumps([_spec(surface), optimizer], sort_keys=True)

    def ready(self, surface, optimizer: str) -> bool:
        """Whether the kernel can be loaded now; starts the child on the first ask. A failed
        child counts as done (the kernel then compiles in-process, as it would anyway)."""
        key = self._key(surface, optimizer)
        if key in self._done:
            return True
        child = self._children.get(key)
        if child is None:
            if getattr(sys, "frozen", False):
                self._done.add(key)
                return True
            self._children[key] = _start(surface, optimizer)
            return False
        if child.poll() is None:
            return False
        del self._children[key]
        self._done.add(key)
        return True

    def close(self) -> None:
        for child in self._children.values():
            if child.poll() is None:
                child.terminate()
                try:
                    child.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    child.kill()
        self._children.clear()


def _start(surface, optimizer: str) -> subprocess.Popen:
    root = str(Path(__file__).resolve().parents[3])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (root, os.environ.get("PYTHONPATH", "")) if p)}  # fmt: skip
    child = subprocess.Popen(
        [sys.executable, "-m", "saddlelab.app.runtime.swarm_warmup"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=env, cwd=root,
    )  # fmt: skip
    try:
        child.stdin.write(json.dumps({"surface": _spec(surface), "optimizer": optimizer}).encode())
        child.stdin.close()
    except OSError:
        pass
    return child


def _main() -> int:
    try:
        os.nice(NICE)
    except OSError:
        pass
    spec = json.loads(sys.stdin.read())
    from saddlelab.core.optim import RunConfig
    from saddlelab.core.surface import Surface
    from saddlelab.core.swarm import make_batch

    s = spec["surface"]
    surface = Surface.from_expression(
        s["expression"], s["variables"], s["domain"], parameters=s["parameters"]
    )
    start = surface.suggested_start()
    config = RunConfig.make(spec["optimizer"], start)
    make_batch(surface, config, [start] * 1024).step(1)
    return 0


if __name__ == "__main__":
    sys.exit(_main())
