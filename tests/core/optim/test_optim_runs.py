"""Runs: step-size regimes, saddles, statuses, noise, batches, mid-run changes, memory."""

from __future__ import annotations

import numpy as np
import pytest

from saddlelab.core.optim import Batch, Run, RunConfig, RunStatus
from saddlelab.core.optim import trajectory as traj
from saddlelab.core.surface import Surface

A = 10.0


@pytest.fixture(scope="module")
def scaled():
    """E = a x^2 / 2 + y^2 / 2 with a = 10: 1/a = 0.1, 2/a = 0.2; y = 0 stays 0."""
    return Surface.from_expression(f"{A}*x^2/2 + y^2/2", ["x", "y"], "x=-2:2,y=-2:2")


def sgd(surface, lr, start, steps, **options):
    run = Run(surface, RunConfig.make("sgd", start, {"lr": lr}, **options))
    run.step(steps)
    return run


def test_small_step_converges_monotonically(scaled):
    run = sgd(scaled, 0.05, (1.0, 0.0), 2000)
    x = run.trajectory.points[:, 0]
    assert np.all(x > 0) and np.all(np.diff(x) < 0)
    assert run.status is RunStatus.CONVERGED and "local minimum" in run.status_detail


def test_between_one_and_two_over_a_oscillates_and_converges(scaled):
    run = sgd(scaled, 0.15, (1.0, 0.0), 2000)
    x = run.trajectory.points[:, 0]
    assert np.all(np.sign(x[:-1]) == -np.sign(x[1:]))  # the sign flips every step
    assert np.all(np.diff(np.abs(x)) < 0)
    assert run.status is RunStatus.CONVERGED


def test_beyond_two_over_a_diverges_and_says_so(scaled):
    run = sgd(scaled, 0.25, (1.0, 0.0), 2000)
    assert run.status is RunStatus.DIVERGED and run.done
    assert "diverged" in run.status_detail and run.steps < 50


def test_eta_opt_is_one_step(scaled):
    run = sgd(scaled, 1 / A, (1.0, 0.0), 5)
    assert run.trajectory.points[1, 0] == 0.0 and run.status is RunStatus.CONVERGED


def test_newton_is_attracted_to_the_lecture_saddle(w1w2):
    run = Run(w1w2, RunConfig.make("newton", (0.1, -0.05), {}))
    run.step(100)
    assert run.status is RunStatus.CONVERGED
    assert np.linalg.norm(run.point) < 1e-6
    assert "saddle point" in run.status_detail and "-2, 2" in run.status_detail


@pytest.mark.parametrize("name", ["saddle-free-newton", "gd-escape"])
def test_escape_methods_leave_the_saddle_for_the_valley(w1w2, name):
    run = Run(w1w2, RunConfig.make(name, (0.01, -0.009), {}, max_steps=20_000))
    run.step(20_000)
    w1, w2 = run.point
    assert run.status is RunStatus.CONVERGED
    assert w1 * w2 == pytest.approx(1.0, abs=1e-5)


def test_gd_escape_steps_along_the_negative_eigenvector(w1w2):
    run = Run(w1w2, RunConfig.make("gd-escape", (0.0, 0.0), {"escape_step": 1.0}))
    chunk = run.step(1)
    np.testing.assert_allclose(np.abs(chunk.points[0]), [2**-0.5, 2**-0.5], rtol=1e-12)


def test_plain_gd_started_at_the_saddle_reports_it(w1w2):
    run = Run(w1w2, RunConfig.make("sgd", (0.0, 0.0), {"lr": 0.01}))
    chunk = run.step(10)
    assert len(chunk) == 0 and run.status is RunStatus.CONVERGED
    assert "saddle" in run.status_detail
    # gradient noise plus resume: the run leaves the saddle
    run.set_options(grad_noise=0.1)
    assert run.resume() and run.status is RunStatus.RUNNING
    run.step(5000)
    w1, w2 = run.point
    assert w1 * w2 > 0.5


def test_stalls_at_a_saddle_with_the_hessian_verdict():
    # Adam started on the stable axis of x^2 - y^2 hovers at the saddle; with the gradient
    # tolerance off it never "converges", and the stall test names the saddle
    s = Surface.from_expression("x^2 - y^2", ["x", "y"])
    run = Run(s, RunConfig.make("adam", (1.0, 0.0), {"lr": 0.01}, gtol=0.0))
    run.step(100_000)
    assert run.status is RunStatus.STALLED and run.stall_kind == "saddle"
    assert (
        run.status_detail.startswith("stalled at a saddle point") and "-2, 2" in run.status_detail
    )


def test_stalls_on_a_plateau():
    s = Surface.from_expression("1 - exp(-(x^2 + y^2))", ["x", "y"], "x=-5:5,y=-5:5")
    run = Run(s, RunConfig.make("sgd", (3.8, 0.0), {"lr": 0.01}))
    run.step(10_000)
    assert run.status is RunStatus.STALLED and run.stall_kind == "plateau"
    assert "plateau" in run.status_detail


def test_max_steps_then_resume_extends_the_limit(rosenbrock):
    run = Run(rosenbrock, RunConfig.make("sgd", (-1.2, 1.0), {"lr": 1e-4}, max_steps=50))
    run.step(100)
    assert run.status is RunStatus.MAX_STEPS and run.steps == 50
    assert run.resume()
    run.step(100)
    assert run.steps == 100 and run.status is RunStatus.MAX_STEPS


def test_seeded_noise_is_reproducible_and_gaussian():
    flat = Surface.from_expression("x + y", ["x", "y"], "x=-1000:1000,y=-1000:1000")
    runs = [Run(flat, RunConfig.make("sgd", (0.0, 0.0), {"lr": 1.0}, grad_noise=0.5, seed=s))
            for s in (7, 7, 8)]  # fmt: skip
    paths = [r.step(4000).points for r in runs]
    np.testing.assert_array_equal(paths[0], paths[1])
    assert not np.allclose(paths[0], paths[2])
    noise = -np.diff(np.vstack([[0.0, 0.0], paths[0]]), axis=0) - 1.0  # step = -(1 + noise)
    assert abs(noise.mean()) < 0.03 and noise.std() == pytest.approx(0.5, rel=0.05)
    assert abs(np.corrcoef(noise[:, 0], noise[:, 1])[0, 1]) < 0.06


def test_chunking_does_not_change_a_run(rosenbrock):
    config = RunConfig.make("adam", (-1.2, 1.0), {"lr": 0.01}, grad_noise=0.3, seed=3)
    a, b = Run(rosenbrock, config), Run(rosenbrock, config)
    a.step(500)
    for _ in range(50):
        b.step(10)
    np.testing.assert_array_equal(a.trajectory.points, b.trajectory.points)


ALL_OPTIMIZERS = ["sgd", "adagrad", "rmsprop", "adam", "adamw", "newton", "saddle-free-newton",
                  "gd-escape"]  # fmt: skip


@pytest.mark.parametrize("path", ["loop", "kernel"])
@pytest.mark.parametrize("name", ALL_OPTIMIZERS)
def test_batch_row_equals_single_run(rosenbrock, name, path, monkeypatch):
    """Every optimizer, with noise, clipping and schedules, rows of different learning rates:
    through the generic loop (small batches) and the per-surface batch kernel (large ones,
    here forced for 8 rows split over 2 threads)."""
    from saddlelab.core.optim import engine, parse_schedule

    if path == "kernel":
        monkeypatch.setattr(engine, "BATCH_KERNEL_MIN_ROWS", 1)
        monkeypatch.setattr(engine, "ROWS_PER_THREAD", 2)
    schedules = [parse_schedule(s) for s in ("constant", "warmup=5+cosine:T_max=60,eta_min=1e-5",
                                             "step:step_size=7,gamma=0.5")]  # fmt: skip
    rng = np.random.default_rng(1)
    configs = [
        RunConfig.make(name, rng.uniform(-1.5, 1.5, 2), {"lr": lr}, grad_noise=0.1 * (i % 2),
                       seed=i, clip_norm=5.0 if i % 3 == 0 else None, schedule=schedules[i % 3])
        for i, lr in enumerate(rng.uniform(1e-4, 1e-3, 8))
    ]  # fmt: skip
    batch = Batch(rosenbrock, configs)
    runs = [Run(rosenbrock, c) for c in configs]
    for _ in range(3):
        batch.step(200)
        for i, run in enumerate(runs):
            run.step(200)
            row = batch.run_row(i)
            np.testing.assert_allclose(row.point, run.point, rtol=1e-12, atol=1e-12)
            assert row.steps == run.steps and row.status is run.status
            assert row.grad_norm == pytest.approx(run.grad_norm, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(batch.loss, [r.loss for r in runs], rtol=1e-12)


def test_mid_run_param_change_keeps_optimizer_state(bowl):
    start = (1.0, 1.0)
    changed = Run(bowl, RunConfig.make("adam", start, {"lr": 0.1}))
    changed.step(10)
    changed.set_params(lr=0.05)
    changed.step(5)
    # reference: momenta carried over means the same as one uninterrupted loop with lr switch
    p, m, v = np.array(start), np.zeros(2), np.zeros(2)
    for t in range(1, 16):
        lr = 0.1 if t <= 10 else 0.05
        g = np.array([p[0], 4 * p[1]])
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        p = p - lr / (1 - 0.9**t) * m / (np.sqrt(v) / np.sqrt(1 - 0.999**t) + 1e-8)
    np.testing.assert_allclose(changed.point, p, rtol=1e-12)
    fresh = Run(bowl, RunConfig.make("adam", tuple(changed.trajectory.points[10]), {"lr": 0.05}))
    assert not np.allclose(fresh.step(5).points[-1], changed.point)  # a reset would differ
    assert any(e.kind == "params" and e.step == 10 for e in changed.events)
    assert changed.lr == 0.05


def test_reset_returns_to_step_zero(bowl):
    run = Run(bowl, RunConfig.make("sgd", (1.0, 1.0), {"lr": 0.1, "momentum": 0.9}))
    first = run.step(5).points
    run.reset()
    assert run.steps == 0 and run.status is RunStatus.READY and len(run.trajectory) == 1
    np.testing.assert_array_equal(run.step(5).points, first)
    run.reset(start=(2.0, 0.0))
    np.testing.assert_array_equal(run.trajectory.points[0], [2.0, 0.0])


def test_trajectory_rows_and_lr_column(bowl):
    from saddlelab.core.optim import parse_schedule

    sched = parse_schedule("step:step_size=3,gamma=0.5")
    run = Run(bowl, RunConfig.make("sgd", (1.0, 1.0), {"lr": 0.1}, schedule=sched))
    run.step(7)
    t = run.trajectory
    assert list(t.step) == list(range(8)) and not t.decimated
    np.testing.assert_allclose(t.lr, [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025])
    np.testing.assert_allclose(t.loss, bowl.loss(t.points), rtol=1e-14)
    np.testing.assert_allclose(t.grad_norm, np.linalg.norm(bowl.gradient(t.points), axis=1))


def test_long_runs_are_decimated_with_events_kept(monkeypatch, rosenbrock):
    monkeypatch.setattr(traj, "CAPACITY", 2_000)
    monkeypatch.setattr(traj, "RECENT_ROWS", 1_001)
    monkeypatch.setattr(traj, "OLD_BUDGET", 500)
    run = Run(rosenbrock, RunConfig.make("sgd", (-1.2, 1.0), {"lr": 1e-5}, stall_window=0))
    run.step(1_500)
    run.set_params(lr=2e-5)  # an event at step 1500
    run.advance(18_500)
    t = run.trajectory
    assert t.decimated and len(t) <= 2_000 + len(t.events)
    assert t.step[0] == 0 and 1_500 in t.step
    np.testing.assert_array_equal(t.step[-1_001:], np.arange(19_000, 20_001))
    assert np.all(np.diff(t.step) > 0)


def test_a_hundred_thousand_steps_are_never_decimated(rosenbrock):
    run = Run(rosenbrock, RunConfig.make("sgd", (-1.2, 1.0), {"lr": 1e-5}, stall_window=0))
    run.advance(100_000)
    t = run.trajectory
    assert run.steps == 100_000 and len(t) == 100_001 and not t.decimated


def test_move_to_escapes_a_saddle_and_keeps_the_trajectory(w1w2):
    # Plain GD started exactly at the lecture saddle converges there at once (g = 0) ...
    run = Run(w1w2, RunConfig.make("sgd", (0.0, 0.0), {"lr": 0.1}))
    run.step(10)
    assert run.status is RunStatus.CONVERGED and "saddle" in run.status_detail
    # ... a step along the escape direction (1, 1)/sqrt(2) resumes it, history intact.
    chunk = run.move_to((0.05, 0.05), reason="escape step")
    assert run.status is RunStatus.RUNNING and len(chunk) == 1
    assert chunk.step[0] == run.steps and tuple(chunk.points[0]) == (0.05, 0.05)
    run.step(2000)
    w1, w2 = run.point
    assert run.status is RunStatus.CONVERGED and w1 * w2 == pytest.approx(1.0, abs=1e-4)
    t = run.trajectory
    assert tuple(t.points[0]) == (0.0, 0.0) and not t.decimated
    assert any(e.kind == "moved" and "escape step" in e.detail for e in t.events)
    assert np.all(np.diff(t.step) >= 0)


def test_move_to_the_same_point_keeps_optimizer_state(rosenbrock):
    config = RunConfig.make("adam", (-1.2, 1.0), {"lr": 0.01})
    plain, moved = Run(rosenbrock, config), Run(rosenbrock, config)
    plain.step(20)
    moved.step(10)
    moved.move_to(moved.point)
    moved.step(10)
    np.testing.assert_array_equal(plain.point, moved.point)


def test_move_to_refuses_bad_points_and_diverged_runs(w1w2):
    from saddlelab.core.optim import OptimizerError

    run = Run(w1w2, RunConfig.make("sgd", (0.5, 0.5), {"lr": 0.1}))
    with pytest.raises(OptimizerError):
        run.move_to((np.nan, 0.0))
    with pytest.raises(OptimizerError):
        run.move_to((1.0, 2.0, 3.0))


def test_squared_error_on_a_sigmoid_crawls_where_cross_entropy_converges():
    # The catalogue's claim for sigmoid-mse / sigmoid-ce (background.md section 7).
    from saddlelab.core import catalogue

    runs = {}
    for surface_id in ("sigmoid-mse", "sigmoid-ce"):
        surface = catalogue.load(surface_id)
        run = Run(surface, RunConfig.make("sgd", surface.suggested_start(), {"lr": 0.5}))
        run.step(3000)
        runs[surface_id] = run
    assert runs["sigmoid-ce"].status is RunStatus.CONVERGED
    assert runs["sigmoid-ce"].steps < 500
    mse = runs["sigmoid-mse"]
    assert not mse.done or mse.status is RunStatus.MAX_STEPS or mse.stall_kind == "plateau"
    assert mse.loss > 0.99 and mse.grad_norm < 1e-3  # stuck on the saturated plateau
