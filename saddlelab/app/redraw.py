"""Merge redraw requests: many model changes within one interval cause one redraw each.

Views mark what changed (usually a run) when the worker delivers rows; a single-shot timer then
redraws every marked thing once. This keeps the GUI thread's drawing bounded however fast the
runs step.

Throttles also keep out of each other's way: a timed redraw that comes less than ``SPACING_S``
after another throttle's timed redraw waits that long, so the views' redraws (and the paints
they cause) land in different event-loop passes instead of one long stall. Explicit ``flush()``
calls (surface switches, tests) run at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

from PySide6.QtCore import QObject, QTimer

SPACING_S = 0.02
"""Least time between two throttles' timed redraws (seconds)."""
_last_timed = [0.0]
"""When any throttle last redrew from its timer (GUI thread only)."""


class RedrawThrottle(QObject):
    """Call ``redraw(key)`` at most once per ``interval_ms`` for each key marked meanwhile."""

    def __init__(
        self,
        redraw: Callable[[Hashable], None],
        interval_ms: int,
        parent=None,
        after: Callable[[], None] | None = None,
    ):
        """``after`` runs once after each flush that redrew something (e.g. fit the axes)."""
        super().__init__(parent)
        self._redraw = redraw
        self._after = after
        self._dirty: dict[Hashable, None] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._interval = interval_ms
        self._timer.timeout.connect(self._on_timeout)

    def mark(self, key: Hashable) -> None:
        self._dirty[key] = None
        if not self._timer.isActive():
            self._timer.start(self._interval)

    def _on_timeout(self) -> None:
        now = time.perf_counter()
        if now - _last_timed[0] < SPACING_S:
            self._timer.start(int(1000 * SPACING_S))
            return
        _last_timed[0] = now
        self.flush()

    def flush(self) -> None:
        """Redraw everything marked now (tests and surface switches call this directly)."""
        self._timer.stop()
        dirty, self._dirty = self._dirty, {}
        for key in dirty:
            self._redraw(key)
        if dirty and self._after is not None:
            self._after()

    def discard(self, key: Hashable) -> None:
        self._dirty.pop(key, None)
