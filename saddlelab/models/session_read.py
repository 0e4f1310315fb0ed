"""Reading a session file into a :class:`~.session.Session`, every part checked.

The surface is built here (through the catalogue or ``Surface.from_expression``, the
whitelist parser: nothing in a file is ever evaluated), so a file that names a bad surface
fails as a whole; runs are checked with the engine's own rules (``RunConfig``,
``resolve_params``, ``parse_schedule``) but replayed only when the session is shown.
"""

from __future__ import annotations

import math
import re
from typing import Any

from saddlelab.core.domain import parse_domain
from saddlelab.core.limits import MAX_WHOLE, echo
from saddlelab.core.numbers import fmt
from saddlelab.core.optim import OPTIMIZERS, RunConfig, parse_schedule, resolve_params
from saddlelab.core.optim.replay import EDIT_KINDS, OPTION_KEYS, Edit, RunRecord
from saddlelab.core.optim.replay import _options as check_options

from .runs import PALETTE
from .session import SESSION_VERSION, VIEW_FLAGS, RunEntry, Session, SurfaceSpec
from .session_schema import MAX_EDITS, MAX_RUNS, MAX_SAVED_STEPS, Reader, SessionError, parse

NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
MAX_SPEED = 1e9
TOP = ("saddlelab_session", "surface", "runs", "selected", "playback", "view", "probe", "slice",
       "camera", "extras")  # fmt: skip
RUN_KEYS = ("params", "schedule", "grad_noise", "clip_norm", "seed", "max_steps", "early_stop",
            "steps", "edits", "colour", "visible")  # fmt: skip


def read(text: str, source: str) -> Session:
    data = parse(text, source)
    top = Reader(source)
    version = data.get("saddlelab_session")
    if "saddlelab_session" not in data:
        raise SessionError(f"{source}: not a SaddleLab session (no 'saddlelab_session' version)")
    top.at("saddlelab_session").whole(version, 10**6, 1)
    if version != SESSION_VERSION:
        newer = "newer than" if version > SESSION_VERSION else "not"
        raise SessionError(f"{source}: saddlelab_session: version {version} is {newer} the "
                           f"version this SaddleLab reads ({SESSION_VERSION})")  # fmt: skip
    top.fields(data, ("saddlelab_session", "surface", "runs"), TOP[3:])
    spec, surface = _surface(top.at("surface"), data["surface"])
    ndim = surface.ndim
    where = top.at("runs")
    runs = tuple(_run(where.at(i), raw, ndim, i)
                 for i, raw in enumerate(where.items(data["runs"], MAX_RUNS)))  # fmt: skip
    selected = data.get("selected")
    if selected is not None:
        selected = top.at("selected").whole(selected, max(len(runs) - 1, 0))
        if not runs:
            raise top.at("selected").fail("there are no runs to select")
    return Session(
        surface=spec, runs=runs, selected=selected,
        speed=_speed(top.at("playback"), data.get("playback", {})),
        view=_view(top.at("view"), data.get("view", {}))[0],
        taylor_radius=_view(top.at("view"), data.get("view", {}))[1],
        probe=_probe(top.at("probe"), data.get("probe"), ndim),
        slice=_slice(top.at("slice"), data.get("slice"), surface),
        camera=None if data.get("camera") is None else top.at("camera").numbers(data["camera"]),
        extras=top.at("extras").plain(data.get("extras", {})),
        source=source, _surface=surface,
    )  # fmt: skip


def _surface(at: Reader, raw: Any):
    from saddlelab.core import catalogue

    if isinstance(raw, dict) and "catalogue" in raw:
        raw = at.fields(raw, ("catalogue",), ("parameters",))
        name = at.at("catalogue").text(raw["catalogue"], 200)
        try:
            entry = catalogue.entry(name)
        except catalogue.UnknownSurfaceError:
            raise at.at("catalogue").fail(f"unknown surface '{echo(name)}'") from None
        params = _parameters(at.at("parameters"), raw.get("parameters", {}))
        for key in params:
            if key not in entry.parameters:
                raise at.at("parameters").fail(f"{name} has no parameter '{echo(key)}'")
        spec = SurfaceSpec(catalogue=name, parameters=params)
    else:
        raw = at.fields(raw, ("expression", "variables"), ("domain", "parameters"))
        expression = at.at("expression").text(raw["expression"])
        variables = at.at("variables").items(raw["variables"], 3)
        names = tuple(_name(at.at("variables").at(i), v) for i, v in enumerate(variables))
        domain = at.at("domain").text(raw.get("domain", ""), 1000)
        at.at("domain").guard(lambda: parse_domain(domain, names))
        params = _parameters(at.at("parameters"), raw.get("parameters", {}))
        spec = SurfaceSpec(None, expression, names, domain, params)
    part = at.at("catalogue" if spec.catalogue is not None else "expression")
    return spec, part.guard(spec.build)


def _name(at: Reader, raw: Any) -> str:
    name = at.text(raw, 64)
    if not NAME.fullmatch(name):
        raise at.fail(f"'{echo(name)}' is not a name: a letter, then letters, digits or _")
    return name


def _parameters(at: Reader, raw: Any) -> dict[str, float]:
    raw = at.plain(raw, 32)
    return {at.text(k, 64): at.at(k).number(v, -1e12, 1e12) for k, v in raw.items()}


def _run(at: Reader, raw: Any, ndim: int, index: int) -> RunEntry:
    raw = at.fields(raw, ("optimizer", "start"), RUN_KEYS)
    optimizer = at.at("optimizer").text(raw["optimizer"], 64)
    if optimizer not in OPTIMIZERS:
        known = ", ".join(OPTIMIZERS)
        raise at.at("optimizer").fail(f"unknown optimizer '{echo(optimizer)}' (known: {known})")
    params = _params(at.at("params"), optimizer, raw.get("params", {}))
    start = at.at("start").point(raw["start"], ndim)
    schedule = at.at("schedule").guard(
        lambda: parse_schedule(at.at("schedule").text(raw.get("schedule", "constant"), 200))
    )
    noise = at.at("grad_noise").number(raw.get("grad_noise", 0.0), 0.0, 1e12)
    clip = raw.get("clip_norm")
    clip = None if clip is None else at.at("clip_norm").number(clip, 0.0, 1e300, above=True)
    seed = at.at("seed").whole(raw.get("seed", 0), MAX_WHOLE)
    max_steps = at.at("max_steps").whole(raw.get("max_steps", 100_000), MAX_WHOLE)
    early = at.at("early_stop").flag(raw.get("early_stop", True))
    steps = raw.get("steps", 0)
    if isinstance(steps, int | float) and not isinstance(steps, bool) and steps > MAX_SAVED_STEPS:
        raise at.at("steps").fail(
            f"at most {MAX_SAVED_STEPS:,} steps are replayed, got {fmt(steps, plain=True)}"
        )
    steps = at.at("steps").whole(steps, MAX_SAVED_STEPS)
    config = at.guard(lambda: RunConfig(optimizer, params, start, schedule, noise, clip, seed,
                                        max_steps, early_stop=early))  # fmt: skip
    edits = _edits(at.at("edits"), raw.get("edits", []), optimizer, ndim, steps)
    colour = at.at("colour").colour(raw.get("colour", PALETTE[index % len(PALETTE)]))
    visible = at.at("visible").flag(raw.get("visible", True))
    return RunEntry(RunRecord(config, edits, steps), colour, visible)


def _params(at: Reader, optimizer: str, raw: Any) -> dict:
    raw = at.fields(raw, (), [h.name for h in OPTIMIZERS[optimizer].hyper])
    for key, value in raw.items():
        if isinstance(value, list):
            at.at(key).items(value, 2)
            for i, v in enumerate(value):
                at.at(key).at(i).number(v)
        elif not isinstance(value, bool):
            at.at(key).number(value)
    return at.guard(lambda: resolve_params(optimizer, raw))


def _edits(at: Reader, raw: Any, optimizer: str, ndim: int, steps: int) -> tuple[Edit, ...]:
    out: list[Edit] = []
    last = 0
    for i, item in enumerate(at.items(raw, MAX_EDITS)):
        where = at.at(i)
        item = where.fields(item, ("step", "kind"), ("values",))
        step = where.at("step").whole(item["step"], steps)
        if step < last:
            raise where.at("step").fail(f"edits must be in step order ({step} after {last})")
        last = step
        kind = where.at("kind").choice(item["kind"], EDIT_KINDS)
        values = item.get("values", {})
        part = where.at("values")
        if kind == "params":
            values = _params(part, optimizer, values)
            values = {k: v for k, v in values.items() if k in item.get("values", {})}
        elif kind == "options":
            values = dict(part.fields(values, (), OPTION_KEYS))
            if "schedule" in values:
                part.at("schedule").text(values["schedule"], 200)
            part.guard(lambda values=values: check_options(values))
        elif kind == "moved":
            values = part.fields(values, ("point",), ("reason",))
            point = part.at("point").point(values["point"], ndim)
            reason = part.at("reason").text(values.get("reason", "moved"), 200)
            values = {"point": list(point), "reason": reason}
        else:
            values = part.fields(values, ())
        out.append(Edit(step, kind, values))
    return tuple(out)


def _speed(at: Reader, raw: Any) -> float:
    raw = at.fields(raw, (), ("speed",))
    speed = raw.get("speed", 60.0)
    if speed == "unlimited":
        return math.inf
    if isinstance(speed, str):
        raise at.at("speed").fail(f"must be a number or \"unlimited\", got '{echo(speed)}'")
    return at.at("speed").number(speed, 1.0, MAX_SPEED)


def _view(at: Reader, raw: Any) -> tuple[dict[str, bool], float | None]:
    raw = at.fields(raw, (), (*VIEW_FLAGS, "taylor_radius"))
    flags = {k: at.at(k).flag(raw[k]) for k in VIEW_FLAGS if k in raw}
    radius = raw.get("taylor_radius")
    if radius is not None:
        radius = at.at("taylor_radius").number(radius, 0.0, 1e12, above=True)
    return flags, radius


def _probe(at: Reader, raw: Any, ndim: int) -> tuple[tuple[float, ...] | None, str]:
    if raw is None:
        return None, "run"
    raw = at.fields(raw, (), ("point", "source"))
    source = at.at("source").choice(raw.get("source", "run"), ("run", "picked"))
    point = raw.get("point")
    point = None if point is None else at.at("point").point(point, ndim)
    if source == "picked" and point is None:
        raise at.at("point").fail("a picked probe needs its point")
    return point, source


def _slice(at: Reader, raw: Any, surface) -> float | None:
    if raw is None:
        return None
    value = at.number(raw, -1e300, 1e300)
    if surface.ndim != 3:
        raise at.fail("only a surface of 3 variables has a slice")
    lo, hi = surface.domain[2]
    if not lo <= value <= hi:
        span = f"[{fmt(lo, plain=True)}, {fmt(hi, plain=True)}]"
        raise at.fail(
            f"must lie in the third variable's domain {span}, got {fmt(value, plain=True)}"
        )
    return value
