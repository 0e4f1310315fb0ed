"""Publication figures read back: PNG size per preset and dpi, the runs' colours along their
trajectories, SVG paths and PDF path operators in each run's colour, text kept as text,
themes, the 3-parameter slice, an undefined region, the loss view, errors and Cancel."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pypdf
import pytest
from export_helpers import along, lecture_state, share_on_path
from PIL import Image

from saddlelab.core import catalogue
from saddlelab.core.surface import Surface
from saddlelab.export.figures import build_figure, write_figure
from saddlelab.export.options import PRESETS, Cancelled, ExportError, ExportOptions
from saddlelab.export.scene import compute_runs, snapshot
from saddlelab.export.theme import THEMES, contrast, rgb_of, run_colour
from saddlelab.models.app_state import AppState
from saddlelab.models.colours import UNDEFINED_HATCH
from saddlelab.models.runs import PALETTE


def png(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


@pytest.mark.parametrize("preset", sorted(PRESETS))
@pytest.mark.parametrize("dpi", [72, 150])
@pytest.mark.parametrize("view", ["contour", "loss"])
def test_png_has_the_preset_s_pixel_size(lecture, tmp_path, preset, dpi, view):
    options = ExportOptions.preset(preset, dpi=dpi, view=view)
    path = write_figure(lecture, tmp_path / "f.png", options)
    assert Image.open(path).size == options.pixels()
    assert [p.name for p in tmp_path.iterdir()] == ["f.png"]  # no temporary left behind


def test_png_in_pixels_has_that_size(lecture, tmp_path):
    options = ExportOptions(size_px=(801, 451))
    assert Image.open(write_figure(lecture, tmp_path / "f.png", options)).size == (801, 451)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_each_run_s_colour_is_drawn_along_its_trajectory(lecture, tmp_path, theme):
    options = ExportOptions.preset("two-columns", dpi=100, theme=theme)
    image = png(write_figure(lecture, tmp_path / "f.png", options))
    fig = build_figure(snapshot(lecture), options)  # the same layout: its axes transform
    ax = fig.axes[0]
    for run in lecture.runs:
        points = along(run.trajectory.points, 0.15, 0.85)
        assert share_on_path(image, ax, points, run.colour, theme) >= 0.8, run.title
    # ... and not where no run went (the map's far corner)
    corner = ax.transData.transform([(1.9, -1.9)])[0]
    for run in lecture.runs:
        assert share_on_path(image, ax, np.array([(1.9, -1.9)]), run.colour, theme) == 0, corner


def test_themes_differ_in_background_and_keep_run_colours_visible(lecture, tmp_path):
    light = png(write_figure(lecture, tmp_path / "l.png", ExportOptions(theme="light", dpi=50)))
    dark = png(write_figure(lecture, tmp_path / "d.png", ExportOptions(theme="dark", dpi=50)))
    assert tuple(light[2, 2]) == (255, 255, 255)
    assert tuple(dark[2, 2]) == tuple(round(c * 255) for c in rgb_of(THEMES["dark"].paper))
    for colour in PALETTE:
        for name, th in THEMES.items():
            drawn = run_colour(colour, name)
            assert contrast(rgb_of(drawn), rgb_of(th.paper)) >= 3.0, (colour, name)
    assert run_colour("#ffe119", "dark") == "#ffe119"  # the window's colours on dark
    assert run_colour("#ffe119", "light") != "#ffe119"  # yellow darkened on paper


def _svg(path):
    return ET.parse(path).getroot()


def test_svg_holds_a_vector_path_per_run_in_its_colour_and_text_as_text(lecture, tmp_path):
    path = write_figure(lecture, tmp_path / "f.svg", ExportOptions())
    root = _svg(path)
    ns = "{http://www.w3.org/2000/svg}"
    strokes: dict[str, list[int]] = {}
    for element in root.iter(f"{ns}path"):
        match = re.search(r"stroke:\s*(#[0-9a-f]{6})", element.get("style", ""))
        if match:
            vertices = len(re.findall(r"[ML]", element.get("d", "")))
            strokes.setdefault(match.group(1), []).append(vertices)
    for run in lecture.runs:
        colour = run_colour(run.colour, "light")
        assert colour in strokes, run.title
        assert max(strokes[colour]) >= 5, run.title  # a polyline (simplified), not a marker
    texts = " ".join("".join(t.itertext()) for t in root.iter(f"{ns}text"))
    for run in lecture.runs:
        assert run.title in texts
    assert "w1" in texts and "w2" in texts and "Saddle point" in texts
    assert len(list(root.iter(f"{ns}image"))) >= 1  # filled contours rasterised


def _pdf_page(path):
    page = pypdf.PdfReader(path).pages[0]
    return page, page.get_contents().get_data().decode("latin-1")


def test_pdf_holds_vector_paths_in_each_run_s_colour_and_text_as_text(lecture, tmp_path):
    path = write_figure(lecture, tmp_path / "f.pdf", ExportOptions.preset("two-columns"))
    page, content = _pdf_page(path)
    numbers = r"([0-9.]+) ([0-9.]+) ([0-9.]+) RG"
    strokes = [tuple(float(v) for v in m) for m in re.findall(numbers, content)]
    for run in lecture.runs:
        want = rgb_of(run_colour(run.colour, "light"))
        assert any(np.allclose(s, want, atol=0.003) for s in strokes), run.title
    assert len(re.findall(r"\bl\n", content)) > 100  # line-to operators: vector trajectories
    text = page.extract_text()
    for run in lecture.runs:
        assert run.title in text
    images = [k for k, v in page["/Resources"]["/XObject"].items() if v["/Subtype"] == "/Image"]
    assert images  # the filled contours, rasterised inside the vector page
    assert path.stat().st_size < 400_000


def test_three_parameter_surface_draws_the_displayed_slice(tmp_path):
    surface = catalogue.load("w1w2w3-mse")
    state = AppState(surface)
    state.surface.set_slice(0.75)
    snap = snapshot(state)
    x, y = snap.xs[40], snap.ys[120]
    assert snap.values[40, 120] == pytest.approx(float(surface.loss(np.array([x, y, 0.75]))))
    assert snap.slice_note == "slice w3 = 0.75 (projected)"
    path = write_figure(state, tmp_path / "f.svg", ExportOptions())
    texts = " ".join("".join(t.itertext()) for t in _svg(path).iter())
    assert "slice w3 = 0.75 (projected)" in texts
    state.surface.set_slice(-0.5)
    assert not np.allclose(snapshot(state).values, snap.values)


def test_a_surface_with_an_undefined_region_exports_hatched_there(tmp_path):
    surface = Surface.from_expression("log(x) + y^2", ["x", "y"], "x=-2:2,y=-2:2")
    state = AppState(surface)
    state.add_run("sgd", {"lr": 0.05}, start=(1.0, 1.0))
    compute_runs(state, 50)
    options = ExportOptions(dpi=80)
    image = png(write_figure(state, tmp_path / "f.png", options))
    ax = build_figure(snapshot(state), options).axes[0]
    (x0, y0), (x1, y1) = ax.transData.transform([(-1.9, -1.9), (-0.1, -0.2)])  # no run there
    left = image[int(image.shape[0] - y1) : int(image.shape[0] - y0), int(x0) : int(x1)]
    hatch = np.array(rgb_of(UNDEFINED_HATCH)) * 255
    is_hatch = (np.abs(left.astype(float) - hatch).max(axis=-1) < 40).mean()
    grey = np.ptp(left.astype(int), axis=-1) < 50  # the hatch on paper; viridis is coloured
    assert is_hatch > 0.05 and grey.all()
    x2, x3 = ax.transData.transform([(0.2, 0.0), (1.9, 0.0)])[:, 0]
    right = image[int(image.shape[0] - y1) : int(image.shape[0] - y0), int(x2) : int(x3)]
    assert (np.ptp(right.astype(int), axis=-1) >= 50).mean() > 0.9  # the colour map there
    assert "L undefined (no colour)" in _legend_texts(state, tmp_path)


def _legend_texts(state, tmp_path) -> str:
    path = write_figure(state, tmp_path / "u.svg", ExportOptions())
    return " ".join("".join(t.itertext()) for t in _svg(path).iter())


def test_loss_view_draws_every_run_and_says_how_each_ended(tmp_path):
    surface = Surface.from_expression("x^2 - y^2", ["x", "y"], "x=-2:2,y=-2:2")
    state = AppState(surface)
    state.add_run("sgd", {"lr": 0.1}, start=(1.0, 0.01))  # escapes down the saddle: diverges
    state.add_run("sgd", {"lr": 0.1}, start=(1.0, 0.0))  # on the ridge: converges to the saddle
    state.add_run("adam", {"lr": 0.1}, start=(0.5, 0.5))
    compute_runs(state, 400)
    state.add_run("sgd", {"lr": 0.1}, start=(0.2, 0.2))  # never stepped: one row
    assert state.runs[0].status.value == "diverged"
    path = write_figure(state, tmp_path / "loss.svg", ExportOptions(view="loss"))
    root = _svg(path)
    texts = " ".join("".join(t.itertext()) for t in root.iter())
    assert "diverged" in texts
    styles = " ".join(e.get("style", "") for e in root.iter())
    for run in state.runs:
        assert run_colour(run.colour, "light") in styles, run.title
    assert "nan" not in " ".join(e.get("d", "") for e in root.iter()).lower()


def test_loss_view_without_runs_says_so(tmp_path):
    state = AppState(catalogue.load("himmelblau"))
    path = write_figure(state, tmp_path / "empty.svg", ExportOptions(view="loss"))
    assert "no runs to show" in " ".join("".join(t.itertext()) for t in _svg(path).iter())


def test_contour_figure_hides_invisible_runs(tmp_path):
    state = lecture_state(steps=40)
    state.runs[1].set_visible(False)
    text = _legend_texts(state, tmp_path)
    assert state.runs[0].title in text and state.runs[1].title not in text


def test_wrong_format_or_view_is_one_clear_error(lecture, tmp_path):
    with pytest.raises(ExportError, match="a figure is png, svg, pdf, not gif"):
        write_figure(lecture, tmp_path / "f.gif", ExportOptions())
    with pytest.raises(ExportError, match="surface view is not a 2-D figure"):
        write_figure(lecture, tmp_path / "f.png", ExportOptions(view="surface"))
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("stop_at", [0, 1, 2])
def test_cancel_leaves_no_file(lecture, tmp_path, stop_at):
    def progress(done, total):
        return done < stop_at

    with pytest.raises(Cancelled):
        write_figure(lecture, tmp_path / "f.pdf", ExportOptions(), progress)
    assert not list(tmp_path.iterdir())


def test_a_snapshot_taken_first_exports_what_the_state_showed_then(tmp_path):
    state = lecture_state(steps=30)
    snap = snapshot(state)  # a background export is handed this, taken on the GUI thread
    compute_runs(state, 200)  # the runs go on meanwhile
    assert state.runs[0].steps > snap.runs[0].steps
    text = " ".join(
        "".join(t.itertext())
        for t in _svg(write_figure(snap, tmp_path / "s.svg", ExportOptions(view="loss"))).iter()
    )
    assert f"({snap.runs[0].steps} steps" in text
    assert f"({state.runs[0].steps} steps" not in text


def test_numbers_are_written_by_the_app_s_formatter_and_transparency_is_kept(lecture, tmp_path):
    text = _legend_texts(lecture, tmp_path)
    assert "\u22121.5" in text  # tick labels with the formatter's real minus sign
    path = write_figure(lecture, tmp_path / "t.png", ExportOptions(dpi=40, transparent=True))
    rgba = np.asarray(Image.open(path).convert("RGBA"))
    assert rgba[1, 1, 3] == 0 and rgba[rgba.shape[0] // 2, rgba.shape[1] // 3, 3] == 255
