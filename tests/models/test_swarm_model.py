"""The swarm model: checked settings (the last good ones stay), commands, snapshots, legend."""

from __future__ import annotations

import numpy as np
import pytest

from saddlelab.core import catalogue
from saddlelab.core.basins import DIVERGED, NOT_CONVERGED, Attractor
from saddlelab.core.swarm import SwarmError
from saddlelab.models.swarm import (
    DIVERGED_COLOUR,
    MOVING,
    MOVING_COLOUR,
    STOPPED,
    Snapshot,
    SwarmModel,
)


@pytest.mark.parametrize(
    "changes",
    [{"count": 5}, {"count": 10**6}, {"distribution": "spiral"}, {"seed": -3},
     {"seed": "1; rm -rf /"}, {"optimizer": "lbfgs"}, {"overrides": {"lr": "-1"}},
     {"overrides": {"lr": "__import__('os')"}}, {"overrides": {"nope": "1"}},
     {"centre": (1.0, 2.0, 3.0)}, {"centre": (100.0, 0.0)}, {"sigma": 0.0},
     {"sigma": float("inf")}],
)  # fmt: skip
def test_bad_settings_raise_one_line_and_keep_the_last_good(changes):
    model = SwarmModel(catalogue.load("himmelblau"))
    seen = []
    model.settings_changed.connect(seen.append)
    model.apply(count=400, seed=2)
    good = model.settings
    with pytest.raises(SwarmError) as info:
        model.apply(**changes)
    assert "\n" not in str(info.value)
    assert model.settings == good and seen == [good]


def test_rebuild_sends_seeded_starts_and_a_new_generation():
    s = catalogue.load("himmelblau")
    model = SwarmModel(s)
    model.apply(distribution="uniform", count=300, seed=4, optimizer="adam",
                overrides={"lr": "0.1"})  # fmt: skip
    got = []
    model.rebuild_requested.connect(lambda *a: got.append(a))
    model.rebuild()
    model.rebuild()
    (s1, c1, a1, g1), (_, _, a2, g2) = got
    assert s1 is s and c1.optimizer == "adam" and c1.params["lr"] == 0.1
    assert a1.shape == (300, 2) and np.array_equal(a1, a2) and g2 == g1 + 1


def _snapshot(model, label, moving, attractors, generation=None):
    n = len(label)
    return Snapshot(
        step=7, points=np.zeros((n, 2)), label=np.array(label), moving=np.array(moving),
        attractors=attractors, dwell=np.zeros((4, 4), np.int64),
        edges=(np.linspace(0, 1, 5), np.linspace(0, 1, 5)),
        generation=model.generation if generation is None else generation,
    )  # fmt: skip


def test_attractors_keep_their_colour_and_the_legend_counts():
    model = SwarmModel(catalogue.load("himmelblau"))
    model.rebuild()
    a = Attractor(np.array([3.0, 2.0]), "local_min", 0.0)
    b = Attractor(np.array([-2.8, 3.1]), "local_min", 0.0)
    model.show(_snapshot(model, [0, NOT_CONVERGED, DIVERGED, NOT_CONVERGED],
                         [False, True, False, False], [a]))  # fmt: skip
    assert list(model.colour_key) == [0, MOVING, DIVERGED, STOPPED]
    colour_a = model.colours()[0]
    # next frame b is reached first: a keeps its colour
    model.show(_snapshot(model, [1, 0, 0, 0], [False] * 4, [b, a]))
    assert list(model.colour_key) == [0, 1, 1, 1]
    assert model.colours()[0] == colour_a != model.colours()[1]
    legend = model.legend()
    assert [(e.count, e.text.split(" at ")[1]) for e in legend] == [
        (1, "(3, 2)"), (3, "(−2.8, 3.1)")]  # fmt: skip
    assert model.colours()[MOVING] == MOVING_COLOUR
    assert model.colours()[DIVERGED] == DIVERGED_COLOUR
    assert "Step 7 of 4 particles" in model.status_text()


def test_snapshots_of_an_old_swarm_are_dropped_and_play_stops_when_all_finished():
    model = SwarmModel(catalogue.load("himmelblau"))
    model.rebuild()
    old = model.generation
    model.rebuild()
    model.show(_snapshot(model, [NOT_CONVERGED], [True], [], generation=old))
    assert model.snapshot is None
    model.set_playing(True)
    model.show(_snapshot(model, [DIVERGED], [False], []))
    assert model.snapshot is not None and not model.playing


def test_a_new_surface_drops_a_centre_that_no_longer_fits():
    model = SwarmModel(catalogue.load("himmelblau"))
    model.apply(centre=(4.5, 4.5))
    model.set_surface(catalogue.load("slice-trap"))
    assert model.settings.centre is None and model.surface.ndim == 3
