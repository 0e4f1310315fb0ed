"""The README's scenario (issue 10, one verdict everywhere): Play on the lecture example started
on the line w1 = -w2; the Runs panel, the Analysis panel, the step-size story and the escape
banner all say the run ended at a saddle, and the banner offers the two remedies."""

from __future__ import annotations

import numpy as np
from window_actions import COMPILE_TIMEOUT

from saddlelab.core.advice import ADD_GRADIENT_NOISE, STEP_ALONG_NEGATIVE_CURVATURE


def test_play_on_the_line_w1_eq_minus_w2_ends_at_a_saddle_everywhere(qtbot, window):
    state = window.state
    run = state.runs[0]
    assert run.set_start((-1.2, 1.2)) is None  # exactly on the line w1 = -w2
    play = window.actions_by_name["Play / pause"]  # the Space action
    with qtbot.waitSignal(window.controller.batch_applied, timeout=COMPILE_TIMEOUT):
        play.trigger()
    qtbot.waitUntil(lambda: run.done, timeout=COMPILE_TIMEOUT)

    # the Runs panel's status
    assert run.status == "converged"
    assert run.status_detail.startswith("converged to a saddle point at (")
    assert "saddle" in window.runs_panel.list.item(0).toolTip()

    # the Analysis panel at the run's final point
    panel = window.second_order.panel
    final = np.asarray(run.current_point)

    def analysed_final() -> bool:
        a = panel.analysis()
        return a is not None and np.array_equal(a.point, final)

    qtbot.waitUntil(analysed_final, timeout=COMPILE_TIMEOUT)
    a = panel.analysis()
    assert a.classification == "saddle" and a.is_critical
    assert panel.title.text() == "Saddle point"
    assert panel.sentence.text().startswith("Saddle point:")
    story = panel.step_story.text()
    assert "converges monotonically" not in story and "escapes" in story

    # the escape banner with its two remedies
    banner = window.second_order.escape
    qtbot.waitUntil(lambda: not banner.isHidden(), timeout=COMPILE_TIMEOUT)
    assert banner.headline.text().endswith("has converged to a saddle point")
    assert "(0.71, 0.71)" in banner.detail.text()  # where the loss still falls
    step, noise = banner.step_button, banner.noise_button
    assert step.text().replace("\n", " ") == STEP_ALONG_NEGATIVE_CURVATURE.title
    assert noise.text() == ADD_GRADIENT_NOISE.title
    assert step.isVisibleTo(banner) and noise.isVisibleTo(banner)
    assert step.isEnabled() and noise.isEnabled()
