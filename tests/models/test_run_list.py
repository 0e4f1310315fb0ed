"""The run list is a psygnal selectable evented list: one selected run, child events."""

from __future__ import annotations

from saddlelab.models.run_list import RunList
from saddlelab.models.runs import RunModel


def _run() -> RunModel:
    return RunModel(2, (0.5, 0.5))


def test_selection_follows_adds_and_passes_to_the_neighbour_on_removal():
    runs = RunList()
    seen = []
    runs.selected_changed.connect(seen.append)
    a, b, c = runs.add(_run()), runs.add(_run()), runs.add(_run(), select=False)
    assert runs.selected is b and seen == [a, b]
    runs.remove(b)
    assert runs.selected is c and seen[-1] is c  # the next one takes over, once
    runs.remove(c)
    runs.remove(a)
    assert runs.selected is None and seen[-1] is None and len(runs) == 0
    runs.remove(a)  # already gone: nothing happens
    assert seen[-1] is None


def test_any_runs_signal_reaches_the_lists_child_event():
    runs = RunList()
    run = runs.add(_run())
    heard = []
    runs.events.child_event.connect(lambda info: heard.append(info))
    run.set_visible(False)
    assert heard  # appearance_changed, re-emitted by the list with the run's index
    runs.remove(run)
    heard.clear()
    run.set_visible(True)
    assert not heard  # a removed run is no longer listened to


def test_iterating_while_adding_or_removing_is_safe():
    runs = RunList()
    first = [runs.add(_run()) for _ in range(3)]
    for run in runs:
        runs.remove(run)
        runs.add(_run(), select=False)
    assert len(runs) == 3 and not set(first) & set(runs)
