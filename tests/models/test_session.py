"""Session files: a round trip keeps every setting and replays identical trajectories
(property test), and broken or hostile files are refused with one line naming the part,
the application state left as it was."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saddlelab.core import catalogue
from saddlelab.core.optim import OPTIMIZERS, RunConfig, parse_schedule
from saddlelab.core.optim.replay import Edit, RunRecord
from saddlelab.models.app_state import AppState
from saddlelab.models.session import (
    SESSION_VERSION,
    RunEntry,
    Session,
    SessionError,
    SurfaceSpec,
    load_session,
    save_session,
)

TYPED = [("(1 - x*y)^2 + a*y^2", ("x", "y")), ("x^2 - y^2 + a*x^4 + y^4", ("x", "y")),
         ("(x^2 + y^2 + z^2 - 1)^2 + a*x", ("x", "y", "z"))]  # fmt: skip
SCHEDULES = ["constant", "step:step_size=50,gamma=0.5", "exponential:gamma=0.99",
             "warmup=20+cosine:T_max=300,eta_min=0.0001"]  # fmt: skip
LR = {"newton": 0.5, "saddle-free-newton": 0.5}


@st.composite
def surfaces(draw):
    if draw(st.booleans()):
        return SurfaceSpec(catalogue=draw(st.sampled_from(catalogue.ids())))
    expression, names = draw(st.sampled_from(TYPED))
    half = draw(st.sampled_from([1.0, 1.5, 2.5]))
    domain = ",".join(f"{v}={-half!r}:{half!r}" for v in names)
    return SurfaceSpec(None, expression, names, domain, {"a": draw(st.sampled_from([0.1, 1.0]))})


@st.composite
def runs(draw, surface, index):
    optimizer = draw(st.sampled_from(sorted(OPTIMIZERS)))
    lr = LR.get(optimizer, draw(st.sampled_from([1e-3, 3e-3, 1e-2])))
    lo_hi = surface.domain
    start = tuple(draw(st.floats(lo * 0.8, hi * 0.8)) for lo, hi in lo_hi)
    steps = draw(st.integers(0, 400))
    config = RunConfig.make(
        optimizer, start, {"lr": lr}, schedule=parse_schedule(draw(st.sampled_from(SCHEDULES))),
        grad_noise=draw(st.sampled_from([0.0, 0.1])), seed=draw(st.integers(0, 2**40)),
        clip_norm=draw(st.sampled_from([None, 1.5])), max_steps=draw(st.sampled_from([150, 10**5])),
        early_stop=draw(st.booleans()),
    )  # fmt: skip
    points = st.tuples(*(st.floats(lo * 0.5, hi * 0.5) for lo, hi in lo_hi))
    edit = st.one_of(
        st.builds(lambda x: ("params", {"lr": x}), st.sampled_from([2e-3, 5e-3])),
        st.builds(
            lambda n, s: ("options", {"grad_noise": n, "clip_norm": None, "schedule": s}),
            st.sampled_from([0.0, 0.05]),
            st.sampled_from(SCHEDULES),
        ),  # fmt: skip
        st.builds(lambda p: ("moved", {"point": list(p), "reason": "escape"}), points),
        st.just(("resumed", {})),
    )
    made = draw(st.lists(st.tuples(st.integers(0, steps), edit), max_size=4))
    edits = tuple(Edit(s, k, v) for s, (k, v) in sorted(made, key=lambda e: e[0]))
    colour = "#" + draw(st.text("0123456789abcdef", min_size=6, max_size=6))
    return RunEntry(RunRecord(config, edits, steps), colour, draw(st.booleans()))


@st.composite
def sessions(draw):
    spec = draw(surfaces())
    surface = spec.build()
    entries = tuple(draw(runs(surface, i)) for i in range(draw(st.integers(0, 3))))
    picked = draw(st.booleans())
    point = tuple(0.25 * (lo + hi) + 0.1 for lo, hi in surface.domain)
    return Session(
        surface=spec, runs=entries,
        selected=draw(st.sampled_from([None, *range(len(entries))])),
        speed=draw(st.sampled_from([1.0, 60.0, 2500.0, math.inf])),
        view={"log_height": draw(st.booleans()), "grid_lines": draw(st.booleans()),
              "show_eigen_arrows": draw(st.booleans())},
        taylor_radius=draw(st.sampled_from([0.05, 0.4, 1.3])),
        probe=(point, "picked") if picked else (None, "run"),
        slice=surface.domain[2][0] + 0.3 if surface.ndim == 3 else None,
        camera=draw(st.sampled_from([None, {"distance": 7.5, "elevation": 30.0,
                                            "azimuth": -60.0, "centre": [0.0, 0.1, 0.2]}])),
    )  # fmt: skip


def _shown(state: AppState):
    """What the window would show: every run's rows, status and settings, and the rest."""
    runs = []
    for r in state.runs:
        t = r.trajectory
        runs.append((t.step.tolist(), t.points.tobytes(), t.loss.tobytes(), r.status, r.done,
                     r.colour, r.visible, r.params, r.schedule_text, r.grad_noise, r.clip_norm,
                     r.seed, r.max_steps, r.early_stop, r.start, r.record()))  # fmt: skip
    v = state.view
    selected = list(state.runs).index(state.runs.selected) if state.runs.selected else None
    return (state.surface.surface.expression, state.surface.surface.domain, runs, selected,
            state.playback.speed, v.log_height, v.grid_lines, v.contour_lines,
            v.show_eigen_arrows, v.taylor_radius, v.probe, state.surface.slice_value)  # fmt: skip


def _replayable(session: Session):
    try:
        return session.build_state(critical=False)
    except SessionError as error:  # an edit the engine refuses (a move after divergence)
        return str(error)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sessions())
def test_round_trip_keeps_every_setting_and_replays_identical_trajectories(session):
    text = session.to_text()
    again = Session.from_text(text, "s.json")
    assert again.to_text() == text
    assert again.runs == session.runs and again.camera == session.camera
    a, b = _replayable(session), _replayable(again)
    if isinstance(a, str):
        assert a == b.replace("s.json", "session")
        return
    assert _shown(a) == _shown(b)
    for run, entry in zip(a.runs, session.runs, strict=True):
        assert run.steps <= entry.record.steps and run.colour == entry.colour
    # Saved from the state it built, the session says the same again.
    assert (
        Session.capture(a, session.camera).to_text() == Session.capture(b, again.camera).to_text()
    )


# -- hostile files -----------------------------------------------------------------------------


def _good() -> dict:
    state = AppState(catalogue.load("rosenbrock"))
    state.add_run("adam", {"lr": 0.01})
    session = Session.capture(state)
    record = RunRecord(session.runs[0].record.config, (Edit(5, "params", {"lr": 0.02}),), 20)
    session.runs = (RunEntry(record, "#ff7f0e"),)
    return json.loads(session.to_text())


def _with(path: str, value):
    data = _good()
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    if value is _DELETE:
        del node[last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return json.dumps(data)


_DELETE = object()
GOOD = json.dumps(_good())
HOSTILE = [
    ("{", "not valid JSON"),
    ("  \n", "empty: not a session"),
    (GOOD[: len(GOOD) // 2], "truncated"),
    ("[1, 2]", "no JSON object"),
    ('{"saddlelab_session": 1, "surface": NaN}', "NaN is not a number"),
    ('{"a": Infinity}', "Infinity is not a number"),
    ('{"x": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested more than"),
    (
        json.dumps({"extras": {"a": "[" * 14 + "1" + "]" * 14}})
        .replace('"[', "[")
        .replace(']"', "]"),
        "nested more than",
    ),
    ('{"saddlelab_session": 1, "x": 1' + " " * 5_000_001 + "}", "larger than 5 MB"),
    (_with("saddlelab_session", _DELETE), "no 'saddlelab_session' version"),
    (_with("saddlelab_session", 2), "version 2 is newer than"),
    (_with("saddlelab_session", "1"), "saddlelab_session: must be a whole number"),
    (_with("colour_scheme", "dark"), "unknown key 'colour_scheme'"),
    (_with("runs.0.learning_rate", 0.1), "runs[0]: unknown key 'learning_rate'"),
    (_with("view.wireframe", True), "view: unknown key 'wireframe'"),
    (_with("runs", {"a": 1}), "runs: must be a list"),
    (_with("runs.0.start", "1,2"), "runs[0].start: must be a list"),
    (_with("runs.0.seed", "abc"), "runs[0].seed: must be a whole number"),
    (_with("runs.0.seed", -4), "runs[0].seed: must be at least 0"),
    (_with("runs.0.visible", "yes"), "runs[0].visible: must be true or false"),
    (_with("runs.0.start", ["1e400", 0]).replace('"1e400"', "1e400"), "number out of range: 1e400"),
    (_with("runs.0.steps", 10**12), "runs[0].steps: at most 10,000,000 steps"),
    (_with("runs.0.steps", 10**100), "number too long"),
    (_with("runs.0.steps", 2.5), "runs[0].steps: must be a whole number"),
    (_with("runs.0.max_steps", 2**60), "runs[0].max_steps: must be at most"),
    (_with("runs.0.params.lr", -1), "runs[0].params: adam learning rate must not be negative"),
    (_with("runs.0.params.betas", [0.9]), "runs[0].params: adam betas needs two numbers"),
    (_with("runs.0.params.lr", {"x": 1}), "runs[0].params.lr: must be a number"),
    (_with("runs.0.grad_noise", -1), "runs[0].grad_noise: must be >= 0"),
    (_with("runs.0.clip_norm", 0), "runs[0].clip_norm: must be > 0"),
    (_with("runs.0.schedule", "cosine:T_max=-1"), "runs[0].schedule: T_max must be"),
    (_with("runs.0.schedule", "__import__('os')"), "runs[0].schedule: unknown schedule"),
    (_with("playback.speed", 0), "playback.speed: must be >= 1"),
    (_with("playback.speed", "fast"), "playback.speed: must be a number or"),
    (_with("view.taylor_radius", -1), "view.taylor_radius: must be > 0"),
    (_with("runs.0.colour", "red"), "runs[0].colour: must be a colour like #ff7f0e"),
    (_with("runs.0.colour", "#12345"), "runs[0].colour: must be a colour"),
    (_with("runs.0.colour", "#gggggg"), "runs[0].colour: must be a colour"),
    (_with("runs.0.optimizer", "foo"), "runs[0].optimizer: unknown optimizer 'foo'"),
    (_with("surface.catalogue", "foo"), "surface.catalogue: unknown surface 'foo'"),
    (_with("surface.parameters", {"c": 1.0}), "surface.parameters: rosenbrock has no parameter"),
    (
        _with("surface.parameters", {"a": "-1e999"}).replace('"-1e999"', "-1e999"),
        "number out of range: -1e999",
    ),
    (
        _with(
            "surface", {"expression": "__import__('os').system('true')", "variables": ["x", "y"]}
        ),
        "surface.expression:",
    ),
    (
        _with("surface", {"expression": "x**99999999999 + y", "variables": ["x", "y"]}),
        "surface.expression:",
    ),
    (
        _with("surface", {"expression": "exec('1') + x*y", "variables": ["x", "y"]}),
        "surface.expression:",
    ),
    (
        _with("surface", {"expression": "x + y", "variables": ["__class__", "y"]}),
        "surface.variables[0]: '__class__' is not a name",
    ),
    (
        _with("surface", {"expression": "x*y", "variables": ["x", "y"], "domain": "x=1e999:2"}),
        "surface.domain: domain for 'x' needs finite bounds",
    ),
    (
        _with("surface", {"expression": "x*y", "variables": ["x", "y", "z", "w"]}),
        "surface.variables: at most 3 entries",
    ),
    (
        _with("surface", {"expression": "x" * 5000, "variables": ["x", "y"]}),
        "surface.expression: at most 4000 characters",
    ),
    (_with("runs.0.start", [1, 2, 3]), "runs[0].start: needs 2 coordinates, got 3"),
    (_with("probe.point", [1.0]), "probe.point: needs 2 coordinates, got 1"),
    (_with("probe.source", "mouse"), "probe.source: must be one of run, picked"),
    (_with("runs.0.edits.0.kind", "explode"), "runs[0].edits[0].kind: must be one of"),
    (_with("runs.0.edits.0.step", 21), "runs[0].edits[0].step: must be at most 20"),
    (_with("runs.0.edits.0.values", {"momentum": 0.9}), "runs[0].edits[0].values: unknown key"),
    (
        _with("runs.0.edits", [{"step": 3, "kind": "moved", "values": {"point": [1]}}]),
        "runs[0].edits[0].values.point: needs 2 coordinates",
    ),
    (
        _with("runs.0.edits", [{"step": 9, "kind": "resumed"}, {"step": 3, "kind": "resumed"}]),
        "runs[0].edits[1].step: edits must be in step order",
    ),
    (
        _with("runs.0.edits", [{"step": 3, "kind": "options", "values": {"clip_norm": -1}}]),
        "runs[0].edits[0].values: clip_norm must be",
    ),
    (_with("selected", 3), "selected: must be at most 0"),
    (_with("slice", 0.5), "slice: only a surface of 3 variables has a slice"),
    (_with("camera", {"distance": "far"}), "camera.distance: must be a number, got text 'far'"),
    (_with("camera", {"centre": [0, None, 1]}), "camera.centre[1]: must be a number, got null"),
    (_with("extras", {"note": "x" * 5000}), "extras.note: at most 4000 characters"),
    (_with("camera", [1, 2]), "camera: must be an object"),
]


@pytest.mark.parametrize(("text", "expected"), HOSTILE, ids=[h[1][:40] for h in HOSTILE])
def test_a_hostile_file_is_refused_with_one_line_and_the_state_kept(text, expected):
    state = AppState(catalogue.load("w1w2-mse"))
    state.add_run("sgd", {"lr": 0.05})
    before = Session.capture(state).to_text()
    with pytest.raises(SessionError) as caught:
        Session.from_text(text, "bad.json").apply(state)
    message = str(caught.value)
    assert "\n" not in message and len(message) < 400
    assert message.startswith("bad.json: ") and expected in message, message
    assert Session.capture(state).to_text() == before


def test_the_good_file_of_the_table_is_accepted():
    session = Session.from_text(GOOD, "good.json")
    assert session.runs[0].record.steps == 20
    state = session.build_state()
    assert state.runs.selected.steps == 20 and state.runs.selected.params["lr"] == 0.02


def test_files_too_large_are_refused_before_they_are_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(50_000_000)  # sparse: nothing is written
    monkeypatch.setattr("pathlib.Path.open", lambda *a, **k: pytest.fail("it was read"))
    with pytest.raises(SessionError, match=r"^huge\.json: 50,000,000 bytes, larger than"):
        load_session(path)


def test_unreadable_and_binary_files_are_one_line(tmp_path):
    binary = tmp_path / "b.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(SessionError, match=r"^b\.json: not a session \(not UTF-8 text\)$"):
        load_session(binary)
    with pytest.raises(SessionError, match=r"^missing\.json: cannot read it: "):
        load_session(tmp_path / "missing.json")


def test_a_byte_order_mark_is_read_as_utf8(tmp_path):
    """Some editors (Notepad) start UTF-8 files with a byte-order mark: still a session."""
    path = tmp_path / "bom.saddlelab"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    assert load_session(path).to_text() == Session.from_text(GOOD, "good.json").to_text()


def test_save_is_atomic_and_reads_back(tmp_path, monkeypatch):
    session = Session.from_text(GOOD, "good.json")
    path = tmp_path / "s.json"
    save_session(session, path)
    assert load_session(path).to_text() == session.to_text()
    assert json.loads(path.read_text())["saddlelab_session"] == SESSION_VERSION
    old = path.read_text()

    def broken(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.replace", broken)
    with pytest.raises(SessionError, match="No space left on device"):
        save_session(session, path)
    assert path.read_text() == old  # the old file is whole
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]  # no temporary file left
    with pytest.raises(SessionError, match="cannot write it"):
        save_session(session, tmp_path / "no" / "such" / "dir.json")


def test_a_typed_surface_and_a_picked_probe_round_trip_exactly():
    from saddlelab.core.surface import Surface

    surface = Surface.from_expression("(1 - x*y)^2 + a*y^2", ["x", "y"], "x=-1.7:2.3,y=-2:2",
                                      parameters={"a": 0.3})  # fmt: skip
    state = AppState(surface)
    run = state.add_run("rmsprop", {"lr": 0.003})
    state.pick_probe((0.1 + 1e-12, -0.7))
    session = Session.from_text(Session.capture(state).to_text())
    built = session.build_surface()
    assert (built.expression, built.domain, dict(built.parameters)) == (
        surface.expression, surface.domain, {"a": 0.3})  # fmt: skip
    shown = session.build_state()
    assert shown.view.probe.point == (0.1 + 1e-12, -0.7) and shown.view.probe.source == "picked"
    assert np.array_equal(shown.runs.selected.trajectory.points, run.trajectory.points)


def test_a_session_a_file_could_not_hold_is_never_written(tmp_path):
    session = Session.from_text(GOOD, "good.json")
    config = session.runs[0].record.config
    session.runs = (RunEntry(RunRecord(config, (), 10**7 + 1), "#ff7f0e"),)
    with pytest.raises(SessionError, match=r"^run 1 has taken 10,000,001 steps: .*reset or"):
        save_session(session, tmp_path / "long.json")
    assert not (tmp_path / "long.json").exists()


def test_changes_of_one_kind_at_one_step_merge_into_one_edit():
    state = AppState(catalogue.load("rosenbrock"))
    run = state.add_run("sgd", {"lr": 0.01})
    run.add_edits([Edit(5, "params", {"lr": 0.02}), Edit(5, "params", {"momentum": 0.5})])
    run.add_edits([Edit(5, "params", {"lr": 0.03}), Edit(5, "resumed"), Edit(5, "params", {})])
    run.add_edits([Edit(9, "options", {"grad_noise": 0.1, "clip_norm": None,
                                       "schedule": "constant"})])  # fmt: skip
    run.add_edits([Edit(9, "options", {"grad_noise": 0.2, "clip_norm": 1.0,
                                       "schedule": "constant"})])  # fmt: skip
    assert [(e.step, e.kind, e.values) for e in run.edits] == [
        (5, "params", {"lr": 0.03, "momentum": 0.5}),
        (5, "resumed", {}),
        (5, "params", {}),
        (9, "options", {"grad_noise": 0.2, "clip_norm": 1.0, "schedule": "constant"}),
    ]


def test_a_diverged_run_and_a_camera_with_nan_still_save():
    surface = catalogue.load("rosenbrock")
    config = RunConfig.make("sgd", (-1.2, 1.0), {"lr": 5.0})  # diverges
    state = Session.of_runs(surface, [RunRecord(config, (), 500)]).build_state()
    run = state.runs.selected
    assert run.status.value == "diverged"
    state.view.set_probe((float("nan"), 1.0), "run")  # a following probe where a run blew up
    camera = {"distance": float("nan"), "elevation": 30.0, "centre": [0.0, float("inf"), 1.0]}
    text = Session.capture(state, camera).to_text()
    assert Session.from_text(text).camera == {"elevation": 30.0}
    assert Session.from_text(text).probe == (None, "run")


def test_a_change_the_engine_refuses_on_replay_is_one_line_naming_the_run():
    surface = catalogue.load("rosenbrock")
    config = RunConfig.make("sgd", (-1.2, 1.0), {"lr": 50.0})  # diverges at once
    ok = RunRecord(config.with_changes(params={"lr": 1e-3}), (), 10)
    bad = RunRecord(config, (Edit(150, "moved", {"point": [0.1, 0.1]}),), 200)
    text = Session.of_runs(surface, [ok, bad]).to_text()
    session = Session.from_text(text, "s.json")  # well formed: checked when replayed
    with pytest.raises(SessionError, match=r"^s\.json: runs\[1\]: .*cannot be moved[^\n]*$"):
        session.build_state()
