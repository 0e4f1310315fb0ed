"""Right-click menus of the views and the runs list, the Edit menu and the clipboard.

- The contour map, the 3-D view and the loss curves: Copy image, Export… (the figure dialog
  for that view; the 3-D image dialog for the 3-D view).
- A row of the runs list: Copy as PyTorch, Copy as command, Export run as CSV / JSON.
- Edit ▸ Copy view (Ctrl+C while a view has the focus; elsewhere Ctrl+C stays the text fields'
  copy) copies the view that last had the focus, the contour map if none did.

The 2-D views are copied as drawn (``QWidget.grab``); the 3-D view is rendered off-screen
through the 3-D export (``render_view``), since a GL window cannot be grabbed as a widget.
The menus open from the keyboard too (the Menu key or Shift+F10 on the focused view or row).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.export_menu import add_entries
from saddlelab.export.options import ExportOptions

CUSTOM = QtCore.Qt.ContextMenuPolicy.CustomContextMenu
CLICK_SLOP = 4
"""A right press and release this close together (pixels) is a click, not a drag."""


class ContextMenus(QtCore.QObject):
    """Installs the context menus on a window's views and runs list; owns Edit ▸ Copy."""

    def __init__(self, window: QtWidgets.QMainWindow, exports) -> None:
        super().__init__(window)
        self.window = window
        self.exports = exports
        self.views = {
            "contour": window.contour_view,
            "surface": window.view3d,
            "loss": window.loss_plot,
        }
        self.current = "contour"
        self.last_menu: QtWidgets.QMenu | None = None
        for name, widget in self.views.items():
            widget.setContextMenuPolicy(CUSTOM)
            widget.customContextMenuRequested.connect(
                lambda pos, n=name: self.show_view_menu(n, self.views[n].mapToGlobal(pos))
            )
        window.view3d.gl.installEventFilter(self)  # the GL window gets the 3-D view's clicks
        self._right_press: QtCore.QPointF | None = None
        runs = window.runs_panel.list
        runs.setContextMenuPolicy(CUSTOM)
        runs.customContextMenuRequested.connect(self._on_runs_menu)
        QtWidgets.QApplication.instance().focusChanged.connect(self._on_focus)

    # -- Edit ▸ Copy ------------------------------------------------------------------------------
    def edit_menu(self) -> QtWidgets.QMenu:
        menu = QtWidgets.QMenu("&Edit", self.window)
        menu.setToolTipsVisible(True)
        copy = QtGui.QAction("&Copy view", self.window)
        copy.setShortcut(QtGui.QKeySequence(QtGui.QKeySequence.StandardKey.Copy))
        copy.setShortcutContext(QtCore.Qt.ShortcutContext.WidgetWithChildrenShortcut)
        copy.setStatusTip("Copy the view that has the focus to the clipboard as an image")
        copy.setToolTip(copy.statusTip())
        copy.triggered.connect(lambda *_: self.copy_view(self.current))
        for widget in self.views.values():
            widget.addAction(copy)  # Ctrl+C acts only while one of the views has the focus
        menu.addAction(copy)
        self.copy_action = copy
        menu.addSeparator()
        for text, slot in (
            ("Copy selected run as &PyTorch", lambda: self.copy_run_code("torch")),
            ("Copy selected run as co&mmand", lambda: self.copy_run_code("command")),
        ):
            action = menu.addAction(text)
            action.setStatusTip(f"{text} (the runs list's right-click menu has it too)")
            action.triggered.connect(lambda *_, s=slot: s())
        return menu

    def _on_focus(self, _old, new) -> None:
        while new is not None:
            for name, widget in self.views.items():
                if new is widget:
                    self.current = name
                    return
            new = new.parentWidget()

    def view_image(self, name: str) -> QtGui.QImage:
        """The view as an image of its on-screen size."""
        if name == "surface":
            from saddlelab.app.scene3d.offscreen import render_view

            return render_view(self.window.view3d, ExportOptions(view="surface", scale=1.0))
        return self.views[name].grab().toImage()

    def copy_view(self, name: str) -> None:
        image = self.view_image(name)
        QtWidgets.QApplication.clipboard().setImage(image)
        self.window.statusBar().showMessage(
            f"Copied the {self._title(name)} ({image.width()} × {image.height()}) to the clipboard",
            5000,
        )

    @staticmethod
    def _title(name: str) -> str:
        return {"contour": "contour map", "surface": "3-D view", "loss": "loss curves"}[name]

    # -- view menus -------------------------------------------------------------------------------
    def view_menu(self, name: str) -> QtWidgets.QMenu:
        menu = QtWidgets.QMenu(self.window)
        copy = menu.addAction("&Copy image")
        copy.setStatusTip(f"Copy the {self._title(name)} to the clipboard")
        copy.triggered.connect(lambda *_: self.copy_view(name))
        export = menu.addAction("&Export…")
        if name == "surface":
            export.setStatusTip("Export the 3-D view as a PNG")
            export.triggered.connect(lambda *_: self.exports.export_image3d())
        else:
            export.setStatusTip(f"Export the {self._title(name)} as a figure")
            export.triggered.connect(lambda *_: self.exports.export_figure(name))
        return menu

    def show_view_menu(self, name: str, at: QtCore.QPoint) -> None:
        self.current = name
        self._popup(self.view_menu(name), at)

    def _popup(self, menu: QtWidgets.QMenu, at: QtCore.QPoint) -> None:
        menu.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.aboutToHide.connect(lambda: setattr(self, "last_menu", None))
        self.last_menu = menu
        menu.popup(at)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt naming
        """A right click (not a drag) on the GL window opens the 3-D view's menu."""
        kind = event.type()
        right = QtCore.Qt.MouseButton.RightButton
        if kind == QtCore.QEvent.Type.MouseButtonPress and event.button() == right:
            self._right_press = event.position()
        elif kind == QtCore.QEvent.Type.MouseButtonRelease and event.button() == right:
            press, self._right_press = self._right_press, None
            if press is not None and (event.position() - press).manhattanLength() <= CLICK_SLOP:
                self.show_view_menu("surface", event.globalPosition().toPoint())
        return False

    # -- runs list --------------------------------------------------------------------------------
    def runs_menu(self, run) -> QtWidgets.QMenu:
        menu = QtWidgets.QMenu(self.window)
        add_entries(menu, (
            ("torch", "Copy as &PyTorch", "A runnable torch script that reproduces this run",
             lambda: self.copy_run_code("torch", run)),
            ("command", "Copy as co&mmand", "The saddlelab run command that reproduces this run",
             lambda: self.copy_run_code("command", run)),
            None,
            ("csv", "Export run as &CSV…", "This run's trajectory as a table",
             lambda: self.exports.export_data("runs", "csv", run)),
            ("json", "Export run as &JSON…", "This run as `saddlelab run --json` writes it",
             lambda: self.exports.export_data("runs", "json", run)),
        ))  # fmt: skip
        return menu

    def _on_runs_menu(self, pos: QtCore.QPoint) -> None:
        runs = self.window.runs_panel.list
        item = runs.itemAt(pos) or runs.currentItem()
        if item is None:
            return
        row = runs.row(item)
        all_runs = list(self.window.state.runs)
        if not 0 <= row < len(all_runs):
            return
        runs.setCurrentRow(row)
        self._popup(self.runs_menu(all_runs[row]), runs.viewport().mapToGlobal(pos))

    def copy_run_code(self, kind: str, run=None) -> str | None:
        """Put the run's PyTorch script or command line on the clipboard (the selected run)."""
        from saddlelab.export.command_line import run_command
        from saddlelab.export.torch_script import torch_script

        run = run if run is not None else self.window.state.runs.selected
        status = self.window.statusBar()
        if run is None:
            status.showMessage("Select a run first (Runs tab)", 5000)
            return None
        surface = self.window.state.surface.surface
        try:
            if kind == "torch":
                text = torch_script(surface, run.record())
            else:
                text = run_command(surface, run.record())
        except Exception as error:  # noqa: BLE001 - e.g. an optimizer torch does not have
            from saddlelab.app.runtime.export_job import one_line

            status.showMessage(one_line(error), 10000)
            return None
        QtWidgets.QApplication.clipboard().setText(text)
        what = "PyTorch script" if kind == "torch" else "command"
        status.showMessage(f"Copied the {what} of {run.title} to the clipboard", 5000)
        return text

    def close(self) -> None:
        QtWidgets.QApplication.instance().focusChanged.disconnect(self._on_focus)
        self.window.view3d.gl.removeEventFilter(self)
