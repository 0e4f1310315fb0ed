"""What an export is asked for: the view, the format, the size, the theme, the frames.

One options object serves the window's export dialog, ``saddlelab render`` and the tests; each
exporter reads the fields it needs. Sizes are in inches for figures (with ``dpi``) and in pixels
for animations and the 3-D view; :meth:`ExportOptions.pixels` converts one into the other.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

VIEWS = ("contour", "surface", "loss")
"""contour: the contour map with the runs; surface: the 3-D view; loss: loss and gradient-norm
curves against the step."""
THEMES = ("light", "dark")
"""light: white paper, for journals; dark: the window's colours, for slides."""
STILL_FORMATS = ("png", "svg", "pdf")
MOVIE_FORMATS = ("gif", "mp4")
PRESETS: dict[str, tuple[float, float]] = {
    "column": (3.5, 2.8),
    "two-columns": (7.0, 4.6),
    "slide": (13.333, 7.5),
}
"""Figure sizes in inches: one journal column, two columns, a 16:9 slide."""
PRESET_NAMES = {
    "column": "One journal column (3.5 in)",
    "two-columns": "Two columns (7 in)",
    "slide": "16:9 slide",
}
MAX_PIXELS = 8192
"""Largest width or height of any image or frame (a 4x export of a 2048-pixel view)."""
MAX_FPS = 60
MAX_DURATION = 600.0

Progress = Callable[[int, int], bool]
"""``progress(done, total)``: called now and then by a long export; False cancels it."""


class Cancelled(Exception):
    """The user cancelled an export (its ``progress`` callable returned False)."""


class ExportError(Exception):
    """An export that cannot be made as asked: one line for the user."""


def no_progress(done: int, total: int) -> bool:
    return True


def format_of(path: str | Path) -> str:
    """The format a file name asks for (its suffix, lower case), or ExportError."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in STILL_FORMATS + MOVIE_FORMATS:
        known = ", ".join("." + f for f in STILL_FORMATS + MOVIE_FORMATS)
        raise ExportError(f"cannot tell the format of '{Path(path).name}': use one of {known}")
    return suffix


@dataclass(frozen=True)
class ExportOptions:
    """One export's settings (every field validated in ``__post_init__``)."""

    view: str = "contour"
    theme: str = "light"
    size_in: tuple[float, float] = PRESETS["two-columns"]
    """Figure size in inches (matplotlib figures)."""
    dpi: float = 200.0
    size_px: tuple[int, int] | None = None
    """Pixel size; when given it wins over ``size_in``/``dpi`` for raster output."""
    scale: float = 1.0
    """3-D view: times the on-screen resolution (1 to 4)."""
    transparent: bool = False
    fps: int = 30
    duration: float = 5.0
    orbit: bool = False
    """3-D animation: the camera turns once around the surface while the runs unfold."""

    def __post_init__(self) -> None:
        if self.view not in VIEWS:
            raise ExportError(f"view must be one of {', '.join(VIEWS)}, not '{self.view}'")
        if self.theme not in THEMES:
            raise ExportError(f"theme must be one of {', '.join(THEMES)}, not '{self.theme}'")
        w, h = (float(v) for v in self.size_in)
        if not (0.5 <= w <= 40 and 0.5 <= h <= 40):
            raise ExportError("a figure is 0.5 to 40 inches on each side")
        object.__setattr__(self, "size_in", (w, h))
        if not (math.isfinite(self.dpi) and 10 <= self.dpi <= 1200):
            raise ExportError("dpi must be between 10 and 1200")
        if self.size_px is not None:
            pw, ph = (int(v) for v in self.size_px)
            if not (16 <= pw <= MAX_PIXELS and 16 <= ph <= MAX_PIXELS):
                raise ExportError(f"an image is 16 to {MAX_PIXELS} pixels on each side")
            object.__setattr__(self, "size_px", (pw, ph))
        if not (math.isfinite(self.scale) and 1 <= self.scale <= 4):
            raise ExportError("the 3-D view exports at 1x to 4x its on-screen size")
        if not (isinstance(self.fps, int) and 1 <= self.fps <= MAX_FPS):
            raise ExportError(f"fps must be a whole number from 1 to {MAX_FPS}")
        if not (math.isfinite(self.duration) and 0.1 <= self.duration <= MAX_DURATION):
            raise ExportError(f"duration must be 0.1 to {MAX_DURATION:g} seconds")

    @classmethod
    def preset(cls, name: str, **changes) -> ExportOptions:
        """Options with one of the named figure sizes (``PRESETS``)."""
        if name not in PRESETS:
            raise ExportError(f"size preset must be one of {', '.join(PRESETS)}, not '{name}'")
        return cls(size_in=PRESETS[name], **changes)

    def with_changes(self, **changes) -> ExportOptions:
        return replace(self, **changes)

    def pixels(self) -> tuple[int, int]:
        """The raster size: ``size_px``, else ``size_in`` times ``dpi``."""
        if self.size_px is not None:
            return self.size_px
        return (round(self.size_in[0] * self.dpi), round(self.size_in[1] * self.dpi))

    @property
    def frame_count(self) -> int:
        """Frames of an animation: fps times duration, at least 2."""
        return max(2, round(self.fps * self.duration))
