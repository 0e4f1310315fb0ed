"""A typed loss that is undefined on half its domain, in the window: said when applied, drawn
without colour (hatched in 2-D, no faces in 3-D), and a start or probe there says so."""

from __future__ import annotations

import numpy as np

from saddlelab.core.optim import RunStatus

NOTE = "L is undefined on 50% of the domain (x < 0)"


def type_loss(window, expr: str, domain: str = "") -> None:
    picker = window.surface_picker
    picker.expr_edit.setText(expr)
    picker.vars_edit.setText("x, y")
    picker.domain_edit.setText(domain)
    assert picker.apply_typed()


def test_applying_the_loss_says_how_much_of_the_domain_is_undefined_and_where(window):
    type_loss(window, "log(x) + y^2")
    assert window.surface_bar.note.text() == f"\u26a0 {NOTE}"
    assert NOTE in window.surface_picker.note_label.text()
    assert not window.surface_picker.note_label.isHidden()
    type_loss(window, "x^2 + y^2")
    assert window.surface_bar.note.text() == "" and window.surface_picker.note_label.isHidden()


def test_a_partial_domain_is_completed_with_a_stated_range(window):
    type_loss(window, "(x - 7)^2 + y^2", "x=5:9")
    assert window.state.surface.surface.domain == ((5.0, 9.0), (-2.0, 2.0))
    assert "y has no range in the domain: using y = -2:2 (the default)" in (
        window.surface_picker.note_label.text()
    )


def test_contour_view_leaves_undefined_cells_without_colour(window):
    type_loss(window, "log(x) + y^2")
    view = window.contour_view
    xs, ys, values = window.state.surface.grid(view.resolution)
    undefined = np.isnan(values)
    assert undefined[xs < 0].all() and not undefined[xs > 0].any()
    alpha = view.image.image[..., 3]
    assert alpha.shape == values.shape
    assert (alpha[undefined] == 0).all() and (alpha[~undefined] == 255).all()
    assert view.undefined.isVisible()  # the hatch behind the transparent cells
    assert "L undefined (no colour)" in window.second_order.legend2d.text()
    iso_x = view.iso.xData
    assert len(iso_x) and (iso_x > 0).all()  # no iso-line in the undefined half


def test_3d_mesh_has_no_faces_where_undefined(window):
    type_loss(window, "log(x) + y^2")
    view = window.view3d
    view.rebuild_surface()
    xs, ys, values = window.state.surface.grid(view.resolution)
    for mesh in (view.surface_item.mesh, view.surface_item.coarse_mesh):
        faces = mesh.opts["meshdata"].faces()
        verts = mesh.opts["meshdata"].vertexes()
        assert len(faces)
        assert (verts[faces.ravel(), 0] > view.scale.wx(0.0) - 1e-6).all()
    full = view.surface_item.mesh.opts["meshdata"].faces()
    assert np.isfinite(values.ravel()[full.ravel()]).all()
    grid = view.surface_item.grid.pos
    assert (grid[:, 0] > view.scale.wx(0.0) - 1e-6).all()
    legend = view.legend
    assert legend._undefined() and np.isfinite([legend._scale.fmin, legend._scale.fmax]).all()


def test_start_and_probe_where_undefined_say_so(qtbot, window):
    type_loss(window, "log(x) + y^2")
    state = window.state
    run = state.runs.selected
    assert run.status is RunStatus.READY  # the suggested start is where L is defined
    assert run.set_start((-1.0, -1.0)) is None
    assert run.status is RunStatus.UNDEFINED_START and run.done
    assert run.status_detail == "L is undefined at the start (-1, -1): choose another start"
    assert "start undefined" in window.runs_panel.list.item(0).text()
    state.playback.set_playing(True)
    assert not state.playback.playing  # nothing can move
    panel = window.second_order.panel
    assert panel.title.text() == "L is undefined here"
    assert panel.sentence.text().startswith("L is undefined at (-1, -1)")
    assert panel.details.isHidden()  # no empty headings
    view = window.contour_view
    view._on_hover(view.data_to_scene(-1.0, -1.0))
    assert view.readout.text().endswith("L is undefined here")
    assert run.set_start((1.0, 1.0)) is None
    assert run.status is RunStatus.READY and panel.title.text() != "L is undefined here"
    assert not panel.details.isHidden()
