"""File ▸ Export: figures, the 3-D image, animations and the data, each a background job.

Each entry asks its options (:class:`~saddlelab.app.panels.export_dialog.ExportDialog`), then
the file, then runs an :class:`~saddlelab.app.runtime.export_job.ExportJob`: matplotlib figures,
contour animations and the data files are written wholly off the GUI thread; the 3-D image is
rendered on the GUI thread (the GL context lives there) and saved by the worker; the 3-D
animation's frames are rendered on the GUI thread in small slices (``FramePump``) and encoded by
the worker. Matplotlib draws in a child process (:mod:`.runtime.export_process`): Agg holds
Python's GIL while it draws, which on a thread would stall the window. Playback pauses while an
export runs (the picture is the one asked for) and resumes after. The last folder and each
dialog's choices are kept in QSettings.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.panels.export_dialog import ANIMATION, FIGURE, IMAGE_3D, ExportDialog
from saddlelab.app.runtime.export_job import ExportJob, FramePump
from saddlelab.app.runtime.export_process import in_child
from saddlelab.export.options import ExportError, ExportOptions

FOLDER_KEY = "export/folder"
FILTERS = {
    "png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)", "pdf": "PDF document (*.pdf)",
    "gif": "GIF animation (*.gif)", "mp4": "MP4 video (*.mp4)",
    "csv": "CSV table (*.csv)", "json": "JSON (*.json)",
}  # fmt: skip


def add_entries(menu: QtWidgets.QMenu, entries) -> dict[str, QtGui.QAction]:
    """Add ``(key, text, tip, slot)`` entries (None: a separator) to ``menu``; the actions."""
    actions = {}
    for entry in entries:
        if entry is None:
            menu.addSeparator()
            continue
        key, text, tip, slot = entry
        action = menu.addAction(text)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda *_, s=slot: s())
        actions[key] = action
    return actions


def _settings() -> QtCore.QSettings:
    return QtCore.QSettings("SaddleLab", "SaddleLab")


class ExportMenu(QtCore.QObject):
    """The Export submenu of a window and the jobs it started."""

    def __init__(self, window: QtWidgets.QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.jobs: list[ExportJob] = []
        self.last_dialog: ExportDialog | None = None
        self._resume_playing = False
        menu = QtWidgets.QMenu("&Export", window)
        menu.setToolTipsVisible(True)
        entries = (
            ("figure", "&Figure…", "The contour map or the loss curves as PNG, SVG or PDF",
             self.export_figure),
            ("image3d", "&3-D image…", "The 3-D view as a PNG at 1x to 4x, off-screen",
             self.export_image3d),
            ("animation", "&Animation…", "The runs unfolding as a GIF or MP4",
             self.export_animation),
            None,
            ("runs_csv", "Runs as &CSV…", "Every run's trajectory as a table",
             lambda: self.export_data("runs", "csv")),
            ("runs_json", "Runs as &JSON…", "Every run as `saddlelab run --json` writes it",
             lambda: self.export_data("runs", "json")),
            ("critical_csv", "C&ritical points as CSV…", "The critical-points table",
             lambda: self.export_data("critical", "csv")),
            ("probe_json", "&Probe analysis as JSON…", "The analysis at the probe point",
             lambda: self.export_data("probe", "json")),
        )  # fmt: skip
        self.actions: dict[str, QtGui.QAction] = add_entries(menu, entries)
        self.menu = menu

    # -- settings ---------------------------------------------------------------------------------
    def folder(self) -> str:
        return str(_settings().value(FOLDER_KEY, str(Path.home())))

    def _dialog_settings(self, kind: str) -> dict:
        try:
            value = json.loads(str(_settings().value(f"export/{kind}", "{}")))
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def ask_path(self, title: str, fmt: str, stem: str) -> Path | None:
        """The file to write (a save dialog in the last folder); None if the user cancelled."""
        start = str(Path(self.folder()) / f"{stem}.{fmt}")
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self.window, title, start, FILTERS[fmt])
        if not path:
            return None
        path = Path(path)
        if path.suffix.lower() != f".{fmt}":
            path = path.with_name(path.name + f".{fmt}")
        _settings().setValue(FOLDER_KEY, str(path.parent))
        return path

    def ask_options(self, kind: str, **preset) -> tuple[ExportOptions, str] | None:
        """The export dialog of ``kind``; (options, format) or None if cancelled."""
        from saddlelab.app.scene3d.offscreen import view_size

        size = view_size(self.window.view3d)
        saved = self._dialog_settings(kind) | preset
        dialog = ExportDialog(kind, self.window, view_size=size, settings=saved)
        self.last_dialog = dialog
        try:
            if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
                return None
            _settings().setValue(f"export/{kind}", json.dumps(dialog.settings()))
            return dialog.options(), dialog.fmt
        finally:
            self.last_dialog = None
            dialog.deleteLater()

    # -- the entries ------------------------------------------------------------------------------
    def _stem(self) -> str:
        return self.window.state.surface.surface.name.replace("/", "-").replace(" ", "-")

    def export_figure(self, view: str | None = None) -> ExportJob | None:
        from saddlelab.export.figures import write_figure
        from saddlelab.export.scene import snapshot

        asked = self.ask_options(FIGURE, **({"view": view} if view else {}))
        path = asked and self.ask_path("Export figure", asked[1], f"{self._stem()}-{asked[0].view}")
        if path is None:
            return None
        snap = snapshot(self.window.state)  # read here, drawn in the child
        return self.run(in_child(write_figure, (snap,), (asked[0],)), path)

    def export_image3d(self) -> ExportJob | None:
        from saddlelab.app.scene3d.offscreen import gl_unavailable, render_view

        why = gl_unavailable()
        if why:
            self.window.statusBar().showMessage(why, 10000)
            return None
        asked = self.ask_options(IMAGE_3D)
        path = asked and self.ask_path("Export 3-D image", "png", f"{self._stem()}-3d")
        if path is None:
            return None
        image = render_view(self.window.view3d, asked[0])  # GL: on the GUI thread, once

        def save(p: str, progress) -> None:
            if not image.save(p, "PNG"):
                raise ExportError(f"cannot write {Path(p).name}")

        return self.run(save, path)

    def export_animation(self) -> ExportJob | None:
        asked = self.ask_options(ANIMATION)
        if asked is None:
            return None
        options, fmt = asked
        path = self.ask_path("Export animation", fmt, f"{self._stem()}-{options.view}")
        if path is None:
            return None
        return self.animation_job(options, path)

    def animation_job(self, options: ExportOptions, path: str | Path) -> ExportJob | None:
        """Start writing the animation ``options`` asks for (GIF/MP4 by the suffix)."""
        if options.view != "surface":
            from saddlelab.export.movie import write_contour_movie
            from saddlelab.export.scene import snapshot

            snap = snapshot(self.window.state)
            return self.run(in_child(write_contour_movie, (snap,), (options,)), path)
        from saddlelab.app.scene3d.offscreen import gl_unavailable, surface_frames
        from saddlelab.export.encode import write_frames

        why = gl_unavailable()
        if why:
            self.window.statusBar().showMessage(why, 10000)
            return None
        pump = FramePump(surface_frames(self.window.view3d, options), self)
        fps, count = options.fps, options.frame_count
        return self.run(lambda p, pr: write_frames(pump.frames(), p, fps, count, pr), path, pump)

    def export_data(self, what: str, fmt: str, run=None) -> ExportJob | None:
        """Runs (all, or ``run``), the critical points or the probe's analysis as a file.

        Runs are replayed from their records on the worker (the window's buffers are thinned
        for drawing; the file has every step)."""
        from saddlelab.export import data

        state = self.window.state
        surface = state.surface.surface
        why = self.data_missing(what)
        if why:
            self.window.statusBar().showMessage(why, 10000)
            return None
        if what == "runs":
            records = [r.record() for r in (list(state.runs) if run is None else [run])]
            writer = data.write_runs_csv if fmt == "csv" else data.write_runs_json

            def write(p: str) -> None:
                writer(p, surface, data.runs_from_records(surface, records))
        elif what == "critical":
            points = list(state.critical.points)

            def write(p: str) -> None:
                data.write_critical_csv(p, surface, points)
        else:
            analysis, extra = state.probe.analysis, {"probe_source": state.probe.source}

            def write(p: str) -> None:
                data.write_analysis_json(p, analysis, extra)

        stem = f"{self._stem()}-{what}" if run is None else f"{self._stem()}-run-{run.id}"
        path = self.ask_path(f"Export {what}", fmt, stem)
        if path is None:
            return None
        return self.run(lambda p, progress: write(p), path)

    def data_missing(self, what: str) -> str:
        """Why there is nothing to export yet ('' when there is)."""
        state = self.window.state
        if what == "runs" and len(state.runs) == 0:
            return "No runs to export: add one (Run ▸ Add run)"
        if what == "critical" and not state.critical.points:
            return "No critical points yet: Analysis ▸ Find critical points (C)"
        if what == "probe" and state.probe.analysis is None:
            return "No analysis to export: select a run or Shift+click a point"
        return ""

    # -- jobs -------------------------------------------------------------------------------------
    def run(self, write, path: str | Path, pump: FramePump | None = None) -> ExportJob:
        """Start ``write(path, progress)`` in the background with a progress dialog."""
        if not self.jobs:
            self._resume_playing = self.window.state.playback.playing
            self.window.state.playback.set_playing(False)
        job = ExportJob(write, path, f"Writing {Path(path).name}", self.window, pump)
        self.jobs.append(job)
        for signal in (job.done, job.failed):
            signal.connect(lambda message, j=job: self._ended(j, message))
        job.cancelled.connect(lambda j=job: self._ended(j, j.message))
        return job.start()

    def _ended(self, job: ExportJob, message: str) -> None:
        self.window.statusBar().showMessage(message, 10000)
        if job in self.jobs:
            self.jobs.remove(job)
        if not self.jobs and self._resume_playing:
            self._resume_playing = False
            self.window.state.playback.set_playing(True)

    def stop_all(self) -> None:
        """Cancel every running export and wait for its thread (the window is closing)."""
        self._resume_playing = False
        for job in list(self.jobs):
            job.stop()
