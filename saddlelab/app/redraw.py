"""Merge redraw requests: many model changes within one interval cause one redraw each.

Views mark what changed (usually a run) when the worker delivers rows; a single-shot timer then
redraws every marked thing once. This keeps the GUI thread's drawing bounded however fast the
runs step.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from PySide6.QtCore import QObject, QTimer


class RedrawThrottle(QObject):
    """Call ``redraw(key)`` at most once per ``interval_ms`` for each key marked meanwhile."""

    def __init__(self, redraw: Callable[[Hashable], None], interval_ms: int, parent=None):
        super().__init__(parent)
        self._redraw = redraw
        self._dirty: dict[Hashable, None] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.flush)

    def mark(self, key: Hashable) -> None:
        self._dirty[key] = None
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        """Redraw everything marked now (tests and surface switches call this directly)."""
        self._timer.stop()
        dirty, self._dirty = self._dirty, {}
        for key in dirty:
            self._redraw(key)

    def discard(self, key: Hashable) -> None:
        self._dirty.pop(key, None)
