"""Helpers of the export tests: states with computed runs (headless: no window, no Qt) and
colours looked up along trajectories in decoded images."""

from __future__ import annotations

import numpy as np

from saddlelab.core import catalogue
from saddlelab.core.critical import find_critical_points
from saddlelab.export.scene import compute_runs
from saddlelab.export.theme import rgb_of, run_colour
from saddlelab.models.app_state import AppState

RUNS = (
    ("sgd", {"lr": 0.05}, (-1.2, 1.2005)),  # the lecture's GD run, through the saddle
    ("adam", {"lr": 0.05}, (1.6, -0.4)),
    ("sgd", {"lr": 0.02}, (1.8, 1.6)),
)
"""Runs whose trajectories do not cross (each run's colour can be found along its own)."""


def lecture_state(steps: int = 300, runs=RUNS) -> AppState:
    surface = catalogue.load("w1w2-mse")
    state = AppState(surface)
    for optimizer, overrides, start in runs:
        state.add_run(optimizer, overrides, start=start)
    compute_runs(state, steps)
    state.critical.found(surface, find_critical_points(surface))
    return state


def colour_near(image: np.ndarray, x: float, y: float, colour: str, radius: int = 2) -> bool:
    """Whether ``colour`` (within 40/255 per channel) is within ``radius`` pixels of (x, y)
    in display coordinates (origin bottom left, as matplotlib's transforms give them)."""
    h, w = image.shape[:2]
    row, col = int(round(h - y)), int(round(x))
    patch = image[max(0, row - radius) : row + radius + 1, max(0, col - radius) : col + radius + 1]
    target = np.array(rgb_of(colour)) * 255
    return bool((np.abs(patch[..., :3].astype(float) - target).max(axis=-1) <= 40).any())


def share_on_path(image, ax, points: np.ndarray, colour: str, theme: str = "light") -> float:
    """Share of ``points`` (data coordinates) where the run's drawn colour is found."""
    pixels = ax.transData.transform(points)
    drawn = run_colour(colour, theme)
    return float(np.mean([colour_near(image, x, y, drawn) for x, y in pixels]))


def along(points: np.ndarray, lo: float, hi: float, n: int = 12) -> np.ndarray:
    """``n`` finite points evenly spread over the part ``lo`` to ``hi`` of a trajectory."""
    points = points[np.isfinite(points).all(axis=1)]
    index = np.linspace(lo * (len(points) - 1), hi * (len(points) - 1), n).astype(int)
    return points[index]
