"""The swarm's stepping thread: builds the swarm, steps it, hands snapshots to the GUI.

Like the runs' :class:`~saddlelab.app.runtime.worker.StepWorker`: the GUI thread only enqueues
commands; the thread owns the :class:`~saddlelab.core.swarm.Swarm`, never touches a widget, and
emits ``snapshot_ready`` (one :class:`~saddlelab.models.swarm.Snapshot` with its own copies of
the arrays) at most every ``EMIT_INTERVAL`` and only after the GUI acknowledged the previous
one: however fast the swarm steps, the GUI sees the latest state once per frame, never a
signal per step.

A swarm of at least 1024 particles steps in the surface's batch kernel, compiled on its first
step; compiling holds Python's GIL for seconds, so the thread first has a child process fill
numba's cache (:mod:`.swarm_warmup`) and only then builds the swarm, which then just loads it.
"""

from __future__ import annotations

import math
import queue
import sys
import threading
import time

from PySide6.QtCore import QThread, Signal

from saddlelab.app.runtime.swarm_warmup import SwarmWarmup
from saddlelab.app.runtime.worker import EMIT_INTERVAL, lower_own_priority
from saddlelab.core.swarm import Swarm
from saddlelab.models.swarm import Snapshot

STEP_BUDGET_S = 0.008
"""Most seconds of stepping between two looks at the command queue."""
_STOP = object()


GATE_WAIT_S = 10.0
IMPORTERS = ("saddlelab-numba", "saddlelab-load-loops")
"""Threads of the runs' worker that import numba and the loops."""


def wait_for_importers(gate, timeout: float = GATE_WAIT_S) -> None:
    """Wait until the runs' worker has started (``gate()``) and its threads that import numba
    are done: numba imported from two threads at once hands one of them a partly initialised
    module, and the process cannot import it properly after that."""
    end = time.perf_counter() + timeout
    while not gate() and time.perf_counter() < end:
        time.sleep(0.02)
    while time.perf_counter() < end:
        busy = [t for t in threading.enumerate() if t.name in IMPORTERS and t.is_alive()]
        seen = any(t.name == IMPORTERS[0] for t in busy) or "numba.core.registry" in sys.modules
        if not busy and seen:
            return
        for thread in busy:
            thread.join(max(0.0, end - time.perf_counter()))
        if not busy:
            time.sleep(0.02)


class SwarmWorker(QThread):
    snapshot_ready = Signal(object)
    failed = Signal(str)
    busy = Signal(str)

    def __init__(self, parent=None, warmup: SwarmWarmup | None = None, gate=lambda: True) -> None:
        """``gate()``: whether the runs' worker has started (see :func:`wait_for_importers`)."""
        super().__init__(parent)
        self._gate = gate
        self._commands: queue.SimpleQueue = queue.SimpleQueue()
        self._consumed = threading.Event()
        self._consumed.set()
        self._swarm: Swarm | None = None
        self._pending: tuple | None = None
        self._generation = 0
        self._playing = False
        self._single = 0
        self._speed = 60.0
        self._budget = 0.0
        self._news = False
        self._critical = None
        self.warmup = warmup if warmup is not None else SwarmWarmup()

    # -- GUI thread: enqueue only ---------------------------------------------------------
    def _put(self, *command) -> None:
        self._commands.put(command)

    def build(self, surface, config, starts, generation: int) -> None:
        self._put("build", surface, config, starts.copy(), int(generation))

    def set_playing(self, playing: bool) -> None:
        self._put("playing", bool(playing))

    def set_speed(self, speed: float) -> None:
        self._put("speed", float(speed))

    def step(self, n: int = 1) -> None:
        self._put("step", int(n))

    def reset(self, generation: int) -> None:
        self._put("reset", int(generation))

    def acknowledge(self) -> None:
        self._consumed.set()

    def stop(self) -> None:
        """Finish the thread (sentinel + wait) and any compile child still running."""
        if self.isRunning():
            self._put(_STOP)
            self.wait()
        self.warmup.close()

    # -- worker thread --------------------------------------------------------------------
    def run(self) -> None:  # noqa: D401 - QThread entry point
        lower_own_priority()
        wait_for_importers(self._gate)
        last = time.perf_counter()
        last_emit = 0.0
        while self._drain(self._timeout()):
            self._build_when_warm()
            now = time.perf_counter()
            self._advance(now - last)
            last = now
            if self._news and self._consumed.is_set() and now - last_emit >= EMIT_INTERVAL:
                self._emit()
                last_emit = time.perf_counter()
            elif self._news and self._stepping():
                self._consumed.wait(EMIT_INTERVAL / 4)

    def _stepping(self) -> bool:
        s = self._swarm
        return s is not None and (self._playing or self._single > 0) and not s.done

    def _timeout(self) -> float | None:
        if self._pending is not None:
            return 0.05
        if self._stepping():
            return 0.0 if self._single else max(0.0, min(EMIT_INTERVAL, 1.0 / self._speed))
        return EMIT_INTERVAL / 2 if self._news else None

    def _drain(self, timeout: float | None) -> bool:
        """Apply every queued command (waiting up to ``timeout`` for the first); False when
        asked to stop."""
        waiting = timeout != 0.0
        while True:
            try:
                command = (
                    self._commands.get(timeout=timeout) if waiting else self._commands.get_nowait()
                )
            except queue.Empty:
                return True
            waiting = False
            if command[0] is _STOP:
                return False
            self._apply(command)

    def _apply(self, command: tuple) -> None:
        kind = command[0]
        if kind == "build":
            self._swarm, self._pending = None, command[1:]
            self._generation, self._single, self._playing = command[4], 0, False
            self._critical = None
        elif kind == "playing":
            self._playing, self._budget = command[1], 0.0
        elif kind == "speed":
            self._speed = max(1.0, command[1])
        elif kind == "step":
            self._single += command[1]
        elif kind == "reset" and command[1] == self._generation and self._swarm is not None:
            self._swarm.reset()
            self._single, self._playing, self._news = 0, False, True

    def _build_when_warm(self) -> None:
        if self._pending is None:
            return
        surface, config, starts, generation = self._pending
        if len(starts) >= 1024 and not self.warmup.ready(surface, config.optimizer):
            self.busy.emit("Compiling the swarm's loops for this surface (first time only)…")
            return
        self._pending = None
        try:
            self._swarm = Swarm(surface, config, starts)
            from saddlelab.core.critical import find_critical_points

            self._critical = find_critical_points(surface)
            self._news = True
        except Exception as error:  # never let the engine kill the thread
            self._swarm = None
            self.failed.emit(f"Swarm not built: {str(error) or type(error).__name__}")
        self.busy.emit("")

    def _advance(self, elapsed: float) -> None:
        if not self._stepping():
            return
        if self._single:
            n, self._single = self._single, 0
        elif math.isinf(self._speed):
            n = 1 << 30
        else:
            self._budget = min(self._budget + elapsed * self._speed, 1.0 + 0.1 * self._speed)
            n = int(self._budget)
            self._budget -= n
        t0 = time.perf_counter()
        done = 0
        try:
            while done < n and time.perf_counter() - t0 < STEP_BUDGET_S:
                made = self._swarm.step(1)
                if not made:
                    break
                done += made
        except Exception as error:
            self._swarm = None
            self.failed.emit(f"Swarm stopped: {str(error) or type(error).__name__}")
            return
        if done < n and not math.isinf(self._speed) and self._single == 0:
            if not self._playing:
                self._single = n - done  # a Step of many steps goes on in the next round
        self._news = self._news or done > 0

    def _emit(self) -> None:
        swarm = self._swarm
        self._news = False
        if swarm is None:
            return
        outcomes = swarm.outcomes(self._critical)
        snap = Snapshot(
            step=swarm.step_count,
            points=swarm.points,
            label=outcomes.label.copy(),
            moving=outcomes.moving.copy(),
            attractors=list(outcomes.attractors),
            dwell=swarm.dwell.copy(),
            edges=(swarm.xedges.copy(), swarm.yedges.copy()),
            generation=self._generation,
        )
        self._consumed.clear()
        self.snapshot_ready.emit(snap)
