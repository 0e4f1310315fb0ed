"""A matplotlib export in a child process, driven from the export job's worker thread.

Drawing a figure or a frame with Agg is C++ that holds Python's GIL: on a thread of the
window's process, the first draw of a 1280 x 720 contour map kept the GUI thread waiting
~200 ms (benchmarks/bench_export_gui.py). In a child process it holds nobody's lock. The child
is started with ``spawn`` (never ``fork``: the window has threads), imports only the exporter
(no Qt: this module imports nothing of Qt), gets the GUI-thread snapshot (plain arrays,
pickled), runs at a lower priority (``NICE``) and reports progress through a queue; Cancel is
an event it reads at each progress call, so the exporter stops by its own ``Cancelled`` and
removes its temporary file.

``in_child(fn, before, after)`` gives the export job's ``write(path, progress)``: it calls
``fn(*before, path, *after, progress)`` in the child and relays progress and the outcome.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
from collections.abc import Callable

from saddlelab.export.options import Cancelled, ExportError

NICE = 5
"""The child (and the ffmpeg it starts) run at lower priority: on two busy cores the GUI
thread gets the processor first."""
POLL_S = 0.05
JOIN_S = 5.0
"""How long a child that was told to stop may take before it is terminated."""


def _child(fn, before, after, path, messages, cancel) -> None:
    if hasattr(os, "nice"):  # a background job: the window (and its worker) come first
        with contextlib.suppress(OSError):
            os.nice(NICE)

    def progress(done: int, total: int) -> bool:
        messages.put(("progress", int(done), int(total)))
        return not cancel.is_set()

    try:
        fn(*before, path, *after, progress)
    except Cancelled:
        messages.put(("cancelled",))
    except BaseException as error:  # noqa: BLE001 - one line for the window
        text = str(error).strip().splitlines()[0] if str(error).strip() else ""
        line = text if isinstance(error, ExportError) else f"{type(error).__name__}: {text}"
        messages.put(("error", line))
    else:
        messages.put(("done",))


def in_child(fn, before: tuple = (), after: tuple = ()) -> Callable[[str, Callable], None]:
    """``write(path, progress)`` running ``fn(*before, path, *after, progress)`` in a child."""

    def write(path: str, progress) -> None:
        context = multiprocessing.get_context("spawn")
        messages, cancel = context.Queue(), context.Event()
        child = context.Process(target=_child, args=(fn, before, after, path, messages, cancel),
                                daemon=True)  # fmt: skip
        child.start()
        try:
            outcome = _relay(child, messages, cancel, progress)
        finally:
            cancel.set()
            child.join(JOIN_S)
            if child.is_alive():
                child.terminate()
                child.join()
            child.close()
            messages.close()
            messages.join_thread()
        if outcome[0] == "cancelled":
            raise Cancelled()
        if outcome[0] == "error":
            raise ExportError(outcome[1])

    return write


def _relay(child, messages, cancel, progress) -> tuple:
    while True:
        try:
            message = messages.get(timeout=POLL_S)
        except queue.Empty:
            if not child.is_alive():
                return ("error", f"the export process ended unexpectedly (exit {child.exitcode})")
            continue
        if message[0] == "progress":
            if not progress(message[1], message[2]):
                cancel.set()
            continue
        return message
