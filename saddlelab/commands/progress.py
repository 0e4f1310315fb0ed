"""Long CLI runs: stepped in short chunks, with progress on stderr and a clean Ctrl-C.

A run of 10^9 steps takes minutes. It advances in chunks of about a tenth of a second, so
Ctrl-C (SIGINT) is seen between chunks and the command ends with the partial result, marked
interrupted, instead of a traceback. Progress goes to stderr (stdout stays clean JSON/CSV):
a line rewritten in place on a terminal, one line every few seconds otherwise; nothing at all
for runs that finish within a second.
"""

from __future__ import annotations

import signal
import sys
import threading
import time

FIRST_CHUNK = 1000
CHUNK_SECONDS = 0.1
QUIET_SECONDS = 1.0
"""No progress is shown for a run that finishes within this time."""
LOG_EVERY = 5.0
"""Seconds between progress lines when stderr is not a terminal."""


class Progress:
    """Writes ``steps done / total`` to ``stream`` once a run has taken a while (``unit``:
    what is counted, ``tail``: what Ctrl-C does)."""

    def __init__(
        self, total: int, stream=None, unit: str = "step",
        tail: str = "Ctrl-C stops with the result so far",
    ) -> None:  # fmt: skip
        self.total = total
        self.unit, self.tail = unit, tail
        self.stream = sys.stderr if stream is None else stream
        self.started = time.monotonic()
        self.last = 0.0
        try:
            self.tty = bool(self.stream.isatty())
        except (AttributeError, ValueError):
            self.tty = False
        self.shown = False

    def update(self, done: int) -> None:
        now = time.monotonic() - self.started
        if now < QUIET_SECONDS or (not self.tty and now - self.last < LOG_EVERY):
            return
        if self.tty and now - self.last < 0.2:
            return
        self.last = now
        rate = done / now if now > 0 else 0.0
        left = (self.total - done) / rate if rate > 0 else float("inf")
        eta = f", about {_duration(left)} left" if left < 1e7 else ""
        text = (
            f"{self.unit} {done:,} of {self.total:,} ({100.0 * done / max(self.total, 1):.1f}%), "
            f"{rate:,.0f} {self.unit}s/s{eta}; {self.tail}"
        )
        self.stream.write(("\r\x1b[2K" + text) if self.tty else text + "\n")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown and self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def advance(run, steps: int, stream=None) -> bool:
    """Advance ``run`` by up to ``steps`` updates; True if Ctrl-C stopped it early.

    Once the first chunk is done (the step loop is compiled and running), SIGINT only sets a
    flag that is checked between chunks, so the run is never cut inside a chunk and its
    trajectory and state stay consistent. Before that (numba may be compiling for seconds),
    Ctrl-C interrupts at once and the run is reported as it stands.
    """
    from saddlelab.core.optim.warmup import BackgroundCompiler, advance_fastest

    # compiles in a child process if compiling pays (at normal priority: the user waits for
    # it); the child is stopped when the run ends before it is done
    compiler = BackgroundCompiler(nice=0)
    progress = Progress(steps, stream)
    stop = _StopFlag()
    done = 0
    chunk = FIRST_CHUNK
    try:
        with stop:
            while done < steps and not run.done and not stop.raised:
                began = time.monotonic()
                n = min(chunk, steps - done)
                # pure while that is quicker for the whole rest of the run, then compiled (by
                # a child process the first time, while this one steps on pure)
                advance_fastest(run, n, planned=steps - done, compiler=compiler)
                stop.armed = True
                done += n
                progress.update(done)
                spent = time.monotonic() - began
                # Aim each chunk at about CHUNK_SECONDS (at most double or halve at a time).
                chunk = max(1, min(int(n * CHUNK_SECONDS / spent), 2 * n)) if spent > 0 else 2 * n
    except KeyboardInterrupt:  # while the step loop was still compiling: nothing is lost
        stop.raised = True
    finally:
        compiler.close()
    progress.close()
    return stop.raised


class _StopFlag:
    """Within ``with``: SIGINT sets ``raised`` once ``armed`` (else it interrupts as usual)."""

    def __init__(self) -> None:
        self.raised = False
        self.armed = False
        self._previous = None

    def _handle(self, signum, frame) -> None:
        if not self.armed:
            raise KeyboardInterrupt
        self.raised = True

    def __enter__(self) -> _StopFlag:
        # Only in the main thread, and never where SIGINT is meant to be ignored (nohup, a
        # background job of a non-interactive shell).
        if threading.current_thread() is threading.main_thread():
            if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
                self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


LONG_RUN = 500_000
"""Updates from which a run whose loops were never compiled on this machine has them compiled
first (:func:`compile_first`): the pure path would take longer than compiling (~10-15 s)."""


def compile_first(spec, steps: int, stream=None) -> bool:
    """For a long run on a surface never compiled here: compile it in a child process *before*
    this process builds anything, then build the surface's code and load the loops from the
    caches, so this process never imports sympy (a cold 10^7-step run: about 35 MB less at
    its peak; the same time, since pure steps taken meanwhile would share the cores with the
    child). ``spec`` has the surface's expression, variables, domain and parameters (None:
    not known without building; nothing is done). False if Ctrl-C stopped the wait."""
    from saddlelab.core.optim.warmup import BackgroundCompiler, compiled_before

    if spec is None or steps < LONG_RUN or compiled_before(spec):
        return True
    stream = sys.stderr if stream is None else stream
    stream.write(
        "compiling the step loop for this surface (its first long run on this machine); "
        "Ctrl-C stops\n"
    )
    stream.flush()
    compiler = BackgroundCompiler(nice=0)  # the user waits for it
    try:
        compiler.request(spec)
        while not compiler.compiled(spec):  # a failed child counts as done: built here then
            time.sleep(0.05)
    except KeyboardInterrupt:
        return False
    finally:
        compiler.close()
    return True
