"""Compiling the loops without making anyone wait.

Compiling the step loop and a surface's functions takes 15-25 s on a fresh machine, and numba
holds Python's GIL while it compiles, so compiling in the window's process stutters the window.
Runs therefore start on the exact pure-Python path (``Run(pure=True)``, bit for bit the compiled
loop) and switch to the compiled loop mid-run (:meth:`.Run.compile`) once it can be *loaded*
from numba's on-disk cache, which takes well under a second in small slices.

- :class:`BackgroundCompiler` fills that cache in a child process (``python -m
  saddlelab.core.optim.warmup``; lowered priority for the window, normal for a CLI run), one
  per surface; the window asks :meth:`~BackgroundCompiler.ready` before switching, a CLI run
  :meth:`~BackgroundCompiler.compiled` (it keeps stepping pure meanwhile).
- :func:`compiled_before` says whether this machine compiled a surface's loops before (a
  marker :func:`.codegen.kernels_for` leaves), so the CLI can weigh stepping pure against
  loading or compiling (:func:`advance_fastest`).
- :func:`prepare_numba` imports numba and loads its implementations in a thread once the
  window is on screen, so that GIL-heavy second is over before the first Play.

Measured with benchmarks/bench_first_minute.py (2 shared cores, medians of 3, the tree before
prepare_numba in brackets): first Play moves the run after 9-24 ms cold and 13-18 ms warm; the
longest GUI stall until compiled stepping is 19-28 ms cold [111-120 ms: numba's import and
loading the loops] and 15-19 ms warm [16 ms]. A cold 10^7-step CLI run peaks at 197 MB in its
own process (the compile child at 237 MB) [300 MB in one process on main ce046bf].
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from ..surface_code import cache_dir

WARM_LOAD_S = 1.0
"""Seconds to import numba and load cached loops (measured 0.5-0.9 s on 2 cores)."""
COLD_COMPILE_S = 15.0
"""Seconds to compile the loops and a surface's functions with an empty cache (14-24 s)."""
FIRST_SLICE = 1024
"""Pure updates made before the pure path's speed is judged."""


def _marker(surface) -> Path:
    spec = _spec(surface)
    text = json.dumps([spec, os.environ.get("NUMBA_CACHE_DIR", ""), sys.version_info[:2]])
    return cache_dir() / "compiled" / (hashlib.sha256(text.encode()).hexdigest()[:24] + ".ok")


def compiled_before(surface) -> bool:
    """Whether the loops for ``surface`` were compiled into this machine's cache before."""
    try:
        return _marker(surface).exists()
    except OSError:
        return False


def mark_compiled(surface) -> None:
    try:
        path = _marker(surface)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    except OSError:
        pass


def _spec(surface) -> dict:
    return {
        "expression": surface.expression,
        "variables": list(surface.variables),
        "domain": [list(b) for b in surface.domain],
        "parameters": dict(surface.parameters),
        "engine": _engine_sources(),
    }


def _engine_sources() -> str:
    from .codegen import _engine_digest

    return _engine_digest()


def advance_fastest(
    run, n: int, planned: int = 0, compiler: BackgroundCompiler | None = None
) -> int:
    """Advance a ``pure=True`` run by up to ``n`` updates the quickest way: on the pure path
    while the rest would take it less time than loading (or compiling) the compiled loop, else
    compiled from then on. Results are the same bit for bit either way; returns updates made.

    A caller that advances in pieces (to show progress) passes the updates it still plans in
    all as ``planned``, so the choice is made for the whole run, not for each piece.

    Loops never compiled on this machine are compiled by ``compiler`` (the process's
    :func:`shared_compiler` if none is given) in a child process while the run steps on pure, so
    LLVM's memory stays out of this process and the caller keeps control between pieces; the
    run switches (loading them from the cache) once the child is done, or compiles them here
    if the child failed.
    """
    made = 0
    piece = FIRST_SLICE
    while made < n and not run.done:
        if not run.pure:
            return made + run.advance(n - made)
        t0 = time.perf_counter()
        k = run.advance(min(piece, n - made))
        elapsed = time.perf_counter() - t0
        made += k
        if k == 0:
            break
        left = (max(n, planned) - made) * elapsed / k
        start_cost = WARM_LOAD_S if compiled_before(run.surface) else COLD_COMPILE_S
        if left > start_cost:
            _compile_or_ask(run, compiler)
        piece = min(piece * 4, 1 << 16)
    return made


def _compile_or_ask(run, compiler: BackgroundCompiler | None) -> None:
    """Switch ``run`` to the compiled loop if it loads from the cache (or its child is done);
    else have a child compile it, the run stepping on pure meanwhile."""
    if not compiled_before(run.surface):
        compiler = shared_compiler() if compiler is None else compiler
        compiler.request(run.surface)
        if not compiler.compiled(run.surface):
            return
    run.compile()


def prepare_numba() -> threading.Thread:
    """Import numba and load its implementations in a thread of its own, at once: the window
    calls this once it is on screen. That work (~1.3 s) holds the GIL in stretches of up to
    50-80 ms; done now, it is over before the first Play, and loading the compiled loops later
    takes ~0.1 s in stretches of under 20 ms (benchmarks/bench_first_minute.py)."""
    thread = threading.Thread(target=_prepare_numba, daemon=True, name="saddlelab-numba")
    thread.start()
    return thread


def _prepare_numba() -> None:
    try:
        from numba.core.compiler_lock import global_compiler_lock
        from numba.core.registry import cpu_target

        with global_compiler_lock:  # as numba does before it compiles or loads a function
            cpu_target.target_context.refresh()
    except Exception:  # noqa: BLE001 - then loading the loops does this work itself
        pass


_SHARED: list[BackgroundCompiler] = []


def shared_compiler() -> BackgroundCompiler:
    """The process's compiler (windows of one process share their children; they are stopped
    when the interpreter exits)."""
    if not _SHARED:
        import atexit

        _SHARED.append(BackgroundCompiler())
        atexit.register(_SHARED[0].close)
    return _SHARED[0]


class BackgroundCompiler:
    """Fills numba's cache for surfaces in child processes; says when one is ready to load."""

    def __init__(self, nice: int = 10) -> None:
        self.nice = int(nice)
        """How much the children lower their priority (10: the window stays smooth; a CLI
        run, whose user waits for the compiled loop, passes 0)."""
        self._children: dict[str, subprocess.Popen] = {}
        self._waiting: dict[str, object] = {}
        self._lock = threading.Lock()  # windows of one process share the compiler
        self._compiled: set[str] = set()
        self._loading: set[str] = set()
        self._ready: set[str] = set()

    @staticmethod
    def _key(surface) -> str:
        return json.dumps(_spec(surface), sort_keys=True)

    def request(self, surface) -> None:
        """Compile for ``surface`` unless that is done or under way. One child at a time (the
        first compiles the shared loops, ~15 s; later ones only a surface's functions): a
        request made meanwhile waits, the latest first."""
        key = self._key(surface)
        if key in self._compiled or key in self._children:
            return
        if compiled_before(surface) or getattr(sys, "frozen", False):
            self._compiled.add(key)  # load (or, frozen, compile) in-process
            return
        with self._lock:
            self._waiting.pop(key, None)
            self._waiting[key] = surface
            self._poll()

    def _poll(self) -> None:
        for key, child in list(self._children.items()):
            if child.poll() is not None:
                del self._children[key]
                self._compiled.add(key)
        if self._children or not self._waiting:
            return
        key, surface = self._waiting.popitem()
        root = str(Path(__file__).resolve().parents[3])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in (root, os.environ.get("PYTHONPATH", "")) if p)}  # fmt: skip
        child = subprocess.Popen(
            [sys.executable, "-m", "saddlelab.core.optim.warmup", str(self.nice)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=env, cwd=root,
        )  # fmt: skip
        try:
            child.stdin.write(json.dumps(_spec(surface)).encode())
            child.stdin.close()
        except OSError:
            pass
        self._children[key] = child

    def ready(self, surface) -> bool:
        """Whether the compiled loops for ``surface`` are loaded in this process, so a run
        switches to them at once. Once the child is done they are loaded from the cache in a
        thread of their own while the caller goes on stepping; at normal priority, since a
        lowered thread that holds the GIL when the scheduler passes it over stalls the window.
        A failed child counts as done: the loader then compiles in-process, as before."""
        key = self._key(surface)
        if key in self._ready:
            return True
        with self._lock:
            if not self._compiled_locked(key) or key in self._loading:
                return False
            self._loading.add(key)
            threading.Thread(target=self._load, args=(surface, key), daemon=True,
                             name="saddlelab-load-loops").start()  # fmt: skip
        return False

    def compiled(self, surface) -> bool:
        """Whether the child for ``surface`` is done (or none was needed), so its loops load
        from the cache; a failed child counts as done (they then compile in-process)."""
        with self._lock:
            return self._compiled_locked(self._key(surface))

    def _compiled_locked(self, key: str) -> bool:
        self._poll()
        return key in self._compiled

    def _load(self, surface, key: str) -> None:
        try:
            from . import _kernels  # noqa: F401
            from .codegen import kernels_for

            kernels_for(surface)
        except Exception:  # noqa: BLE001 - the run then reports the error as it switches
            pass
        self._ready.add(key)

    def close(self) -> None:
        """Stop the children still compiling (the cache stays consistent: numba writes whole
        files)."""
        for child in self._children.values():
            if child.poll() is None:
                child.terminate()
        for child in self._children.values():
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
        self._children.clear()
        self._waiting.clear()


def _main() -> int:
    """Child process: compile the loops for the surface described on stdin."""
    try:
        os.nice(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
    except (OSError, ValueError):
        pass
    # Ctrl-C in a terminal reaches the whole process group: the parent stops cleanly between
    # chunks and then ends this child; dying here first would make it compile in-process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    spec = json.loads(sys.stdin.read())
    from saddlelab.core.surface import Surface

    surface = Surface.from_expression(
        spec["expression"], spec["variables"], spec["domain"], parameters=spec["parameters"]
    )
    from . import _kernels  # noqa: F401  (compiles the loops into numba's cache)
    from .codegen import kernels_for

    kernels_for(surface)  # the surface's functions
    mark_compiled(surface)
    return 0


if __name__ == "__main__":
    sys.exit(_main())
