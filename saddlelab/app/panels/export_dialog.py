"""The export dialog: what File ▸ Export ▸ Figure… / 3-D image… / Animation… asks before the file.

One dialog, three kinds (``FIGURE``, ``IMAGE_3D``, ``ANIMATION``), each showing only its fields.
Every change rebuilds an :class:`~saddlelab.export.options.ExportOptions`; what it refuses is
shown under the fields in one line (and Export is off) instead of raised, and the summary line
says what will come out (pixels, inches, frames) while the user types. ``settings()`` and
``load(settings)`` give the choices as a plain dict, kept between exports by the File menu.
"""

from __future__ import annotations

from PySide6 import QtWidgets

from saddlelab.app.style import ERROR, MUTED, tint
from saddlelab.core.numbers import count, fmt
from saddlelab.export.options import PRESET_NAMES, PRESETS, ExportError, ExportOptions

FIGURE, IMAGE_3D, ANIMATION = "figure", "image3d", "animation"
TITLES = {FIGURE: "Export figure", IMAGE_3D: "Export 3-D image", ANIMATION: "Export animation"}
FIGURE_VIEWS = {"contour": "Contour map with the runs", "loss": "Loss and gradient-norm curves"}
MOVIE_VIEWS = {"contour": "Contour map", "surface": "3-D view"}
THEMES = {"light": "Light (paper)", "dark": "Dark (slides)"}
MOVIE_SIZES = {"1280x720": "1280 × 720 (HD)", "1920x1080": "1920 × 1080 (full HD)",
               "854x480": "854 × 480", "640x360": "640 × 360"}  # fmt: skip
CUSTOM = "custom"


def _combo(choices: dict[str, str], tip: str) -> QtWidgets.QComboBox:
    box = QtWidgets.QComboBox()
    for key, text in choices.items():
        box.addItem(text, key)
    box.setToolTip(tip)
    return box


def _spin(lo: float, hi: float, decimals: int, suffix: str, tip: str) -> QtWidgets.QAbstractSpinBox:
    # Ranges wider than the options allow: the options' own message says what is wrong.
    box = QtWidgets.QDoubleSpinBox() if decimals else QtWidgets.QSpinBox()
    if decimals:
        box.setDecimals(decimals)
    box.setRange(lo, hi)
    box.setSuffix(suffix)
    box.setToolTip(tip)
    box.setKeyboardTracking(True)
    return box


def _select(box: QtWidgets.QComboBox, key) -> None:
    i = box.findData(key)
    if i >= 0:
        box.setCurrentIndex(i)


class ExportDialog(QtWidgets.QDialog):
    """Options of one kind of export; ``options()`` is valid when Export is enabled."""

    def __init__(
        self,
        kind: str,
        parent: QtWidgets.QWidget | None = None,
        view_size: tuple[int, int] = (900, 600),
        settings: dict | None = None,
    ) -> None:
        super().__init__(parent)
        self.kind = kind
        self.view_size = view_size
        self.setWindowTitle(TITLES[kind])
        self.setMinimumWidth(440)
        form = QtWidgets.QFormLayout()
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.rows: dict[str, QtWidgets.QWidget] = {}
        self._form = form
        if kind == FIGURE:
            self._figure_fields()
        elif kind == IMAGE_3D:
            self._image_fields()
        else:
            self._movie_fields()
        self.summary = QtWidgets.QLabel()
        self.summary.setWordWrap(True)
        tint(self.summary, MUTED)
        self.error = QtWidgets.QLabel()
        self.error.setWordWrap(True)
        tint(self.error, ERROR, bold=True)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.export_button = buttons.addButton(
            "Export…", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.export_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        if settings:
            self.load(settings)
        for widget in self.rows.values():
            signal = getattr(widget, "valueChanged", None) or getattr(widget, "toggled", None)
            if isinstance(widget, QtWidgets.QComboBox):
                signal = widget.currentIndexChanged
            signal.connect(self._update)
        self._update()

    # -- fields -----------------------------------------------------------------------------------
    def _row(self, name: str, label: str, widget: QtWidgets.QWidget) -> QtWidgets.QWidget:
        self.rows[name] = widget
        self._form.addRow(label, widget)
        return widget

    def _figure_fields(self) -> None:
        self._row("view", "&View:", _combo(FIGURE_VIEWS, "What the figure shows"))
        self._row(
            "format",
            "&Format:",
            _combo(
                {"png": "PNG (raster)", "svg": "SVG (vector)", "pdf": "PDF (vector)"},
                "PNG for slides and the web; SVG and PDF keep lines and text sharp",
            ),
        )
        presets = {k: PRESET_NAMES[k] for k in PRESETS} | {CUSTOM: "Custom size"}
        self._row("preset", "&Size:", _combo(presets, "A journal column, two columns, a slide"))
        self._row("width", "&Width:", _spin(0.1, 100, 2, " in", "Figure width in inches"))
        self._row("height", "&Height:", _spin(0.1, 100, 2, " in", "Figure height in inches"))
        self._row(
            "dpi",
            "&Resolution:",
            _spin(
                1,
                5000,
                0,
                " dpi",
                "Pixels per inch (PNG; SVG and PDF rasterise only the filled contours at it)",
            ),
        )
        self._row("theme", "&Theme:", _combo(THEMES, "Light for papers, dark for slides"))
        _select(self.rows["preset"], "two-columns")
        self.rows["dpi"].setValue(200)
        self._on_preset()
        self.rows["preset"].currentIndexChanged.connect(self._on_preset)

    def _image_fields(self) -> None:
        scales = {1: "1× (as on screen)", 2: "2×", 3: "3×", 4: "4×"}
        self._row("scale", "&Scale:", _combo(scales, "Times the view's on-screen resolution"))
        _select(self.rows["scale"], 2)
        self._row("theme", "&Theme:", _combo(THEMES, "Light for papers, dark for slides"))
        _select(self.rows["theme"], "dark")
        box = QtWidgets.QCheckBox("Transparent background")
        box.setToolTip("Only the surface, runs, labels and legends: for slides of any colour")
        self._row("transparent", "", box)

    def _movie_fields(self) -> None:
        self._row(
            "format",
            "&Format:",
            _combo(
                {"mp4": "MP4 (H.264)", "gif": "GIF"},
                "MP4 is small and sharp; GIF plays everywhere (256 colours)",
            ),
        )
        self._row("view", "&View:", _combo(MOVIE_VIEWS, "Which view unfolds the runs"))
        orbit = QtWidgets.QCheckBox("Camera orbits once around the surface")
        orbit.setToolTip("3-D view only: the camera turns while the runs unfold")
        self._row("orbit", "", orbit)
        self._row("fps", "&Frame rate:", _spin(0, 1000, 0, " fps", "Frames per second"))
        self._row("duration", "&Duration:", _spin(0, 10000, 1, " s", "Length of the animation"))
        self._row(
            "preset",
            "&Size:",
            _combo(MOVIE_SIZES | {CUSTOM: "Custom size"}, "Frame size in pixels"),
        )
        self._row("width", "&Width:", _spin(1, 100000, 0, " px", "Frame width in pixels"))
        self._row("height", "&Height:", _spin(1, 100000, 0, " px", "Frame height in pixels"))
        self._row("theme", "&Theme:", _combo(THEMES, "Contour map: light or dark colours"))
        self.rows["fps"].setValue(30)
        self.rows["duration"].setValue(5.0)
        self._on_preset()
        self.rows["preset"].currentIndexChanged.connect(self._on_preset)

    def _on_preset(self, *_) -> None:
        key = self.rows["preset"].currentData()
        custom = key == CUSTOM
        for name in ("width", "height"):
            self.rows[name].setEnabled(custom)
        if custom:
            return
        if self.kind == FIGURE:
            w, h = PRESETS[key]
        else:
            w, h = (int(v) for v in key.split("x"))
        self.rows["width"].setValue(w)
        self.rows["height"].setValue(h)

    # -- reading ----------------------------------------------------------------------------------
    def value(self, name: str):
        widget = self.rows[name]
        if isinstance(widget, QtWidgets.QComboBox):
            return widget.currentData()
        if isinstance(widget, QtWidgets.QCheckBox):
            return widget.isChecked()
        return widget.value()

    @property
    def fmt(self) -> str:
        """The file format asked for (png, svg, pdf, gif or mp4)."""
        return self.value("format") if "format" in self.rows else "png"

    def options(self) -> ExportOptions:
        """The options the fields ask for (ExportError with one line if they cannot be)."""
        v = self.value
        if self.kind == FIGURE:
            return ExportOptions(
                view=v("view"),
                theme=v("theme"),
                size_in=(v("width"), v("height")),
                dpi=float(v("dpi")),
            )
        if self.kind == IMAGE_3D:
            w, h = self.view_size
            scale = float(v("scale"))
            return ExportOptions(
                view="surface",
                scale=scale,
                transparent=v("transparent"),
                theme=v("theme"),
                size_px=(round(w * scale), round(h * scale)),
            )
        return ExportOptions(view=v("view"), theme=v("theme"), fps=int(v("fps")),
                             duration=float(v("duration")), orbit=v("orbit"),
                             size_px=(int(v("width")), int(v("height"))))  # fmt: skip

    def _update(self, *_) -> None:
        if self.kind == ANIMATION:
            self.rows["orbit"].setEnabled(self.value("view") == "surface")
        try:
            options = self.options()
        except (ExportError, ValueError) as error:
            self.error.setText(str(error))
            self.error.show()
            self.summary.hide()
            self.export_button.setEnabled(False)
            return
        self.error.setText("")
        self.error.hide()
        self.export_button.setEnabled(True)
        self.summary.setText(self.describe(options))
        self.summary.show()

    def describe(self, options: ExportOptions) -> str:
        """What comes out, in one or two lines (the live summary)."""
        w, h = options.pixels()
        if self.kind == FIGURE:
            wi, hi = (fmt(x, 3, plain=True) for x in options.size_in)
            if self.fmt == "png":
                return f"{w} × {h} pixels ({wi} × {hi} in at {fmt(options.dpi, 4)} dpi)"
            return (f"{wi} × {hi} in, {self.fmt.upper()} with vector lines and text "
                    f"(filled contours at {fmt(options.dpi, 4)} dpi)")  # fmt: skip
        if self.kind == IMAGE_3D:
            vw, vh = self.view_size
            back = "transparent" if options.transparent else options.theme
            scale = fmt(options.scale, 2)
            return f"{w} × {h} pixels, {back} background ({scale} × the view's {vw} × {vh})"
        frames = count(options.frame_count, "frame")
        seconds = fmt(options.duration, 3)
        return f"{frames} of {w} × {h} pixels: {seconds} s at {options.fps} fps"

    def settings(self) -> dict:
        """The choices as a plain dict (kept in QSettings between exports)."""
        return {name: self.value(name) for name in self.rows}

    def load(self, settings: dict) -> None:
        """Put saved choices back (unknown names and unreadable values are ignored)."""
        for name, value in settings.items():
            widget = self.rows.get(name)
            try:
                if isinstance(widget, QtWidgets.QComboBox):
                    _select(widget, type(widget.currentData())(value))
                elif isinstance(widget, QtWidgets.QCheckBox):
                    widget.setChecked(str(value).lower() in ("true", "1"))
                elif isinstance(widget, QtWidgets.QDoubleSpinBox):
                    widget.setValue(float(value))
                elif isinstance(widget, QtWidgets.QSpinBox):
                    widget.setValue(int(float(value)))
            except (TypeError, ValueError):
                continue
        if "preset" in self.rows:
            self._on_preset()
