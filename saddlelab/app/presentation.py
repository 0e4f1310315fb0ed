"""Presentation mode for lecture halls: larger type and thicker lines, zoomable, remembered.

The View menu's "Presentation mode" (F5 or Ctrl+Shift+P) and "Zoom in / out / Actual size"
(Ctrl+= , Ctrl+-, Ctrl+0) change ``state.view.look`` (a ``models.view_settings.Look``);
every view and panel scales its own fonts, pens and markers from it. This module makes the
actions, sets the window's base font, and keeps the look in QSettings (organisation and
application "SaddleLab"), so a lecture hall's projector opens the window as it was left.
"""

from __future__ import annotations

import math

from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.style import FONT_POINTS
from saddlelab.models.subscriptions import Subscriptions
from saddlelab.models.view_settings import ZOOM_RANGE, Look

ORGANIZATION = "SaddleLab"
APPLICATION = "SaddleLab"
PRESENTATION_KEY = "view/presentation"
ZOOM_KEY = "view/zoom"
MIN_TAB_POINTS = 9.0


def settings() -> QtCore.QSettings:
    """The user's SaddleLab settings (tests point QSettings at a temporary folder)."""
    return QtCore.QSettings(ORGANIZATION, APPLICATION)


def load_look() -> Look:
    """The look saved at the last launch (the default look if none or unreadable)."""
    store = settings()
    on = str(store.value(PRESENTATION_KEY, "false")).lower() in ("true", "1")
    try:
        zoom = float(store.value(ZOOM_KEY, 1.0))
    except (TypeError, ValueError):
        zoom = 1.0
    lo, hi = ZOOM_RANGE
    return Look(on, min(max(zoom, lo), hi) if math.isfinite(zoom) else 1.0)


def save_look(look: Look) -> None:
    store = settings()
    store.setValue(PRESENTATION_KEY, bool(look.presentation))
    store.setValue(ZOOM_KEY, float(look.zoom))
    store.sync()


class PresentationControl(QtCore.QObject):
    """The View menu's presentation and zoom actions for one window."""

    def __init__(self, window: QtWidgets.QMainWindow, view_settings) -> None:
        super().__init__(window)
        self.window = window
        self.view = view_settings
        self.toggle = QtGui.QAction("Presentation mode", window)
        self.toggle.setCheckable(True)
        self.toggle.setToolTip("Larger type and thicker lines for a lecture hall (F5)")
        self.toggle.setShortcuts([QtGui.QKeySequence("F5"), QtGui.QKeySequence("Ctrl+Shift+P")])
        self.toggle.toggled.connect(self.set_presentation)
        self.zoom_in = self._action("Zoom in", ["Ctrl+=", "Ctrl++"], lambda: self.zoom(1))
        self.zoom_out = self._action("Zoom out", ["Ctrl+-"], lambda: self.zoom(-1))
        self.zoom_reset = self._action("Actual size", ["Ctrl+0"], lambda: self.zoom(0))
        self.actions = [self.toggle, self.zoom_in, self.zoom_out, self.zoom_reset]
        for action in self.actions:
            action.setShortcutContext(QtCore.Qt.ShortcutContext.WindowShortcut)
            window.addAction(action)
        self._subs = Subscriptions()
        self._subs.connect(view_settings.events.look, self._on_look)
        view_settings.look = load_look()
        self._apply(view_settings.look)

    def _action(self, text: str, keys: list[str], slot) -> QtGui.QAction:
        action = QtGui.QAction(text, self.window)
        action.setShortcuts([QtGui.QKeySequence(k) for k in keys])
        action.setToolTip(f"{text} ({keys[0]})")
        action.triggered.connect(slot)
        return action

    # -- changing the look ----------------------------------------------------------------------
    def set_presentation(self, on: bool) -> None:
        look = self.view.look
        if look.presentation != bool(on):
            self.view.look = Look(bool(on), look.zoom)

    def zoom(self, steps: int) -> None:
        """Zoom in (steps > 0), out (< 0) or back to actual size (0)."""
        self.view.look = self.view.look.zoomed(steps)

    def _on_look(self, look: Look) -> None:
        save_look(look)
        self._apply(look)

    def _apply(self, look: Look) -> None:
        if self.toggle.isChecked() != look.presentation:
            blocked = self.toggle.blockSignals(True)
            self.toggle.setChecked(look.presentation)
            self.toggle.blockSignals(blocked)
        # The application's font: menus and tooltips take it too (a window's does not reach
        # them). Text colours are set through palettes, not style sheets: a widget under a
        # style sheet keeps the font it had when the sheet was applied.
        font = QtGui.QFont(QtWidgets.QApplication.font())
        font.setPointSizeF(round(FONT_POINTS * look.type_scale, 1))
        QtWidgets.QApplication.setFont(font)
        self.fit_tab_bars()

    def fit_tab_bars(self) -> None:
        """The docks' tab bars in the window's type, or smaller (down to MIN_TAB_POINTS) until
        every tab's whole title fits: a tab is never cut to "Surf..." nor scrolled away."""
        base = QtWidgets.QApplication.font()
        for bar in self.window.findChildren(QtWidgets.QTabBar):
            if bar.count() == 0 or bar.width() <= 0:
                continue
            bar.setElideMode(QtCore.Qt.TextElideMode.ElideNone)
            points = base.pointSizeF()
            while True:
                font = QtGui.QFont(base)
                font.setPointSizeF(points)
                if bar.font() != font:
                    bar.setFont(font)
                needed = sum(bar.tabSizeHint(i).width() for i in range(bar.count()))
                if needed <= self._room(bar) or points <= MIN_TAB_POINTS:
                    break
                points = max(MIN_TAB_POINTS, points - 0.5)

    @staticmethod
    def _room(bar: QtWidgets.QTabBar) -> int:
        """The width the bar may take: its dock area's (the bar sits under the docks)."""
        x = bar.geometry().left() + 1
        docks = [
            d
            for d in bar.window().findChildren(QtWidgets.QDockWidget)
            if d.isVisible() and not d.isFloating() and d.x() <= x <= d.x() + d.width()
        ]
        return min([d.width() for d in docks], default=bar.width())

    def close(self) -> None:
        """Disconnect; the application's font goes back to the normal size."""
        self._subs.clear()
        font = QtGui.QFont(QtWidgets.QApplication.font())
        font.setPointSizeF(FONT_POINTS)
        QtWidgets.QApplication.setFont(font)
