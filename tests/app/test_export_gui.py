"""Exports through the window's menus: the dialog driven as a user would, the files read back;
Cancel stops a long animation and leaves no file; the event loop keeps turning while an
animation is written; the clipboard gets the view's image, a PyTorch script, a command."""

from __future__ import annotations

import csv
import json

import imageio.v2 as iio2
import imageio.v3 as iio
import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from window_actions import answer_file_dialogs

from saddlelab.app.panels.export_dialog import ExportDialog

TIMEOUT = 120_000


@pytest.fixture
def out(tmp_path):
    """The exports' folder (tmp_path also holds the test's settings)."""
    (tmp_path / "out").mkdir()
    return tmp_path / "out"


def _save_to(monkeypatch, path) -> None:
    answer_file_dialogs(monkeypatch, save=path)


def _in_dialog(configure) -> list[str]:
    """Fill the export dialog as soon as it is up (``configure(dialog)``) and press Export."""
    seen: list[str] = []

    def fill() -> None:
        dialog = QtWidgets.QApplication.activeModalWidget()
        if not isinstance(dialog, ExportDialog):
            QtCore.QTimer.singleShot(20, fill)
            return
        configure(dialog)
        seen.append(dialog.summary.text())
        dialog.export_button.click()

    QtCore.QTimer.singleShot(20, fill)
    return seen


def _pick(dialog: ExportDialog, name: str, key) -> None:
    box = dialog.rows[name]
    box.setCurrentIndex(box.findData(key))


def _export(qtbot, window, key: str):
    exports = window.file_menu.exports
    exports.actions[key].trigger()
    assert exports.jobs, "no export started"
    job = exports.jobs[-1]
    qtbot.waitUntil(lambda: job.outcome is not None, timeout=TIMEOUT)
    return job


def test_figure_through_the_menu_is_a_png_of_the_asked_size(qtbot, window, out, monkeypatch):
    path = out / "map.png"
    _save_to(monkeypatch, path)

    def configure(d):
        _pick(d, "preset", "column")
        d.rows["dpi"].setValue(100)

    seen = _in_dialog(configure)
    job = _export(qtbot, window, "figure")
    assert job.outcome == "done", job.message
    assert seen == ["350 × 280 pixels (3.5 × 2.8 in at 100 dpi)"]
    image = iio.imread(path)
    assert image.shape[:2] == (280, 350)
    assert window.statusBar().currentMessage() == "Exported map.png"
    assert sorted(p.name for p in out.iterdir()) == ["map.png"]


def test_loss_figure_as_pdf_and_the_choices_are_remembered(qtbot, window, out, monkeypatch):
    from pypdf import PdfReader

    _save_to(monkeypatch, out / "loss.pdf")
    _in_dialog(lambda d: (_pick(d, "view", "loss"), _pick(d, "format", "pdf")))
    assert _export(qtbot, window, "figure").outcome == "done"
    page = PdfReader(out / "loss.pdf").pages[0]
    assert round(float(page.mediabox.width)) == 504  # two columns: 7 in
    again = ExportDialog("figure", settings=window.file_menu.exports._dialog_settings("figure"))
    assert again.fmt == "pdf" and again.value("view") == "loss"


def test_animation_cancel_stops_it_and_leaves_no_file_while_the_loop_keeps_turning(
    qtbot, window, out, monkeypatch
):
    path = out / "long.mp4"
    path_old = out / "keep.gif"
    path_old.write_bytes(b"GIF89a")
    _save_to(monkeypatch, path)

    def configure(d):
        d.rows["duration"].setValue(60)  # 1800 frames: long enough to be cancelled
        _pick(d, "preset", "640x360")

    _in_dialog(configure)
    ticks = [0]
    timer = QtCore.QTimer()
    timer.setInterval(1)
    timer.timeout.connect(lambda: ticks.__setitem__(0, ticks[0] + 1))
    timer.start()
    exports = window.file_menu.exports
    exports.actions["animation"].trigger()
    job = exports.jobs[-1]
    qtbot.waitUntil(lambda: job._done >= 5, timeout=TIMEOUT)
    assert job.running and ticks[0] > 10  # the GUI thread kept running its timers
    job.dialog.findChild(QtWidgets.QPushButton).click()  # Cancel
    qtbot.waitUntil(lambda: job.outcome is not None, timeout=TIMEOUT)
    timer.stop()
    assert job.outcome == "cancelled" and job._done < 1800
    assert sorted(p.name for p in out.iterdir()) == ["keep.gif"]
    assert window.statusBar().currentMessage() == "Export cancelled: long.mp4"


def test_a_short_gif_has_its_frames_and_size(qtbot, window, out, monkeypatch):
    run = window.state.runs.selected
    window.state.playback.step(60)  # the run moves in every frame (GIF merges equal frames)
    qtbot.waitUntil(lambda: run.steps >= 60, timeout=TIMEOUT)
    _save_to(monkeypatch, out / "short.gif")

    def configure(d):
        _pick(d, "format", "gif")
        _pick(d, "preset", "custom")
        d.rows["width"].setValue(320)
        d.rows["height"].setValue(200)
        d.rows["fps"].setValue(10)
        d.rows["duration"].setValue(1.5)

    seen = _in_dialog(configure)
    assert _export(qtbot, window, "animation").outcome == "done"
    assert seen == ["15 frames of 320 × 200 pixels: 1.5 s at 10 fps"]
    frames = iio.imread(out / "short.gif", index=None, mode="RGB")
    assert frames.shape[0] == 15 and frames.shape[1:3] == (200, 320)


def test_3d_image_at_2x_and_3d_animation_frames_made_on_the_gui_thread(
    qtbot, window, out, monkeypatch
):
    from saddlelab.app.scene3d.offscreen import view_size

    w, h = view_size(window.view3d)
    _save_to(monkeypatch, out / "view.png")
    _in_dialog(lambda d: _pick(d, "scale", 2))
    assert _export(qtbot, window, "image3d").outcome == "done"
    assert iio.imread(out / "view.png").shape[:2] == (2 * h, 2 * w)

    _save_to(monkeypatch, out / "orbit.mp4")

    def configure(d):
        _pick(d, "view", "surface")
        d.rows["orbit"].setChecked(True)
        _pick(d, "preset", "640x360")
        d.rows["fps"].setValue(10)
        d.rows["duration"].setValue(1.0)

    _in_dialog(configure)
    job = _export(qtbot, window, "animation")
    assert job.outcome == "done", job.message
    with iio2.get_reader(out / "orbit.mp4", format="FFMPEG") as reader:
        frames = np.array([frame for frame in reader])
    assert frames.shape == (10, 360, 640, 3)
    assert job.pump.made == 10


def test_data_exports_runs_csv_json_and_a_run_from_its_row(qtbot, window, out, monkeypatch):
    state = window.state
    state.add_run("adam", {"lr": 0.02})
    state.playback.step(20)
    qtbot.waitUntil(lambda: all(r.steps >= 20 for r in state.runs), timeout=TIMEOUT)
    _save_to(monkeypatch, out / "runs.csv")
    assert _export(qtbot, window, "runs_csv").outcome == "done"
    with open(out / "runs.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["run"] for r in rows} == {"1", "2"} and len(rows) == 2 * 21
    _save_to(monkeypatch, out / "one.json")
    menu = window.file_menu.context.runs_menu(state.runs.selected)
    [a for a in menu.actions() if a.text() == "Export run as &JSON…"][0].trigger()
    job = window.file_menu.exports.jobs[-1]
    qtbot.waitUntil(lambda: job.outcome is not None, timeout=TIMEOUT)
    record = json.loads((out / "one.json").read_text())
    assert [r["optimizer"] for r in record["runs"]] == ["adam"]


def test_nothing_to_export_says_why_in_the_status_bar(window):
    window.file_menu.exports.actions["critical_csv"].trigger()
    assert window.statusBar().currentMessage().startswith("No critical points yet")
    assert not window.file_menu.exports.jobs


@pytest.mark.parametrize("name", ["contour", "loss", "surface"])
def test_copy_image_puts_the_views_image_on_the_clipboard(qtbot, window, name):
    from saddlelab.app.scene3d.offscreen import view_size

    clipboard = QtWidgets.QApplication.clipboard()
    clipboard.clear()
    context = window.file_menu.context
    menu = context.view_menu(name)
    menu.actions()[0].trigger()  # Copy image
    image = clipboard.image()
    widget = context.views[name]
    expected = view_size(window.view3d) if name == "surface" else (widget.width(), widget.height())
    assert (image.width(), image.height()) == expected
    middle = image.height() // 2
    colours = {image.pixel(x, middle) for x in range(0, image.width(), 7)}
    assert len(colours) > 3  # a picture, not a blank


def test_ctrl_c_in_a_view_copies_it_and_stays_the_text_copy_elsewhere(qtbot, window):
    clipboard = QtWidgets.QApplication.clipboard()
    clipboard.clear()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    view = window.contour_view.plot_widget
    view.setFocus()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.focusWidget() is view)
    qtbot.keyClick(view, QtCore.Qt.Key.Key_C, QtCore.Qt.KeyboardModifier.ControlModifier)
    image = clipboard.image()
    assert (image.width(), image.height()) == (
        window.contour_view.width(),
        window.contour_view.height(),
    )
    clipboard.setText("typed")
    field = window.surface_picker.expr_edit
    window.surface_picker.window().activateWindow()
    field.setText("x^2 + y^2")
    field.selectAll()
    field.setFocus()
    qtbot.keyClick(field, QtCore.Qt.Key.Key_C, QtCore.Qt.KeyboardModifier.ControlModifier)
    assert clipboard.text() == "x^2 + y^2"


def test_copy_as_pytorch_and_as_command_from_a_runs_row(qtbot, window):
    clipboard = QtWidgets.QApplication.clipboard()
    context = window.file_menu.context
    run = window.state.runs.selected
    menu = context.runs_menu(run)
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts[:2] == ["Copy as &PyTorch", "Copy as co&mmand"]
    menu.actions()[0].trigger()
    script = clipboard.text()
    assert "import torch" in script and "torch.optim.SGD" in script
    compile(script, "run.py", "exec")  # a whole script (compiled, never run here)
    menu.actions()[1].trigger()
    assert clipboard.text().startswith("saddlelab run w1w2-mse")
    run.set_optimizer("newton")
    clipboard.setText("before")
    context.runs_menu(run).actions()[0].trigger()
    assert clipboard.text() == "before"
    assert "no torch.optim class" in window.statusBar().currentMessage()


def test_the_3d_views_right_click_opens_its_menu(qtbot, window):
    gl = window.view3d.gl
    centre = QtCore.QPointF(gl.width() / 2, gl.height() / 2)
    for kind in (QtCore.QEvent.Type.MouseButtonPress, QtCore.QEvent.Type.MouseButtonRelease):
        event = QtGui.QMouseEvent(
            kind, centre, gl.mapToGlobal(centre), QtCore.Qt.MouseButton.RightButton,
            QtCore.Qt.MouseButton.RightButton if kind.name.endswith("Press")
            else QtCore.Qt.MouseButton.NoButton,
            QtCore.Qt.KeyboardModifier.NoModifier,
        )  # fmt: skip
        QtWidgets.QApplication.sendEvent(gl, event)
    menu = window.file_menu.context.last_menu
    assert menu is not None and [a.text() for a in menu.actions()] == ["&Copy image", "&Export…"]
    menu.close()


def test_the_contour_views_context_menu_from_the_keyboard(qtbot, window):
    view = window.contour_view
    at = QtCore.QPoint(5, 5)
    event = QtGui.QContextMenuEvent(
        QtGui.QContextMenuEvent.Reason.Keyboard, at, view.mapToGlobal(at),
        QtCore.Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QtWidgets.QApplication.sendEvent(view, event)
    menu = window.file_menu.context.last_menu
    assert menu is not None and [a.text() for a in menu.actions()] == ["&Copy image", "&Export…"]
    menu.close()
    assert np.all([a.isEnabled() for a in window.file_menu.exports.menu.actions()])
