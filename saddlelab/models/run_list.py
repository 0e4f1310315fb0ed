"""The list of runs and which one is selected (the one the editor and clicks act on).

A psygnal ``SelectableEventedList`` with child events: the list's own events (``inserted``,
``removed``, ``child_event`` for any run's signal) and its selection model's ``active`` are the
evented work. ``added``, ``removed`` and ``selected_changed`` are those events as the views use
them, with the run as the argument.
"""

from __future__ import annotations

from collections.abc import Iterator

from psygnal import Signal
from psygnal.containers import SelectableEventedList

from .runs import PALETTE, RunModel


class RunList(SelectableEventedList[RunModel]):
    """Ordered runs with one selected run; a new run is selected unless asked otherwise."""

    added = Signal(object)
    removed = Signal(object)
    selected_changed = Signal(object)
    """The selected run, or None when the list is empty."""

    def __init__(self) -> None:
        super().__init__(child_events=True)
        self._activate_on_insert = False  # add() decides
        self._selecting = False
        self._announced: RunModel | None = None
        self.events.inserted.connect(self._on_inserted)
        self.events.removed.connect(self._on_removed)
        self.selection.events.active.connect(self._on_active)

    def __iter__(self) -> Iterator[RunModel]:
        return iter(list(self._data))  # callers may add or remove runs while iterating

    def by_id(self, run_id: int) -> RunModel | None:
        return next((r for r in self._data if r.id == run_id), None)

    @property
    def selected(self) -> RunModel | None:
        return self.selection.active

    def next_colour(self) -> str:
        """The first palette colour no run uses (cycling when all are taken)."""
        used = {r.colour for r in self._data}
        for colour in PALETTE:
            if colour not in used:
                return colour
        return PALETTE[len(self) % len(PALETTE)]

    def add(self, run: RunModel, select: bool = True) -> RunModel:
        self.append(run)
        if select:
            self.select(run)
        return run

    def remove(self, run: RunModel) -> None:  # type: ignore[override]
        """Remove ``run`` (nothing if absent); a removed selection passes to its neighbour."""
        if run not in self._data:
            return
        if run is self.selected:
            i = self._data.index(run)
            rest = [r for r in self._data if r is not run]
            self.select(rest[min(i, len(rest) - 1)] if rest else None)
        super().remove(run)

    def select(self, run: RunModel | None) -> None:
        if run is not None and run not in self._data:
            return
        # psygnal's selection passes through intermediate states (None, then the run) while
        # it changes: announce only where it ends.
        self._selecting = True
        try:
            self.selection.active = run
        finally:
            self._selecting = False
        self._announce()

    def _on_inserted(self, index: int, run: RunModel) -> None:
        self.added.emit(run)

    def _on_removed(self, index: int, run: RunModel) -> None:
        self.removed.emit(run)

    def _on_active(self, _run: RunModel | None) -> None:
        if not self._selecting:
            self._announce()

    def _announce(self) -> None:
        run = self.selection.active
        if run is not self._announced:
            self._announced = run
            self.selected_changed.emit(run)
