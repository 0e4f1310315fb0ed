"""The stepping thread: advances every active run with the optimizer engine.

The GUI thread talks to the worker only through a command queue (thread-safe methods below that
just enqueue). The worker owns the engine's ``Run`` objects, steps them in compiled chunks and
hands merged results back through ``batch_ready``, at most about 60 times a second and only
after the GUI acknowledged the previous batch, so a slow GUI never drowns in queued signals.
It never touches a widget or a GL item. ``stop()`` enqueues a sentinel and waits, so the
thread always ends before its owner is destroyed.

Runs start on the exact pure-Python path at once, while a child process compiles the loops
into numba's cache (:class:`~saddlelab.core.optim.warmup.BackgroundCompiler`: compiling here
would hold the GIL for seconds and stutter the window); once a thread of that compiler has
loaded them from the cache, each run switches to the compiled loop mid-run, with the same
results bit for bit.
"""

from __future__ import annotations

import math
import os
import queue
import sys
import threading
import time

from PySide6.QtCore import QThread, Signal

from saddlelab.app.runtime.batches import BATCH_ROWS, Entry, merge, merged, replay_slice
from saddlelab.core.optim import Run, RunConfig
from saddlelab.core.optim.replay import Edit, Replay, RunRecord, options_edit
from saddlelab.core.optim.warmup import prepare_numba, shared_compiler

EMIT_INTERVAL = 1.0 / 60.0
"""Seconds between batches handed to the GUI (about 60 Hz)."""
CALL_BUDGET = 0.004
"""Target seconds of engine work per ``step(n)`` call at unlimited speed; short calls keep the
GIL free often enough for the GUI thread."""
YIELD_WHILE_PENDING = 0.004
"""Seconds the worker waits after a step call while the GUI has not acknowledged the last
batch: at unlimited speed it then uses about half a core instead of a whole one, and runs
at full speed whenever the GUI keeps up."""
SURFACE_SETTLE_S = 0.3
"""Runs for a new surface are built (their loops compiled for it) only once no newer surface
has come for this long: a user stepping through the surface list does not make the worker
compile for every surface passed over (compiling holds Python's GIL, so the window would
stutter while it switches). A run needed earlier (a step, a move, a new setting) is built at
once."""
MAX_CHUNK = 1 << 16
PURE_REPLAY_SLICE = 512
"""Updates per slice of a replay on the pure path (compiled: MAX_CHUNK); between slices the
worker reads its commands and sends batches."""
UPGRADE_POLL_S = 0.1
"""How often an idle worker with pure runs asks whether the compiled loops are ready."""


WORKER_NICE = 10
"""How much lower than the GUI the worker thread runs (Linux nice steps). Measured with
benchmarks/bench_gui.py on 2 cores, alternating: nice 10 gave stall maxima 26-33 ms against
27-39 ms at nice 5, with the same stepping throughput (~1.9 M steps/s)."""


def lower_own_priority() -> None:
    """Called by the worker thread as it starts: let the GUI thread win the CPU when both want it.

    Both threads are CPU-bound on a small machine (the worker steps flat out, the GUI renders
    with software OpenGL); at equal priority the scheduler slices them evenly and every frame
    or paint can be preempted for a whole time slice (measured: stalls of 50-90 ms). A worker
    niced by ``WORKER_NICE`` still gets every idle cycle. Linux renices one thread by its id;
    elsewhere Qt's thread priority is the portable way.
    """
    if sys.platform.startswith("linux"):
        try:
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + WORKER_NICE)
        except OSError:
            pass
    else:
        QThread.currentThread().setPriority(QThread.Priority.LowPriority)


_STOP = object()


class StepWorker(QThread):
    """Steps runs in the background; see the module docstring for the protocol."""

    batch_ready = Signal(object)
    """A list of RunUpdate."""
    busy = Signal(str)
    """A message while the engine prepares a run (loading its compiled loop when that is
    ready, else at once on the pure path), then "" when it is ready."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._commands: queue.SimpleQueue = queue.SimpleQueue()
        self._consumed = threading.Event()
        self._consumed.set()
        self._surface = None
        self._entries: dict[int, Entry] = {}
        self._playing = False
        self._speed = 60.0
        self._surface_since = -math.inf
        self._budget = 0.0
        self._chunk = 64
        self._single = 0
        self.compiler = shared_compiler()
        """Says when a surface's compiled loops can be loaded (replaceable before start)."""

    # -- GUI-thread API: every method only enqueues ----------------------------------------------
    def set_surface(self, surface) -> None:
        self._commands.put(("surface", surface))

    def reset_run(
        self, run_id: int, generation: int, config: RunConfig, record: RunRecord | None = None
    ) -> None:
        """(Re)create a run from its configuration; older results of it are dropped. With a
        ``record`` (its config is ``config``) the run is replayed to the recorded step here, in
        the background, its rows streamed as batches."""
        self._commands.put(("reset", run_id, generation, config, record))

    def remove_run(self, run_id: int) -> None:
        self._commands.put(("remove", run_id))

    def set_params(self, run_id: int, params: dict) -> None:
        self._commands.put(("params", run_id, dict(params)))

    def set_options(self, run_id: int, **options) -> None:
        self._commands.put(("options", run_id, options))

    def move_run(self, run_id: int, point: tuple, reason: str) -> None:
        """Jump a run to ``point`` mid-run (Run.move_to); the jump row arrives as a batch."""
        self._commands.put(("move", run_id, tuple(point), str(reason)))

    def set_playing(self, playing: bool) -> None:
        self._commands.put(("playing", bool(playing)))

    def set_speed(self, speed: float) -> None:
        self._commands.put(("speed", float(speed)))

    def step(self, n: int = 1) -> None:
        self._commands.put(("step", int(n)))

    def acknowledge(self) -> None:
        """The GUI has applied the last batch; the next one may be sent."""
        self._consumed.set()

    def stop(self) -> None:
        """Ask the thread to finish and wait for it (call before the owner is destroyed)."""
        if self.isRunning():
            self._commands.put((_STOP,))
            self.wait()

    # -- worker thread --------
    def run(self) -> None:  # noqa: D401 - QThread entry point
        prepare_numba()  # now, before a first Play: it holds the GIL in long stretches
        lower_own_priority()
        last = time.perf_counter()
        last_emit = 0.0
        while True:
            if not self._drain(self._timeout()):
                break
            if not self._settling():
                self._build_pending()
                self._replay_some()
            now = time.perf_counter()
            n = self._steps_due(now - last)
            last = now
            if n:
                self._advance(n)
            if self._has_news() and self._consumed.is_set():
                if now - last_emit >= EMIT_INTERVAL or not self._stepping():
                    self._emit()
                    last_emit = time.perf_counter()
            elif n and not self._consumed.is_set():
                # The GUI is still drawing the last batch: leave it the CPU for a moment (on
                # a 2-core machine software OpenGL needs both), then step on.
                self._consumed.wait(YIELD_WHILE_PENDING)
            self._upgrade()

    def _pure_runs(self) -> list[Entry]:
        return [e for e in self._entries.values() if e.run is not None and e.run.pure]

    def _upgrade(self) -> None:
        """Switch pure runs to the compiled loop once it can be loaded from the cache."""
        entries = self._pure_runs()
        if not entries or not self.compiler.ready(self._surface):
            return
        for entry in entries:
            try:
                entry.run.compile()
            except Exception as error:  # a failed compile: the run stops with its reason
                entry.error, entry.reported = str(error) or type(error).__name__, False

    def _stepping(self) -> bool:
        return (self._playing or self._single > 0) and any(
            self._steppable(e) for e in self._entries.values()
        )

    @staticmethod
    def _steppable(e: Entry) -> bool:
        return e.run is not None and not e.run.done and e.error is None and e.replay is None

    def _has_news(self) -> bool:
        return any(
            e.chunks or e.edits or (e.error and not e.reported) for e in self._entries.values()
        )

    def _replays(self) -> list[Entry]:
        return [e for e in self._entries.values() if e.replay is not None]

    def _replay_some(self, entry: Entry | None = None) -> None:
        """Advance replaying runs by a slice each (``entry``: that one to its end, now)."""
        for e in self._replays() if entry is None else [entry]:
            budget = PURE_REPLAY_SLICE if e.run.pure else MAX_CHUNK
            replay_slice(e, budget, to_end=entry is not None)

    def _settling(self) -> bool:
        return time.perf_counter() - self._surface_since < SURFACE_SETTLE_S

    def _pending(self) -> list[Entry]:
        return [e for e in self._entries.values() if e.run is None and e.config is not None]

    def _build_pending(self) -> None:
        for entry in self._pending():
            self._build(entry)

    def _build(self, entry: Entry) -> None:
        """Make the engine's run for a waiting entry: compiled if its loops are loaded, else
        pure (at once) and compiled later (:meth:`_upgrade`)."""
        config, entry.config = entry.config, None
        self.compiler.request(self._surface)
        pure = not self.compiler.ready(self._surface)  # then compiled later, see _upgrade
        self.busy.emit(f"Preparing {config.optimizer} for this surface…")
        try:  # the models store the rows
            entry.run = Run(self._surface, config, pure=pure, keep_trajectory=False)
            if entry.record is not None:
                entry.replay, entry.record = Replay(entry.run, entry.record), None
        except Exception as error:  # engine refused the configuration
            entry.error = str(error) or type(error).__name__
        finally:
            self.busy.emit("")

    def _timeout(self) -> float | None:
        timeout = self._timeout_otherwise()
        if self._pure_runs():
            return UPGRADE_POLL_S if timeout is None else min(timeout, UPGRADE_POLL_S)
        return timeout

    def _timeout_otherwise(self) -> float | None:
        if self._replays():
            return 0.0
        if self._pending():
            return max(0.0, self._surface_since + SURFACE_SETTLE_S - time.perf_counter())
        if self._stepping():
            if self._single > 0 or math.isinf(self._speed):
                return 0.0
            return max(0.0, min(EMIT_INTERVAL, (1.0 - self._budget) / self._speed))
        if self._has_news():
            return EMIT_INTERVAL / 2
        return None

    def _drain(self, timeout: float | None) -> bool:
        """Apply queued commands; False when asked to stop."""
        try:
            command = self._commands.get(timeout=timeout) if timeout != 0.0 else None
        except queue.Empty:
            command = None
        while True:
            if command is None:
                try:
                    command = self._commands.get_nowait()
                except queue.Empty:
                    return True
            if command[0] is _STOP:
                return False
            self._apply(command)
            command = None

    def _apply(self, command: tuple) -> None:
        kind = command[0]
        if kind == "surface":
            self._surface = command[1]
            self._surface_since = time.perf_counter()
            self._entries.clear()
        elif kind == "reset":
            _, run_id, generation, config, record = command
            # Built after this drain by the loop, unless a newer surface is still settling.
            entry = Entry(None, generation, [], config=config, record=record)
            self._entries[run_id] = entry
        elif kind == "remove":
            self._entries.pop(command[1], None)
        elif kind == "params":
            self._call(command[1], "set_params", ("params", command[2]), **command[2])
        elif kind == "options":
            self._call(command[1], "set_options", ("options", command[2]), **command[2])
        elif kind == "move":
            entry = self._entries.get(command[1])
            if entry is not None and entry.error is None:
                note = ("moved", {"point": list(command[2]), "reason": command[3]})
                chunk = self._call(command[1], "move_to", note, point=command[2], reason=command[3])
                if chunk is not None:  # the jump row goes out with the next batch
                    entry.chunks.append(chunk)
        elif kind == "playing":
            self._playing = command[1]
            self._budget = 0.0
            if self._playing:
                self._build_pending()  # wanted now
                for entry in self._entries.values():
                    self._resume_if_paused(entry)
        elif kind == "speed":
            self._speed = max(1.0, command[1])
            self._budget = min(self._budget, 1.0)
        elif kind == "step":
            self._single += command[1]
            self._build_pending()
            for entry in self._entries.values():  # Step continues paused runs, as Play does
                self._resume_if_paused(entry)

    def _call(self, run_id: int, method: str, note: tuple, **kwargs):
        """Call ``method`` of a run's engine object; its result, or None (no run, or it failed:
        the error is then reported with the run's next batch). ``note`` (kind, values) is the
        change's record, kept with the step it took effect at."""
        entry = self._entries.get(run_id)
        if entry is not None and entry.run is None and entry.config is not None:
            self._build(entry)  # needed now: no waiting for the surface to settle
        if entry is not None and entry.replay is not None:
            self._replay_some(entry)  # a change during a replay takes effect after it
        if entry is None or entry.run is None or entry.error is not None:
            return None
        try:
            result = getattr(entry.run, method)(**kwargs)
            kind, values = note
            step = entry.run.steps
            edit = options_edit(step, **values) if kind == "options" else Edit(step, kind, values)
            entry.edits.append(edit)
            self._resume_if_paused(entry)
            return result
        except Exception as error:
            entry.error, entry.reported = str(error) or type(error).__name__, False
            return None

    @staticmethod
    def _resume_if_paused(entry: Entry) -> None:
        """A stalled run or one at its step limit continues when asked to (play, new setting)."""
        run = entry.run
        if run is None or entry.error is not None or not run.done or entry.replay is not None:
            return
        if run.status.resumable and run.resume():
            entry.edits.append(Edit(run.steps, "resumed"))

    def _steps_due(self, elapsed: float) -> int:
        if self._single > 0:
            n, self._single = self._single, 0
            return n
        if not self._stepping():
            return 0
        if math.isinf(self._speed):
            return self._chunk
        self._budget = min(self._budget + elapsed * self._speed, 1.0 + 0.1 * self._speed)
        n = int(self._budget)
        self._budget -= n
        return n

    def _advance(self, n: int) -> None:
        entries = [e for e in self._entries.values() if self._steppable(e)]
        slowest = 0.0
        for entry in entries:
            t0 = time.perf_counter()
            try:
                entry.chunks.append(entry.run.step(n))
                if sum(len(c.step) for c in entry.chunks) > 2 * BATCH_ROWS:
                    entry.chunks = [merged(entry)]  # bound the backlog
            except Exception as error:  # never let the engine kill the thread
                entry.error, entry.reported = str(error) or type(error).__name__, False
            slowest = max(slowest, time.perf_counter() - t0)
        if math.isinf(self._speed) and entries and n == self._chunk:
            # Size the next chunk so one call costs about CALL_BUDGET seconds.
            if slowest < CALL_BUDGET / 2:
                self._chunk = min(self._chunk * 2, MAX_CHUNK)
            elif slowest > CALL_BUDGET * 1.5 and self._chunk > 1:
                self._chunk //= 2

    def _emit(self) -> None:
        updates = []
        for run_id, entry in self._entries.items():
            if not entry.chunks and not entry.edits and (entry.error is None or entry.reported):
                continue
            updates.append(merge(run_id, entry))
            entry.chunks, entry.edits = [], []
            entry.reported = True
        if updates:
            self._consumed.clear()
            self.batch_ready.emit(updates)
