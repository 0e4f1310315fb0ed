"""The rows of the second-order legend as rich text: what is drawn right now.

Lists the eigenvector arrows with their actual eigenvalues (red = the loss falls, an escape
direction), the Taylor patch or dashed contours, and the critical-point markers by class. For
3-parameter surfaces it says that arrows show the displayed slice. The 2-D view's label
(``plots.legend``) and the 3-D view's in-scene legend (``scene3d.legend``) render the same rows.
"""

from __future__ import annotations

from saddlelab.app.style import (
    CLASS_COLOURS,
    CLASS_GLYPHS,
    CLASS_NAMES,
    LEGEND_NOTE,
    UNDEFINED_HATCH,
    UNDEFINED_LABEL,
    eigen_colour,
)
from saddlelab.core.numbers import fmt

CLASS_ORDER = ("local_min", "local_max", "saddle", "degenerate")


class LegendContent:
    """The legend's rows as rich text; ``changed()`` is called after every setter that
    refreshes (a QLabel or a GL item renders the same text)."""

    def __init__(self, changed) -> None:
        self._changed = changed
        self._arrows = ""
        self._overlay = ""
        self._markers = ""
        self._marker_rows: list[str] = []
        self._undefined = ""

    def _refresh(self) -> None:
        self._changed()

    def html(self, compact: bool = False) -> str:
        """The rows; ``compact`` puts the marker classes on one line (a corner of a plot)."""
        markers = "&nbsp;&nbsp; ".join(self._marker_rows) if compact else self._markers
        parts = (self._arrows, self._overlay, markers, self._undefined)
        return "<br>".join(p for p in parts if p)

    def set_arrows(
        self, eigenvalues=(), tolerance: float = 0.0, slice_note: str = "", refresh: bool = True
    ) -> None:
        """Arrow rows with the real λ values; empty hides them."""
        rows = []
        for lam in eigenvalues:
            colour = eigen_colour(lam, tolerance)
            if abs(lam) <= tolerance:
                meaning = "flat"
            elif lam < 0:
                meaning = "loss falls: escape"
            else:
                meaning = "loss rises"
            rows.append(
                f"<span style='color:{colour}; font-weight:bold'>\u2194</span> "
                f"\u03bb = {fmt(lam, 3)}  <span style='color:{LEGEND_NOTE}'>({meaning})</span>"
            )
        if rows:
            head = "Eigenvectors of H (length \u221d |\u03bb|)"
            if slice_note:
                rows.append(f"<span style='color:{LEGEND_NOTE}'>{slice_note}</span>")
            self._arrows = f"<b>{head}</b><br>" + "<br>".join(rows)
        else:
            self._arrows = ""
        if refresh:
            self._refresh()

    def set_overlay(self, text: str, refresh: bool = True) -> None:
        """e.g. "Taylor model within r = 0.4 (translucent patch)"; empty hides it."""
        self._overlay = (
            f"<span style='color:#7fe8ff; font-weight:bold'>\u25a0</span> {text}" if text else ""
        )
        if refresh:
            self._refresh()

    def set_undefined(self, shown: bool) -> None:
        """The row for the hatched part where the loss is undefined (shown only if any)."""
        self._undefined = (
            f"<span style='color:{UNDEFINED_HATCH}; font-weight:bold'>\u25a8</span> "
            f"{UNDEFINED_LABEL}"
            if shown
            else ""
        )
        self._refresh()

    def set_markers(self, classes) -> None:
        """Marker rows for the classes present; empty hides them."""
        present = [c for c in CLASS_ORDER if c in set(classes)]
        self._marker_rows = [
            f"<span style='color:{CLASS_COLOURS[c]}; font-weight:bold'>{CLASS_GLYPHS[c]}</span>"
            f"&nbsp;{CLASS_NAMES[c]}"
            for c in present
        ]
        self._markers = "<br>".join(self._marker_rows)
        self._refresh()


class ContentSetters:
    """The legend setters, forwarded to ``self.content`` (a :class:`LegendContent`): shared by
    the 2-D label and the 3-D in-scene legend."""

    content: LegendContent

    def set_arrows(self, *args, **kwargs) -> None:
        self.content.set_arrows(*args, **kwargs)

    def set_overlay(self, *args, **kwargs) -> None:
        self.content.set_overlay(*args, **kwargs)

    def set_markers(self, *args, **kwargs) -> None:
        self.content.set_markers(*args, **kwargs)

    def set_undefined(self, shown: bool) -> None:
        self.content.set_undefined(shown)
