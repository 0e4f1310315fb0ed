"""The 3-D area's switch between the parameter space and the height map, in the real window,
and the height map's legend on the slice trap (it must name the hidden escape direction)."""

from __future__ import annotations

from PySide6 import QtCore

from saddlelab.app.scene3d.param_space import ParameterSpaceView
from saddlelab.core import catalogue
from saddlelab.core.surface import Surface

JOB_MS = 30_000


def test_switch_shows_for_three_parameters_and_survives_surface_switches(window, qtbot):
    switch = window.space_switch
    state = window.state
    # the lecture example has 2 parameters: only the height map, no toggle
    assert switch.bar.isHidden()
    assert switch.current() is window.view3d
    assert not switch.action.isEnabled()
    for _ in range(2):  # back and forth twice
        state.choose_surface(catalogue.load("slice-trap"))
        assert not switch.bar.isHidden()
        assert isinstance(switch.current(), ParameterSpaceView)  # the default for 3
        assert switch.space_button.text() == "Parameter space (x, y, z)"
        assert switch.height_button.text() == "Height map of the slice z = 0"
        assert switch.action.isEnabled() and switch.action.isChecked()
        space = switch.space
        if space.result is None or space.result.surface is not state.surface.surface:
            with qtbot.waitSignal(space.isosurfaces_shown, timeout=JOB_MS):
                pass
        assert space.result.surface is state.surface.surface
        state.choose_surface(catalogue.load("himmelblau"))
        assert switch.bar.isHidden()
        assert switch.current() is window.view3d
    # a typed 3-parameter surface, the height map chosen from the toggle and the menu action
    typed = Surface.from_expression("x^2 + 2*y^2 - z^2", ("x", "y", "z"), "x=-1:1,y=-1:1,z=-1:1")
    state.choose_surface(typed)
    assert switch.current() is switch.space
    switch.height_button.click()
    assert switch.current() is window.view3d
    assert not switch.action.isChecked()
    state.surface.set_slice(0.25)
    assert switch.height_button.text() == "Height map of the slice z = 0.25"
    switch.action.trigger()
    assert switch.current() is switch.space
    assert switch.space.planes.coords[2] == 0.25 * 1.0  # the slice is the θ3 plane


def test_closing_the_window_stops_the_isosurface_job(window, qtbot):
    window.state.choose_surface(catalogue.load("slice-trap"))
    space = window.space_switch.space
    space.set_levels([0.2, 0.4, 0.8])
    assert space.job.is_running()
    window.close()
    QtCore.QCoreApplication.processEvents()
    assert not space.job.is_running()
    assert not space.job._old  # every thread joined


def test_height_map_legend_names_the_hidden_escape_direction(window):
    window.state.choose_surface(catalogue.load("slice-trap"))
    window.space_switch.show_space(False)
    window.state.pick_probe((0.0, 0.0, 0.0))
    text = window.second_order.legend3d.text()
    assert "\u03bb = \u22122 points out of the slice (along z)" in text
    assert "escape direction this slice hides" in text
    assert "1 eigenvector points out of it" not in text
