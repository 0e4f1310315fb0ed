"""What an exported 2-D picture shows, taken from the window's state in one go.

:func:`snapshot` copies out of an :class:`~saddlelab.models.app_state.AppState` everything the
figures and the contour animation draw: the loss on the views' grid (the scene model's grid and
colour scale, so the export colours and levels match the window, log height included; for a
3-parameter surface the displayed slice), the visible runs with their titles, colours and
trajectories (projected onto the plane, as the window draws them), the critical-point markers
on the slice and the undefined region (cells where the loss is not finite). The copy is plain
data: a background export can draw it while the window goes on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from saddlelab.core.numbers import fmt
from saddlelab.models.app_state import AppState
from saddlelab.models.colours import CLASS_NAMES
from saddlelab.models.scene_scale import SceneScale


@dataclass(frozen=True)
class RunPicture:
    """One visible run, as drawn: its rows (step, plane point, loss, gradient norm)."""

    title: str
    colour: str
    step: np.ndarray
    points: np.ndarray
    """(k, 2) points of the views' plane (the first two coordinates)."""
    loss: np.ndarray
    grad_norm: np.ndarray
    status: str
    status_detail: str

    @property
    def steps(self) -> int:
        return int(self.step[-1]) if len(self.step) else 0

    def upto(self, step: float) -> int:
        """How many rows were recorded at or before ``step``."""
        return int(np.searchsorted(self.step, step, side="right"))


@dataclass(frozen=True)
class Snapshot:
    """The plane, its loss grid and colour scale, the runs and the critical points."""

    name: str
    variables: tuple[str, str]
    domain: tuple[tuple[float, float], tuple[float, float]]
    slice_note: str
    """For a 3-parameter surface, what the plane is (``slice w3 = 0.5 (projected)``), else ""."""
    xs: np.ndarray
    ys: np.ndarray
    values: np.ndarray
    """``values[i, j]``: the loss at ``(xs[i], ys[j])`` (NaN or inf where undefined)."""
    scale: SceneScale
    runs: tuple[RunPicture, ...]
    critical: tuple[tuple[str, np.ndarray, np.ndarray], ...]
    """Per class present (in the legend's order): name, plane points (k, 2), isolated (k,)."""

    @property
    def undefined(self) -> np.ndarray:
        """Boolean grid of the cells where the loss has no finite value."""
        return ~np.isfinite(self.values)

    @property
    def log(self) -> bool:
        return self.scale.log

    @property
    def max_steps(self) -> int:
        return max((r.steps for r in self.runs), default=0)


def run_picture(run) -> RunPicture:
    t = run.trajectory
    return RunPicture(
        title=run.title,
        colour=run.colour,
        step=np.array(t.step, dtype=np.int64),
        points=np.array(t.points[:, :2], dtype=float),
        loss=np.array(t.loss, dtype=float),
        grad_norm=np.array(t.grad_norm, dtype=float),
        status=str(run.status.value),
        status_detail=run.status_detail,
    )


def snapshot(state: AppState | Snapshot) -> Snapshot:
    """Everything a 2-D export draws, copied from ``state`` (call it on the GUI thread; a
    background export is then handed the snapshot, which the exporters also accept)."""
    if isinstance(state, Snapshot):
        return state
    model = state.surface
    surface = model.surface
    xs, ys, values = model.grid(state.scene.resolution)
    note = ""
    if surface.ndim == 3:
        note = f"slice {surface.variables[2]} = {fmt(model.slice_value, 3)} (projected)"
    xy, classes, isolated = state.critical.markers(model.slice_value)
    critical = []
    for name in CLASS_NAMES:
        mask = np.array([c == name for c in classes], dtype=bool)
        if mask.any():
            critical.append((name, xy[mask], np.asarray(isolated, dtype=bool)[mask]))
    return Snapshot(
        name=surface.name,
        variables=(surface.variables[0], surface.variables[1]),
        domain=(tuple(surface.domain[0]), tuple(surface.domain[1])),
        slice_note=note,
        xs=np.array(xs, dtype=float),
        ys=np.array(ys, dtype=float),
        values=np.array(values, dtype=float),
        scale=state.scene.scale,
        runs=tuple(run_picture(r) for r in state.runs if r.visible),
        critical=tuple(critical),
    )


PURE_STEPS = 20_000
"""Up to this many steps a headless run steps uncompiled (at once, no compiler to wait for)."""


def compute_runs(state: AppState, steps: int) -> None:
    """Headless: run every run of ``state`` from its start for up to ``steps`` updates in this
    process (what the window's worker does), filling their trajectories and statuses."""
    from saddlelab.core.optim import Run

    surface = state.surface.surface
    pure = steps <= PURE_STEPS
    for run in state.runs:
        state.restart_run(run)
        if run.done:  # starts where the loss is undefined
            continue
        engine = Run(surface, run.config(), pure=pure, keep_trajectory=False)
        chunk = engine.step(int(steps))
        run.append_chunk(chunk, run.generation)
        run.set_result_status(chunk.status, chunk.status_detail, None, chunk.status.terminal)
