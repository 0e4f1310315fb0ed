"""Computes the isosurfaces of a 3-parameter loss on a QThread (``core.isosurface``).

The GUI thread asks with :meth:`IsosurfaceJob.request` (surface, levels or None for the
quantile defaults); the meshes come back as numpy arrays through the queued ``arrived`` signal.
A newer request cancels the older one (its progress callback says stop at the next slab, and
whatever it would still report is dropped), so dragging through levels never queues work.
:meth:`IsosurfaceJob.stop` cancels and joins every thread (the owner calls it on close).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from PySide6 import QtCore

from saddlelab.app.runtime.latest_job import LatestJob
from saddlelab.core.isosurface import DEFAULT_N, Cancelled, Isosurface, isosurfaces


@dataclass(frozen=True)
class IsosurfaceResult:
    """What one request produced: for which surface and levels (None: the defaults)."""

    surface: object
    requested: tuple[float, ...] | None
    meshes: list[Isosurface]

    @property
    def levels(self) -> list[float]:
        return [m.level for m in self.meshes]


class _MeshThread(QtCore.QThread):
    done = QtCore.Signal(object)
    failed = QtCore.Signal(str)

    def __init__(self, surface, levels, n: int, parent=None) -> None:
        super().__init__(parent)
        self.surface, self.levels, self.n = surface, levels, n
        self.cancel_event = threading.Event()

    def run(self) -> None:
        try:
            meshes = isosurfaces(
                self.surface,
                self.levels,
                n=self.n,
                progress=lambda *_: not self.cancel_event.is_set(),
            )
        except Cancelled:
            return
        except Exception as error:  # noqa: BLE001 - a bad loss must never take the window down
            self.failed.emit(f"Isosurfaces failed: {error}")
            return
        self.done.emit(IsosurfaceResult(self.surface, self.levels, meshes))


class IsosurfaceJob(LatestJob):
    """At most one live computation; results of cancelled ones never arrive."""

    arrived = QtCore.Signal(object)
    """An :class:`IsosurfaceResult` of the latest request."""
    failed = QtCore.Signal(str)

    def __init__(self, n: int = DEFAULT_N, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.n = n

    def request(self, surface, levels=None) -> None:
        """Mesh ``surface`` at ``levels`` (None: quantile defaults) in the background."""
        levels = None if levels is None else tuple(float(v) for v in levels)
        thread = _MeshThread(surface, levels, self.n, self)
        thread.done.connect(self._on_done)
        thread.failed.connect(self._on_failed)
        # normal priority: a low-priority thread holding the GIL stalls the GUI thread
        self._launch(thread)

    def _on_done(self, result: IsosurfaceResult) -> None:
        if self._finish():
            self.arrived.emit(result)

    def _on_failed(self, message: str) -> None:
        if self._finish():
            self.failed.emit(message)
