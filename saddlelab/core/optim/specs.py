"""Optimizer descriptions: names, hyper-parameters, defaults and validation.

The first-order optimizers use torch.optim's names, defaults and valid ranges (torch 2.x), so
a user's PyTorch intuition transfers exactly. ``newton``, ``saddle-free-newton`` and
``gd-escape`` are the lectures' second-order and escape methods.

Values may arrive typed (from the window) or as text (``--set betas=0.9,0.999``); both go
through :func:`resolve_params`, which fills in defaults and names any problem in one line.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

HYPER_SLOTS = 8
"""Length of the packed hyper-parameter vector handed to the compiled kernels."""


class OptimizerError(ValueError):
    """A bad optimizer, hyper-parameter, schedule or option; the message is one line."""


@dataclass(frozen=True)
class HyperParam:
    """One hyper-parameter: its name, default, kind and allowed range (for editors and checks)."""

    name: str
    default: Any
    kind: str  # 'float' | 'int' | 'bool' | 'pair'
    doc: str
    minimum: float | None = None
    maximum: float | None = None
    maximum_exclusive: bool = False


@dataclass(frozen=True)
class OptimizerSpec:
    """An optimizer as the app presents it; ``code`` is its index for the compiled kernels."""

    name: str
    label: str
    description: str
    hyper: tuple[HyperParam, ...]
    code: int

    def defaults(self) -> dict[str, Any]:
        return {h.name: h.default for h in self.hyper}

    def param(self, name: str) -> HyperParam:
        for h in self.hyper:
            if h.name == name:
                return h
        known = ", ".join(h.name for h in self.hyper)
        raise OptimizerError(f"{self.name} has no parameter '{name}' (it has: {known})")


def _lr(default: float) -> HyperParam:
    return HyperParam("lr", default, "float", "learning rate (base rate of the schedule)", 0.0)


_WD = "L2 penalty added to the gradient: g + weight_decay * theta"
_EPS = "term added to the denominator for numerical stability"
_BETAS = HyperParam(
    "betas",
    (0.9, 0.999),
    "pair",
    "decay rates of the running averages of the gradient and of its square",
    0.0,
    1.0,
    True,
)
_AMSGRAD = HyperParam("amsgrad", False, "bool", "use the maximum of past second moments (AMSGrad)")

_SPECS = [
    (
        "sgd",
        "SGD",
        "Stochastic gradient descent, optionally with (Nesterov) momentum, as torch.optim.SGD.",
        (
            _lr(1e-3),
            HyperParam(
                "momentum", 0.0, "float", "momentum factor (0 = plain gradient descent)", 0.0
            ),
            HyperParam("dampening", 0.0, "float", "dampening applied to the momentum", 0.0),
            HyperParam("weight_decay", 0.0, "float", _WD, 0.0),
            HyperParam("nesterov", False, "bool", "use Nesterov momentum (needs momentum > 0)"),
        ),
    ),
    (
        "adagrad",
        "Adagrad",
        "Steps divided by the root of the summed squared gradients, as torch.optim.Adagrad.",
        (
            _lr(1e-2),
            HyperParam(
                "lr_decay", 0.0, "float", "learning-rate decay: lr / (1 + (t-1) lr_decay)", 0.0
            ),
            HyperParam("weight_decay", 0.0, "float", _WD, 0.0),
            HyperParam("initial_accumulator_value", 0.0, "float", "starting value of the sum", 0.0),
            HyperParam("eps", 1e-10, "float", _EPS, 0.0),
        ),
    ),
    (
        "rmsprop",
        "RMSprop",
        "Steps divided by a running root-mean-square of the gradient, as torch.optim.RMSprop.",
        (
            _lr(1e-2),
            HyperParam("alpha", 0.99, "float", "smoothing constant of the squared average", 0.0),
            HyperParam("eps", 1e-8, "float", _EPS, 0.0),
            HyperParam("weight_decay", 0.0, "float", _WD, 0.0),
            HyperParam("momentum", 0.0, "float", "momentum factor", 0.0),
            HyperParam("centered", False, "bool", "normalize by the estimated variance instead"),
        ),
    ),
    (
        "adam",
        "Adam",
        "Momentum plus RMSprop with bias correction, as torch.optim.Adam.",
        (
            _lr(1e-3),
            _BETAS,
            HyperParam("eps", 1e-8, "float", _EPS, 0.0),
            HyperParam("weight_decay", 0.0, "float", _WD, 0.0),
            _AMSGRAD,
        ),
    ),
    (
        "adamw",
        "AdamW",
        "Adam with decoupled weight decay (theta *= 1 - lr * weight_decay), as torch.optim.AdamW.",
        (
            _lr(1e-3),
            _BETAS,
            HyperParam("eps", 1e-8, "float", _EPS, 0.0),
            HyperParam("weight_decay", 1e-2, "float", "decoupled decay: theta *= 1 - lr * wd", 0.0),
            _AMSGRAD,
        ),
    ),
    (
        "newton",
        "Newton",
        "theta -= lr (H + damping I)^-1 g: one step on a quadratic, but attracted to saddles.",
        (
            _lr(1.0),
            HyperParam("damping", 0.0, "float", "added to every Hessian eigenvalue"),
        ),
    ),
    (
        "saddle-free-newton",
        "Saddle-free Newton",
        "Newton with |H| (absolute eigenvalues) so negative curvature pushes away from saddles.",
        (
            _lr(1.0),
            HyperParam("damping", 1e-3, "float", "added to every |eigenvalue|", 0.0),
        ),
    ),
    (
        "gd-escape",
        "GD + Hessian escape",
        "Gradient descent that steps along a negative-curvature eigenvector when it gets stuck.",
        (
            _lr(1e-2),
            HyperParam(
                "threshold", 1e-3, "float", "escape when the gradient norm falls below", 0.0
            ),
            HyperParam(
                "escape_step", 0.5, "float", "length of the escape step along the eigenvector", 0.0
            ),
        ),
    ),
]

OPTIMIZERS: dict[str, OptimizerSpec] = {
    name: OptimizerSpec(name, label, description, hyper, code)
    for code, (name, label, description, hyper) in enumerate(_SPECS)
}


def get_spec(name: str) -> OptimizerSpec:
    try:
        return OPTIMIZERS[name]
    except KeyError:
        known = ", ".join(OPTIMIZERS)
        raise OptimizerError(f"unknown optimizer '{name}' (known: {known})") from None


_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def _to_float(spec: OptimizerSpec, h: HyperParam, value: Any) -> float:
    if isinstance(value, bool):
        raise OptimizerError(f"{spec.name} {h.name} must be a number, not {value}")
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise OptimizerError(f"{spec.name} {h.name} must be a number, got '{value}'") from None
    if not math.isfinite(number):
        raise OptimizerError(f"{spec.name} {h.name} must be finite, got '{value}'")
    return number


def _check_range(spec: OptimizerSpec, h: HyperParam, number: float) -> None:
    what = "learning rate" if h.name == "lr" else h.name
    if h.minimum is not None and number < h.minimum:
        word = "negative" if h.minimum == 0 else f"below {h.minimum:g}"
        raise OptimizerError(f"{spec.name} {what} must not be {word}: {number:g}")
    if h.maximum is not None:
        too_big = number >= h.maximum if h.maximum_exclusive else number > h.maximum
        if too_big:
            rel = "below" if h.maximum_exclusive else "at most"
            raise OptimizerError(f"{spec.name} {what} must be {rel} {h.maximum:g}: {number:g}")


def _coerce(spec: OptimizerSpec, h: HyperParam, value: Any) -> Any:
    if h.kind == "bool":
        if isinstance(value, bool | np.bool_):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise OptimizerError(f"{spec.name} {h.name} must be true or false, got '{value}'")
    if h.kind == "pair":
        if isinstance(value, str):  # "0.9, 0.999" or "(0.9, 0.999)", as typed or printed
            value = value.strip().removeprefix("(").removesuffix(")")
        parts = value.split(",") if isinstance(value, str) else value
        try:
            parts = list(parts)
        except TypeError:
            parts = [value]
        if len(parts) != 2:
            raise OptimizerError(f"{spec.name} {h.name} needs two numbers, e.g. 0.9,0.999")
        pair = tuple(_to_float(spec, h, p) for p in parts)
        for number in pair:
            _check_range(spec, h, number)
        return pair
    number = _to_float(spec, h, value)
    if h.kind == "int":
        if number != int(number):
            raise OptimizerError(f"{spec.name} {h.name} must be a whole number, got '{value}'")
        number = int(number)
    _check_range(spec, h, number)
    return number


def resolve_params(name: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Defaults of optimizer ``name`` updated with ``overrides`` (typed or text), validated."""
    spec = get_spec(name)
    params = spec.defaults()
    for key, value in (overrides or {}).items():
        params[key] = _coerce(spec, spec.param(key), value)
    if spec.name == "sgd" and params["nesterov"]:
        if params["momentum"] <= 0 or params["dampening"] != 0:
            raise OptimizerError("sgd nesterov needs momentum > 0 and dampening = 0")
    return params


def pack_params(spec: OptimizerSpec, params: Mapping[str, Any]) -> np.ndarray:
    """The hyper-parameters as the kernels read them: spec order, pairs flattened, bools 0/1."""
    values: list[float] = []
    for h in spec.hyper:
        value = params[h.name]
        if h.kind == "pair":
            values.extend(float(v) for v in value)
        else:
            values.append(float(value))
    out = np.zeros(HYPER_SLOTS)
    out[: len(values)] = values
    return out
