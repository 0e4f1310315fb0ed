"""One helper for every view's model connections: connect through it, clear it on close.

A view that forgets one ``disconnect`` keeps receiving events after its widgets are gone (and
keeps them alive). napari's answer is ``disconnect_events(emitter, listener)``; ours is this
list, filled as the view connects and emptied in one call when it closes. Connections made for
one run carry the run as ``key`` and are dropped with ``clear(run)`` when the run is removed.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

_ALL = object()


class Subscriptions:
    """The (signal, slot) pairs one owner connected, so they can all be disconnected."""

    def __init__(self) -> None:
        self._items: list[tuple[Any, Callable, Hashable | None]] = []

    def connect(self, signal, slot: Callable, key: Hashable | None = None) -> None:
        """Connect ``slot`` to the psygnal ``signal`` and remember it (under ``key``)."""
        signal.connect(slot)
        self._items.append((signal, slot, key))

    def clear(self, key: Any = _ALL) -> None:
        """Disconnect everything connected (or only what was connected under ``key``)."""
        keep = []
        for signal, slot, k in self._items:
            if key is _ALL or k is key:
                signal.disconnect(slot, missing_ok=True)
            else:
                keep.append((signal, slot, k))
        self._items = keep

    def __len__(self) -> int:
        return len(self._items)
