"""The list of runs and which one is selected (the one the editor and clicks act on)."""

from __future__ import annotations

from collections.abc import Iterator

from psygnal import Signal

from .runs import PALETTE, RunModel


class RunList:
    """Ordered runs with a selection; evented so panels and views follow along."""

    added = Signal(object)
    removed = Signal(object)
    selected_changed = Signal(object)
    """The selected run, or None when the list is empty."""

    def __init__(self) -> None:
        self._runs: list[RunModel] = []
        self._selected: RunModel | None = None

    def __iter__(self) -> Iterator[RunModel]:
        return iter(list(self._runs))

    def __len__(self) -> int:
        return len(self._runs)

    def __getitem__(self, index: int) -> RunModel:
        return self._runs[index]

    def by_id(self, run_id: int) -> RunModel | None:
        return next((r for r in self._runs if r.id == run_id), None)

    def index(self, run: RunModel) -> int:
        return self._runs.index(run)

    @property
    def selected(self) -> RunModel | None:
        return self._selected

    def next_colour(self) -> str:
        """The first palette colour no run uses (cycling when all are taken)."""
        used = {r.colour for r in self._runs}
        for colour in PALETTE:
            if colour not in used:
                return colour
        return PALETTE[len(self._runs) % len(PALETTE)]

    def add(self, run: RunModel, select: bool = True) -> RunModel:
        self._runs.append(run)
        self.added.emit(run)
        if select:
            self.select(run)
        return run

    def remove(self, run: RunModel) -> None:
        if run not in self._runs:
            return
        i = self._runs.index(run)
        self._runs.remove(run)
        self.removed.emit(run)
        if self._selected is run:
            self.select(self._runs[min(i, len(self._runs) - 1)] if self._runs else None)

    def select(self, run: RunModel | None) -> None:
        if run is not None and run not in self._runs:
            return
        if run is not self._selected:
            self._selected = run
            self.selected_changed.emit(run)
