"""The export dialog: the summary follows the fields as they change, bad values are a line in
the dialog (Export off) instead of an exception, and the choices come back from settings."""

from __future__ import annotations

import pytest

from saddlelab.app.panels.export_dialog import ANIMATION, FIGURE, IMAGE_3D, ExportDialog


@pytest.fixture
def make(qtbot):
    def build(kind, **kw):
        dialog = ExportDialog(kind, **kw)
        qtbot.addWidget(dialog)
        return dialog

    return build


def _select(box, key):
    box.setCurrentIndex(box.findData(key))


def test_figure_summary_follows_preset_dpi_and_format(make):
    d = make(FIGURE)
    assert d.summary.text().startswith("1400 × 920 pixels")  # two columns at 200 dpi
    _select(d.rows["preset"], "column")
    d.rows["dpi"].setValue(300)
    assert d.summary.text().startswith("1050 × 840 pixels")
    assert not d.rows["width"].isEnabled()
    _select(d.rows["preset"], "custom")
    assert d.rows["width"].isEnabled()
    d.rows["width"].setValue(5)
    assert d.summary.text().startswith("1500 × 840 pixels")
    _select(d.rows["format"], "pdf")
    assert "PDF with vector lines" in d.summary.text()
    options = d.options()
    assert options.size_in == (5.0, 2.8) and options.dpi == 300 and d.fmt == "pdf"


def test_bad_values_are_shown_in_the_dialog_not_raised(make):
    d = make(FIGURE)
    d.rows["dpi"].setValue(5)
    assert not d.export_button.isEnabled()
    assert d.error.text() == "dpi must be between 10 and 1200" and not d.error.isHidden()
    d.rows["dpi"].setValue(150)
    assert d.export_button.isEnabled() and d.error.isHidden()
    movie = make(ANIMATION)
    movie.rows["fps"].setValue(100)
    assert not movie.export_button.isEnabled() and "fps" in movie.error.text()


def test_animation_summary_counts_frames_and_orbit_needs_the_3d_view(make):
    d = make(ANIMATION)
    d.rows["duration"].setValue(10)
    assert d.summary.text() == "300 frames of 1280 × 720 pixels: 10 s at 30 fps"
    assert not d.rows["orbit"].isEnabled()
    _select(d.rows["view"], "surface")
    assert d.rows["orbit"].isEnabled()
    d.rows["orbit"].setChecked(True)
    options = d.options()
    assert options.view == "surface" and options.orbit and options.size_px == (1280, 720)


def test_3d_image_summary_is_the_view_size_times_the_scale(make):
    d = make(IMAGE_3D, view_size=(900, 600))
    _select(d.rows["scale"], 4)
    assert d.summary.text().startswith("3600 × 2400 pixels, dark background")
    _select(d.rows["theme"], "light")
    assert d.options().theme == "light" and "light background" in d.summary.text()
    d.rows["transparent"].setChecked(True)
    assert d.options().transparent and d.options().size_px == (3600, 2400)


def test_settings_round_trip_and_junk_is_ignored(make):
    d = make(ANIMATION)
    _select(d.rows["format"], "gif")
    _select(d.rows["preset"], "custom")
    d.rows["width"].setValue(500)
    d.rows["fps"].setValue(12)
    again = make(ANIMATION, settings=d.settings() | {"nonsense": 3, "height": "tall"})
    assert again.fmt == "gif" and again.value("width") == 500 and again.value("fps") == 12
    assert again.export_button.isEnabled()
