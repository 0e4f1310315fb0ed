"""Learning-rate schedules with torch.optim.lr_scheduler's values.

``constant``, ``step`` (StepLR), ``exponential`` (ExponentialLR) and ``cosine``
(CosineAnnealingLR), optionally after a linear warm-up of ``warmup`` updates (LinearLR with
``start_factor = 1/(warmup+1)``, chained with SequentialLR at milestone ``warmup``). Update
number ``t`` (0-based) uses ``lr_at(base_lr, t)``, the rate torch's optimizer holds after ``t``
calls of ``scheduler.step()``. The formula is :func:`._formulas.schedule_lr`, the same code the
compiled step loops run.

Text form (``spec()`` / :func:`parse_schedule`): ``constant``, ``step:step_size=100,gamma=0.5``,
``exponential:gamma=0.99``, ``cosine:T_max=1000,eta_min=0``, with ``warmup=50+`` in front for a
warm-up (``warmup=50`` alone is a warm-up into a constant rate).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..limits import MAX_WHOLE
from . import _formulas
from .specs import OptimizerError

KINDS = ("constant", "step", "exponential", "cosine")
_FIELDS = {
    "constant": (),
    "step": ("step_size", "gamma"),
    "exponential": ("gamma",),
    "cosine": ("T_max", "eta_min"),
}
_REQUIRED = {"step": ("step_size",), "exponential": ("gamma",), "cosine": ("T_max",)}


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule; ``warmup`` linear warm-up updates come first (0 = none)."""

    kind: str = "constant"
    step_size: int = 100
    gamma: float = 0.1
    T_max: int = 1000
    eta_min: float = 0.0
    warmup: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise OptimizerError(f"unknown schedule '{self.kind}' (known: {', '.join(KINDS)})")
        if int(self.step_size) != self.step_size or self.step_size < 1:
            raise OptimizerError(f"step_size must be a whole number >= 1, got {self.step_size}")
        if not (math.isfinite(self.gamma) and self.gamma > 0):
            raise OptimizerError(f"gamma must be a positive number, got {self.gamma}")
        if int(self.T_max) != self.T_max or self.T_max < 1:
            raise OptimizerError(f"T_max must be a whole number >= 1, got {self.T_max}")
        if not (math.isfinite(self.eta_min) and self.eta_min >= 0):
            raise OptimizerError(f"eta_min must be a number >= 0, got {self.eta_min}")
        if int(self.warmup) != self.warmup or self.warmup < 0:
            raise OptimizerError(f"warmup must be a whole number >= 0, got {self.warmup}")
        for name in ("step_size", "T_max", "warmup"):
            if getattr(self, name) > MAX_WHOLE:
                raise OptimizerError(f"{name} must be at most {MAX_WHOLE:,}")
            object.__setattr__(self, name, int(getattr(self, name)))
        for name in ("gamma", "eta_min"):
            object.__setattr__(self, name, float(getattr(self, name)))

    @property
    def code(self) -> int:
        return KINDS.index(self.kind)

    def lr_at(self, base_lr: float, step: int) -> float:
        """Learning rate of update number ``step`` (0-based) for base rate ``base_lr``."""
        return _formulas.schedule_lr(
            self.code, float(base_lr), int(step), float(self.step_size), self.gamma,
            float(self.T_max), self.eta_min, float(self.warmup),
        )  # fmt: skip

    def spec(self) -> str:
        """Text form that :func:`parse_schedule` reads back to an equal schedule."""
        fields = ",".join(f"{f}={getattr(self, f)!r}" for f in _FIELDS[self.kind])
        main = f"{self.kind}:{fields}" if fields else self.kind
        return f"warmup={self.warmup}+{main}" if self.warmup else main


CONSTANT = Schedule()


def _number(kind: str, key: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise OptimizerError(f"schedule {kind}: {key} must be a number, got '{text}'") from None
    if not math.isfinite(value):
        raise OptimizerError(f"schedule {kind}: {key} must be finite, got '{text}'")
    return value


def parse_schedule(text: str) -> Schedule:
    """Read a schedule such as ``warmup=50+cosine:T_max=1000``; OptimizerError if malformed."""
    text = (text or "").strip()
    if not text:
        return CONSTANT
    warmup = 0
    parts = [p.strip() for p in text.split("+")]
    if len(parts) > 2:
        raise OptimizerError(f"schedule '{text}': at most one 'warmup=N+' prefix")
    if len(parts) == 2 or parts[0].startswith("warmup"):
        head = parts[0]
        key, eq, value = head.partition("=")
        if key.strip() != "warmup" or not eq:
            raise OptimizerError(f"schedule '{text}': expected 'warmup=N' before '+'")
        number = _number("warmup", "warmup", value)
        if number != int(number) or number < 0:
            raise OptimizerError(f"schedule '{text}': warmup must be a whole number >= 0")
        warmup = int(number)
        parts = parts[1:]
    body = parts[0] if parts else "constant"
    kind, _, args = body.partition(":")
    kind = kind.strip()
    if kind not in _FIELDS:
        raise OptimizerError(f"unknown schedule '{kind}' (known: {', '.join(KINDS)})")
    values: dict[str, float] = {}
    for item in filter(None, (a.strip() for a in args.split(","))):
        key, eq, value = item.partition("=")
        key = key.strip()
        if not eq:
            raise OptimizerError(f"schedule {kind}: '{item}' should look like key=value")
        if key not in _FIELDS[kind]:
            allowed = ", ".join(_FIELDS[kind]) or "no settings"
            raise OptimizerError(f"schedule {kind} has no setting '{key}' (it takes: {allowed})")
        values[key] = _number(kind, key, value)
    missing = [k for k in _REQUIRED.get(kind, ()) if k not in values]
    if missing:
        raise OptimizerError(f"schedule {kind} needs {', '.join(missing)}, e.g. {_example(kind)}")
    for key in ("step_size", "T_max"):
        if key in values and values[key] != int(values[key]):
            raise OptimizerError(f"schedule {kind}: {key} must be a whole number")
    return Schedule(kind=kind, warmup=warmup, **values)


def _example(kind: str) -> str:
    return {
        "step": "step:step_size=100,gamma=0.5",
        "exponential": "exponential:gamma=0.99",
        "cosine": "cosine:T_max=1000,eta_min=0",
    }[kind]
