"""What a lecture audience sees at 1280 x 800: the 3-D height axis beside the surface (never
over it), a surface that fills the 3-D view, the contour legend off the axis names, and a
critical-points table whose columns all fit; and a worker thread that runs below the GUI's
priority."""

from __future__ import annotations

import os
import sys
import threading

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from saddlelab.app.runtime import worker
from saddlelab.core import catalogue


def _mesh_on_screen(window) -> np.ndarray:
    """Screen points (k, 2) of the 3-D mesh (every few grid points), as the camera sees it."""
    view = window.view3d
    gl = view.gl
    xs, ys, values = window.state.surface.grid(view.resolution)
    X, Y = np.meshgrid(xs[::3], ys[::3], indexing="ij")
    xy = np.column_stack([X.ravel(), Y.ravel()])
    world = view.scale.world(xy, window.state.surface.plane_loss(xy), 0.0)
    vp = (0, 0, gl.width(), gl.height())
    to_screen = QtGui.QMatrix4x4()
    to_screen.viewport(0, gl.height(), gl.width(), -gl.height())
    project = to_screen * gl.projectionMatrix(vp, vp) * gl.viewMatrix()
    return np.array([[p.x(), p.y()] for p in (project.map(QtGui.QVector3D(*w)) for w in world)])


def _render(window) -> None:
    """Two frames: the axes pick their corner in the first and redraw in the second."""
    window.view3d.gl.grabFramebuffer()
    window.view3d.gl.grabFramebuffer()


@pytest.mark.parametrize("orbit", [0.0, 180.0])
def test_height_axis_values_stand_beside_the_surface_not_over_it(window, orbit):
    window.view3d.reset_camera()
    window.view3d.gl.orbit(orbit, 0.0)
    _render(window)
    rects = window.view3d.axes.height_label_rects()
    texts = [t for _, t, _ in window.view3d.axes._height_labels]
    assert "loss" in texts and len(rects) == 4  # three values (25, 16.7, 8.33) and the title
    mesh = _mesh_on_screen(window)
    side = window.view3d.axes.placement[3]
    for rect in rects:
        # Every label beside the whole mesh, on the side with room (2 px for rounding).
        if side == "left":
            assert rect.right() <= mesh[:, 0].min() + 2, (orbit, rect, mesh[:, 0].min())
        else:
            assert rect.left() >= mesh[:, 0].max() - 2, (orbit, rect, mesh[:, 0].max())
        assert 0 <= rect.left() and rect.right() <= window.view3d.gl.width()


def test_height_axis_values_never_cover_the_middle_of_the_surface(window):
    view = window.view3d
    centre_xy = np.array([[0.0, 0.0]])
    for orbit in range(0, 360, 45):
        view.reset_camera()
        view.gl.orbit(float(orbit), 0.0)
        _render(window)
        gl = view.gl
        vp = (0, 0, gl.width(), gl.height())
        to_screen = QtGui.QMatrix4x4()
        to_screen.viewport(0, gl.height(), gl.width(), -gl.height())
        project = to_screen * gl.projectionMatrix(vp, vp) * gl.viewMatrix()
        centre = view.world(centre_xy)[0]
        p = project.map(QtGui.QVector3D(*centre)).toPointF()
        middle = QtCore.QRectF(p.x() - 40, p.y() - 40, 80, 80)
        for rect in view.axes.height_label_rects():
            assert not rect.intersects(middle), (orbit, rect, middle)


def test_default_camera_fills_the_3d_view_with_the_surface(window):
    window.view3d.reset_camera()
    _render(window)
    gl = window.view3d.gl
    mesh = _mesh_on_screen(window)
    left, right = mesh[:, 0].min(), mesh[:, 0].max()
    top, bottom = mesh[:, 1].min(), mesh[:, 1].max()
    assert (right - left) >= 0.7 * gl.width()  # it was 0.63 with the old camera
    assert left > 0 and right < gl.width() and top > 0 and bottom < gl.height()


def test_contour_legend_keeps_the_axis_names_readable(qtbot, window):
    window.state.pick_probe([-1.0, 1.0])
    legend = window.second_order.legend2d
    qtbot.waitUntil(lambda: legend.isVisible() and "Taylor" in legend.text())
    plot = window.contour_view.plot
    widget = window.contour_view.plot_widget
    for side in ("bottom", "left"):
        axis = plot.getAxis(side)
        axis_rect = widget.mapFromScene(axis.sceneBoundingRect()).boundingRect()
        # The tick values and the axis name (not the 5-px tick marks next to the plot).
        text_rect = (
            axis_rect.adjusted(0, 6, 0, 0) if side == "bottom" else axis_rect.adjusted(0, 0, -6, 0)
        )
        assert not legend.geometry().intersects(text_rect), side


def test_critical_points_table_columns_fit_and_tooltips_hold_full_values(qtbot, window):
    panel = window.second_order.critical
    window.state.choose_surface(catalogue.load("himmelblau"))
    with qtbot.waitSignal(panel.pointsChanged, timeout=60_000):
        panel.find()
    table = panel.table
    qtbot.waitUntil(lambda: table.rowCount() == 9)
    widths = sum(table.columnWidth(c) for c in range(table.columnCount()))
    assert widths <= table.viewport().width()  # nothing cut off, no sideways scrolling
    for row in range(table.rowCount()):
        for col in range(table.columnCount()):
            text = table.item(row, col).text()
            assert table.fontMetrics().horizontalAdvance(text) < table.columnWidth(col)
    row = next(i for i, cp in enumerate(panel.points()) if cp.point[0] != round(cp.point[0], 2))
    cp = panel.points()[row]
    point_tip = table.item(row, 1).toolTip()
    assert point_tip.startswith("Point: (")
    assert table.item(row, 1).text() != point_tip.removeprefix("Point: ")  # shortened cell
    assert f"{cp.point[0]:.10g}".replace("-", "\u2212") in point_tip  # full value in the tip


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux")
def test_worker_thread_runs_below_the_gui_thread():
    seen = {}

    def body() -> None:
        tid = threading.get_native_id()
        before = os.getpriority(os.PRIO_PROCESS, tid)
        worker.lower_own_priority()
        seen["delta"] = os.getpriority(os.PRIO_PROCESS, tid) - before

    t = threading.Thread(target=body)
    t.start()
    t.join()
    if os.getpriority(os.PRIO_PROCESS, 0) + worker.WORKER_NICE <= 19:
        assert seen["delta"] == worker.WORKER_NICE
    # The GUI thread itself keeps its priority.
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == os.getpriority(
        os.PRIO_PROCESS, 0
    )
