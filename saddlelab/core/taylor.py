"""The second-order Taylor model of a loss around a point (background.md section 2).

    L(θ) ≈ L(θ′) + (θ − θ′)ᵀ g + ½ (θ − θ′)ᵀ H (θ − θ′)

A :class:`TaylorModel` is a vectorized callable with the same calling convention as
``Surface.loss`` (grids ``model(X, Y)`` or points ``model(P)`` with P of shape (..., d)), and
renders itself with its actual numbers for display.

What is displayed drops what is zero within the analysis' tolerances (``zero_tolerances``):
a gradient component below the gradient tolerance, a Hessian entry below the eigenvalue
tolerance, a coordinate of the centre within a millionth of the domain, a loss below the
gradient tolerance. At a critical point found to 10⁻⁷ the lecture example then reads
``L ≈ 1 − 2·w1·w2``, as in the lecture, not ``... + 5.3·10⁻⁷·w2 ...``. Evaluating the model
always uses the exact numbers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .surface import Surface


def _num(x: float) -> str:
    text = f"{x:.4g}"
    return "0" if text in ("-0", "0") else text


def _latex_name(name: str) -> str:
    match = re.fullmatch(r"([A-Za-z]+)_?(\d+)", name)
    if match:
        return f"{match.group(1)}_{{{match.group(2)}}}"
    return name if len(name) == 1 else rf"\mathrm{{{name}}}"


@dataclass(frozen=True)
class ZeroTolerances:
    """Below these magnitudes a displayed number counts as zero (0 keeps every number)."""

    value: float = 0.0
    gradient: float = 0.0
    hessian: float = 0.0
    center: float = 0.0


def _snap(a: np.ndarray, tol: float) -> np.ndarray:
    return np.where(np.abs(a) <= tol, 0.0, a) + 0.0  # + 0.0: no negative zeros


class TaylorModel:
    """``value + Δ·gradient + ½ ΔᵀHΔ`` with ``Δ = θ − center``."""

    def __init__(
        self,
        center: Sequence[float],
        value: float,
        gradient: Sequence[float],
        hessian: Sequence[Sequence[float]],
        variables: Sequence[str] | None = None,
        zero: ZeroTolerances | None = None,
    ) -> None:
        self.center = np.asarray(center, dtype=float).reshape(-1)
        d = self.center.size
        self.value = float(value)
        self.gradient = np.asarray(gradient, dtype=float).reshape(d)
        self.hessian = np.asarray(hessian, dtype=float).reshape(d, d)
        self.variables = tuple(variables) if variables else tuple(f"x{i + 1}" for i in range(d))
        self.zero = zero or ZeroTolerances()

    def for_display(self) -> TaylorModel:
        """The model with every number that is zero within ``zero`` set to exactly 0."""
        z = self.zero
        return TaylorModel(
            _snap(self.center, z.center),
            float(_snap(np.array(self.value), z.value)),
            _snap(self.gradient, z.gradient),
            _snap(self.hessian, z.hessian),
            self.variables,
        )

    @property
    def ndim(self) -> int:
        return self.center.size

    def __repr__(self) -> str:
        return f"TaylorModel({self.text()!r} at {self.center.tolist()})"

    def __call__(self, *coords) -> np.ndarray:
        """The model at points, vectorized exactly like ``Surface.loss``."""
        d = self.ndim
        if len(coords) == 1 and np.ndim(coords[0]) >= 1 and np.shape(coords[0])[-1] == d:
            points = np.asarray(coords[0], dtype=float)
            deltas = [points[..., i] - self.center[i] for i in range(d)]
        elif len(coords) == d:
            deltas = [np.asarray(c, dtype=float) - self.center[i] for i, c in enumerate(coords)]
        else:
            raise ValueError(f"expected {d} coordinates or an array of shape (..., {d})")
        shape = np.broadcast_shapes(*(a.shape for a in deltas))
        out = np.full(shape, self.value)
        for i in range(d):
            out = out + self.gradient[i] * deltas[i]
            out = out + 0.5 * self.hessian[i, i] * deltas[i] ** 2
            for j in range(i + 1, d):
                out = out + self.hessian[i, j] * deltas[i] * deltas[j]
        return out

    def error(self, surface: Surface, point: Sequence[float]) -> float:
        """True loss minus the model at ``point`` (NaN where the loss is undefined)."""
        p = np.asarray(point, dtype=float).reshape(self.ndim)
        return float(surface.loss(p) - self(p))

    def coefficients(self) -> dict[str, float]:
        """Coefficients of the expanded polynomial in Δ: keys ``1``, ``dw1``, ``dw1^2``,
        ``dw1*dw2`` ... (using the variable names), so ``model = Σ coefficient · monomial``."""
        names = [f"d{v}" for v in self.variables]
        out = {"1": self.value}
        for i, name in enumerate(names):
            out[name] = float(self.gradient[i])
        for i in range(self.ndim):
            out[f"{names[i]}^2"] = float(0.5 * self.hessian[i, i])
            for j in range(i + 1, self.ndim):
                out[f"{names[i]}*{names[j]}"] = float(self.hessian[i, j])
        return out

    def _terms(self) -> tuple[list[tuple[float, list[int]]], list[tuple[float, list[int]]]]:
        """Non-zero linear terms and the terms of ΔᵀHΔ (not yet halved) as (coef, indices),
        from the displayed numbers (``for_display``)."""
        shown = self.for_display()
        g, h = shown.gradient, shown.hessian
        linear = [(float(x), [i]) for i, x in enumerate(g) if x != 0]
        quad: list[tuple[float, list[int]]] = []
        for i in range(self.ndim):
            if h[i, i] != 0:
                quad.append((float(h[i, i]), [i, i]))
            for j in range(i + 1, self.ndim):
                if h[i, j] != 0:
                    quad.append((float(2.0 * h[i, j]), [i, j]))
        return linear, quad

    def text(self) -> str:
        """The model as one legible line, e.g. ``L ≈ 1 + ½(−4·Δw1Δw2)``."""

        def monomial(idx: list[int]) -> str:
            if len(idx) == 2 and idx[0] == idx[1]:
                return f"Δ{self.variables[idx[0]]}²"
            return "".join(f"Δ{self.variables[i]}" for i in idx)

        def joined(terms: list[tuple[float, list[int]]]) -> str:
            parts = []
            for k, (c, idx) in enumerate(terms):
                sign = "−" if c < 0 else "+"
                body = f"{_num(abs(c))}·{monomial(idx)}"
                parts.append((sign if sign == "−" else "") + body if k == 0 else f" {sign} {body}")
            return "".join(parts)

        linear, quad = self._terms()
        out = f"L ≈ {_num(self.for_display().value).replace('-', '−')}"
        for c, idx in linear:
            out += f" {'−' if c < 0 else '+'} {_num(abs(c))}·{monomial(idx)}"
        if quad:
            out += f" + ½({joined(quad)})"
        return out

    def latex(self) -> str:
        """The model in LaTeX with its actual numbers."""
        names = [_latex_name(v) for v in self.variables]

        def monomial(idx: list[int]) -> str:
            if len(idx) == 2 and idx[0] == idx[1]:
                return rf"\Delta {names[idx[0]]}^{{2}}"
            return r"\,".join(rf"\Delta {names[i]}" for i in idx)

        linear, quad = self._terms()
        out = rf"L \approx {_num(self.for_display().value)}"
        for c, idx in linear:
            out += f" {'-' if c < 0 else '+'} {_num(abs(c))}\\,{monomial(idx)}"
        if quad:
            body = ""
            for k, (c, idx) in enumerate(quad):
                sign = "-" if c < 0 else "+"
                lead = ("-" if c < 0 else "") if k == 0 else f" {sign} "
                body += f"{lead}{_num(abs(c))}\\,{monomial(idx)}"
            out += rf" + \tfrac{{1}}{{2}}\left({body}\right)"
        return out
