"""The built-in surface catalogue, read from ``saddlelab.resources/surfaces.toml``.

The file is loaded through :mod:`importlib.resources`, so it works from an installed wheel as
well as from a checkout.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .surface import Surface

CATALOGUE_FILE = "surfaces.toml"


@dataclass(frozen=True)
class SurfaceEntry:
    """One catalogue entry as data: what the picker lists before anything is compiled."""

    id: str
    name: str
    expression: str
    variables: tuple[str, ...]
    domain: tuple[tuple[float, float], ...]
    start: tuple[float, ...]
    description: str
    parameters: dict[str, float]

    def build(self) -> Surface:
        return Surface.from_expression(
            self.expression,
            self.variables,
            self.domain,
            parameters=self.parameters,
            id=self.id,
            name=self.name,
            description=self.description,
            start=self.start,
        )


class UnknownSurfaceError(KeyError):
    """No built-in surface has that id."""

    def __init__(self, surface_id: str) -> None:
        self.surface_id = surface_id
        known = ", ".join(e.id for e in entries())
        super().__init__(f"unknown surface '{surface_id}' (built-in: {known})")

    def __str__(self) -> str:
        return self.args[0]


@cache
def entries() -> tuple[SurfaceEntry, ...]:
    """All catalogue entries, in file order."""
    text = resources.files("saddlelab.resources").joinpath(CATALOGUE_FILE).read_text("utf-8")
    data = tomllib.loads(text)
    out = []
    for raw in data["surface"]:
        out.append(
            SurfaceEntry(
                id=raw["id"],
                name=raw["name"],
                expression=raw["expression"],
                variables=tuple(raw["variables"]),
                domain=tuple((float(lo), float(hi)) for lo, hi in raw["domain"]),
                start=tuple(float(s) for s in raw["start"]),
                description=" ".join(raw.get("description", "").split()),
                parameters={k: float(v) for k, v in raw.get("parameters", {}).items()},
            )
        )
    return tuple(out)


def ids() -> list[str]:
    return [e.id for e in entries()]


def entry(surface_id: str) -> SurfaceEntry:
    for e in entries():
        if e.id == surface_id:
            return e
    raise UnknownSurfaceError(surface_id)


@cache
def load(surface_id: str) -> Surface:
    """The compiled built-in surface ``surface_id`` (cached: surfaces are not mutated)."""
    return entry(surface_id).build()
