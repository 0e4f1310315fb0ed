"""Each optimizer against hand-computed steps on E = (x^2 + 4 y^2)/2 (gradient (x, 4y))."""

from __future__ import annotations

import math

import numpy as np
import pytest

from saddlelab.core.optim import Run, RunConfig


def first_points(surface, optimizer, params, n=2, start=(1.0, 1.0)):
    run = Run(surface, RunConfig.make(optimizer, start, params))
    return run.step(n).points


def test_sgd_momentum_two_steps(bowl):
    # g0 = (1, 4); buf = g0; p1 = (0.9, 0.6); g1 = (0.9, 2.4); buf = 0.9 g0 + g1 = (1.8, 6)
    pts = first_points(bowl, "sgd", {"lr": 0.1, "momentum": 0.9})
    np.testing.assert_allclose(pts, [[0.9, 0.6], [0.72, 0.0]], atol=1e-15)


def test_sgd_nesterov_and_weight_decay(bowl):
    # g0 = (1, 4) + 0.5 (1, 1) = (1.5, 4.5); buf = g0; step direction g0 + 0.9 buf = 1.9 g0
    pts = first_points(bowl, "sgd", {"lr": 0.1, "momentum": 0.9, "nesterov": True,
                                     "weight_decay": 0.5}, n=1)  # fmt: skip
    np.testing.assert_allclose(pts[0], [1 - 0.1 * 1.9 * 1.5, 1 - 0.1 * 1.9 * 4.5], atol=1e-15)


def test_sgd_dampening(bowl):
    # first step: buf = g0 (no dampening on the first step, as torch); second: 0.9 buf + 0.5 g1
    pts = first_points(bowl, "sgd", {"lr": 0.1, "momentum": 0.9, "dampening": 0.5})
    g1 = np.array([0.9, 0.6 * 4])
    buf = 0.9 * np.array([1.0, 4.0]) + 0.5 * g1
    np.testing.assert_allclose(pts[1], np.array([0.9, 0.6]) - 0.1 * buf, atol=1e-15)


def test_adagrad_two_steps(bowl):
    pts = first_points(bowl, "adagrad", {"lr": 0.1})
    p1 = 1 - 0.1 * 1 / (1 + 1e-10), 1 - 0.1 * 4 / (4 + 1e-10)
    g1 = p1[0], 4 * p1[1]
    p2x = p1[0] - 0.1 * g1[0] / (math.sqrt(1 + g1[0] ** 2) + 1e-10)
    p2y = p1[1] - 0.1 * g1[1] / (math.sqrt(16 + g1[1] ** 2) + 1e-10)
    np.testing.assert_allclose(pts, [p1, (p2x, p2y)], rtol=1e-14)


def test_adagrad_lr_decay_and_initial_accumulator(bowl):
    pts = first_points(bowl, "adagrad", {"lr": 0.1, "lr_decay": 1.0,
                                         "initial_accumulator_value": 3.0})  # fmt: skip
    p1 = 1 - 0.1 / (math.sqrt(4) + 1e-10), 1 - 0.1 * 4 / (math.sqrt(19) + 1e-10)
    g1 = p1[0], 4 * p1[1]
    clr = 0.1 / 2  # lr / (1 + (t - 1) lr_decay) at t = 2
    p2 = [p1[j] - clr * g1[j] / (math.sqrt(s + g1[j] ** 2) + 1e-10)
          for j, s in ((0, 4.0), (1, 19.0))]  # fmt: skip
    np.testing.assert_allclose(pts, [p1, p2], rtol=1e-14)


def test_rmsprop_first_step_and_centered(bowl):
    # v = 0.01 g^2 -> step = lr g / (0.1 |g| + eps)
    pts = first_points(bowl, "rmsprop", {"lr": 0.01}, n=1)
    np.testing.assert_allclose(pts[0], [1 - 0.01 / (0.1 + 1e-8), 1 - 0.04 / (0.4 + 1e-8)])
    # centered: avg = sqrt(0.01 g^2 - (0.01 g)^2) = |g| sqrt(0.0099)
    pts = first_points(bowl, "rmsprop", {"lr": 0.01, "centered": True}, n=1)
    expected = [1 - 0.01 * g / (g * math.sqrt(0.0099) + 1e-8) for g in (1.0, 4.0)]
    np.testing.assert_allclose(pts[0], expected, rtol=1e-12)


def test_rmsprop_momentum(bowl):
    pts = first_points(bowl, "rmsprop", {"lr": 0.01, "momentum": 0.5})
    buf0 = np.array([1 / (0.1 + 1e-8), 4 / (0.4 + 1e-8)])
    p1 = 1 - 0.01 * buf0
    g1 = np.array([p1[0], 4 * p1[1]])
    v = 0.99 * 0.01 * np.array([1.0, 16.0]) + 0.01 * g1**2
    buf1 = 0.5 * buf0 + g1 / (np.sqrt(v) + 1e-8)
    np.testing.assert_allclose(pts, [p1, p1 - 0.01 * buf1], rtol=1e-13)


@pytest.mark.parametrize("name", ["adam", "adamw"])
def test_adam_first_step_is_lr_times_sign(bowl, name):
    # bias correction makes the first step lr * g / (|g| + eps)
    pts = first_points(bowl, name, {"lr": 0.1, "weight_decay": 0.0}, n=1)
    np.testing.assert_allclose(pts[0], [1 - 0.1 / (1 + 1e-8), 1 - 0.1 * 4 / (4 + 1e-8)])


def test_adam_second_step(bowl):
    pts = first_points(bowl, "adam", {"lr": 0.1})
    g0 = np.array([1.0, 4.0])
    p1 = 1 - 0.1 * g0 / (np.abs(g0) + 1e-8)
    g1 = np.array([p1[0], 4 * p1[1]])
    m = 0.9 * 0.1 * g0 + 0.1 * g1
    v = 0.999 * 0.001 * g0**2 + 0.001 * g1**2
    mhat, vhat = m / (1 - 0.9**2), v / (1 - 0.999**2)
    np.testing.assert_allclose(pts[1], p1 - 0.1 * mhat / (np.sqrt(vhat) + 1e-8), rtol=1e-13)


def test_adam_l2_versus_adamw_decoupled_decay(bowl):
    # Adam adds wd * p to the gradient; AdamW scales p by (1 - lr wd) before the Adam step
    adam = first_points(bowl, "adam", {"lr": 0.1, "weight_decay": 0.5}, n=1)[0]
    g = np.array([1.5, 4.5])
    np.testing.assert_allclose(adam, 1 - 0.1 * g / (g + 1e-8), rtol=1e-14)
    adamw = first_points(bowl, "adamw", {"lr": 0.1, "weight_decay": 0.5}, n=1)[0]
    g = np.array([1.0, 4.0])
    np.testing.assert_allclose(adamw, 0.95 - 0.1 * g / (g + 1e-8), rtol=1e-14)


def test_amsgrad_matches_a_reference_loop(bowl):
    run = Run(bowl, RunConfig.make("adam", (1.0, 1.0), {"lr": 0.1, "amsgrad": True}))
    pts = run.step(30).points
    p, m, v, vmax = np.ones(2), np.zeros(2), np.zeros(2), np.zeros(2)
    for t in range(1, 31):
        g = np.array([p[0], 4 * p[1]])
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        vmax = np.maximum(vmax, v)
        p = p - 0.1 / (1 - 0.9**t) * m / (np.sqrt(vmax) / np.sqrt(1 - 0.999**t) + 1e-8)
        np.testing.assert_allclose(pts[t - 1], p, rtol=1e-12, atol=1e-14)
    plain = Run(bowl, RunConfig.make("adam", (1.0, 1.0), {"lr": 0.1})).step(30).points
    assert np.max(np.abs(plain - pts)) > 1e-5  # the max of past moments changes the path


def test_newton_solves_a_quadratic_in_one_step(bowl):
    pts = first_points(bowl, "newton", {}, n=1, start=(2.5, -1.5))
    np.testing.assert_allclose(pts[0], [0.0, 0.0], atol=1e-15)


def test_newton_solves_booth_in_one_step():
    from saddlelab.core import catalogue

    run = Run(catalogue.load("booth"), RunConfig.make("newton", (-8.0, 8.0), {"lr": 1.0}))
    chunk = run.step(5)
    np.testing.assert_allclose(chunk.points[0], [1.0, 3.0], atol=1e-12)
    assert run.status.value == "converged" and run.steps == 1


def test_saddle_free_newton_and_gd_escape_on_a_bowl(bowl):
    pts = first_points(bowl, "saddle-free-newton", {"damping": 1e-3}, n=1)
    np.testing.assert_allclose(pts[0], [1 - 1 / 1.001, 1 - 4 / 4.001], rtol=1e-14)
    pts = first_points(bowl, "gd-escape", {"lr": 0.01}, n=1)
    np.testing.assert_allclose(pts[0], [0.99, 0.96], rtol=1e-15)


def test_gradient_clipping_caps_the_step(bowl):
    # |g0| = sqrt(17); clipped to 1 (torch: g * 1 / (|g| + 1e-6))
    pts = first_points(bowl, "sgd", {"lr": 0.1}, n=1)
    run = Run(bowl, RunConfig.make("sgd", (1.0, 1.0), {"lr": 0.1}, clip_norm=1.0))
    coef = 1.0 / (math.sqrt(17) + 1e-6)
    np.testing.assert_allclose(run.step(1).points[0], [1 - 0.1 * coef, 1 - 0.4 * coef])
    assert not np.allclose(pts[0], run.point)
