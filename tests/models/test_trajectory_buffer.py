"""The GUI-side trajectory buffer: appends in chunks, bounded, keeps start and newest rows."""

from __future__ import annotations

import numpy as np

from saddlelab.models.trajectory_buffer import TrajectoryBuffer


def _append(buf: TrajectoryBuffer, first: int, k: int) -> None:
    steps = np.arange(first, first + k)
    buf.append(steps, np.c_[steps, -steps], steps * 1.0, steps * 2.0, np.full(k, 0.1))


def test_rows_append_in_order_and_views_match():
    buf = TrajectoryBuffer(2)
    _append(buf, 0, 1)
    _append(buf, 1, 1000)
    assert len(buf) == 1001
    assert np.array_equal(buf.step, np.arange(1001))
    assert np.array_equal(buf.points[:, 1], -np.arange(1001))
    assert buf.grad_norm[-1] == 2000.0
    assert np.array_equal(buf.last_point, [1000, -1000])


def test_long_runs_stay_bounded_keeping_the_start_and_the_newest_rows():
    buf = TrajectoryBuffer(2, max_rows=1000, keep_recent=300)
    epoch = buf.epoch
    for first in range(0, 100_000, 997):
        _append(buf, first, 997)
    assert len(buf) <= 1000
    assert buf.epoch > epoch  # caches know rows were thinned
    assert buf.step[0] == 0
    last = list(range(0, 100_000, 997))[-1] + 996
    assert np.array_equal(buf.step[-300:], np.arange(last - 299, last + 1))
    assert np.all(np.diff(buf.step) > 0)


def test_clear_empties_and_bumps_epoch():
    buf = TrajectoryBuffer(3)
    buf.append([0], [[1.0, 2.0, 3.0]], [1.0], [0.0], [0.1])
    epoch = buf.epoch
    buf.clear()
    assert len(buf) == 0 and buf.last_point is None and buf.epoch == epoch + 1
