"""Reading a session file as hostile input: every part checked, one line naming the part.

:func:`parse` turns the text into plain Python data (JSON with no NaN, no infinities, no
numbers too long to read, nesting at most :data:`MAX_DEPTH` deep); :class:`Reader` walks it
with the path of each value (``runs[2].optimizer``) so a :class:`SessionError` says where the
file is wrong. Nothing here builds application state.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from saddlelab.core.limits import echo, whole_number
from saddlelab.core.numbers import fmt

MAX_BYTES = 5_000_000
"""Largest session file read (a session of 64 runs with many edits is under 1 MB)."""
MAX_DEPTH = 12
"""Deepest nesting of objects and lists anywhere in a session file."""
MAX_TEXT = 4000
"""Longest text value (an expression, a schedule, a reason)."""
MAX_NUMBER_DIGITS = 40
"""Longest whole number literal read (longer ones are refused before Python converts them)."""
MAX_RUNS = 64
MAX_EDITS = 50_000
"""Most recorded changes per run (changes at one step are merged as they come)."""
MAX_SAVED_STEPS = 10_000_000
"""Most steps a saved run may have taken (it is replayed when the session opens: about 5 s
compiled on 2 cores)."""
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


class SessionError(Exception):
    """A session file that cannot be used, with one line saying where and why."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number out of range: {echo(text)}")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise ValueError(f"number too long: {echo(text)}")
    return int(text)


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not a number a session may hold")


def parse(text: str, source: str) -> dict:
    """The JSON object in ``text`` (SessionError naming ``source`` otherwise)."""
    if len(text) > MAX_BYTES:
        raise SessionError(f"{source}: larger than {MAX_BYTES // 1_000_000} MB: not a session")
    try:
        data = json.loads(text, parse_float=_finite_float, parse_int=_bounded_int,
                          parse_constant=_no_constant)  # fmt: skip
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        if not text.strip():
            raise SessionError(f"{source}: empty: not a session") from None
        what = "ends too early (truncated?)" if error.pos >= len(text.rstrip()) else error.msg
        raise SessionError(f"{source}: not valid JSON at {where}: {what}") from None
    except RecursionError:
        raise SessionError(f"{source}: nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as error:
        raise SessionError(f"{source}: {error}") from None
    if _depth(data) > MAX_DEPTH:
        raise SessionError(f"{source}: nested more than {MAX_DEPTH} levels deep")
    if not isinstance(data, dict):
        raise SessionError(f"{source}: not a session (the file holds no JSON object)")
    return data


def _depth(value: Any) -> int:
    depth, level = 0, [value]
    while level:
        depth += 1
        if depth > MAX_DEPTH + 1:
            return depth
        nxt: list = []
        for v in level:
            if isinstance(v, dict):
                nxt.extend(v.values())
            elif isinstance(v, list):
                nxt.extend(v)
        level = nxt
    return depth - 1


class Reader:
    """Typed access to one part of the parsed file; errors name the part's path."""

    def __init__(self, source: str, path: str = "") -> None:
        self.source = source
        self.path = path

    def at(self, key: str | int) -> Reader:
        if isinstance(key, int):
            return Reader(self.source, f"{self.path}[{key}]")
        return Reader(self.source, f"{self.path}.{key}" if self.path else key)

    def fail(self, message: str) -> SessionError:
        where = f"{self.source}: {self.path}: " if self.path else f"{self.source}: "
        return SessionError(where + message)

    def guard(self, call: Callable[[], Any]) -> Any:
        """``call()``, its ValueError/TypeError (and the engine's errors) as this part's."""
        from saddlelab.core.expression_error import ExpressionError
        from saddlelab.core.optim import OptimizerError

        try:
            return call()
        except (ValueError, TypeError, OverflowError, OptimizerError, ExpressionError) as error:
            raise self.fail(str(error) or type(error).__name__) from None

    # -- shapes -------------------------------------------------------------------------------
    def fields(
        self, value: Any, required: Iterable[str], optional: Iterable[str] = ()
    ) -> dict[str, Any]:
        """``value`` as an object with exactly these keys (optional ones may be missing)."""
        if not isinstance(value, dict):
            raise self.fail(f"must be an object, got {_kind(value)}")
        required, known = tuple(required), {*required, *optional}
        for key in value:
            if key not in known:
                raise self.fail(f"unknown key '{echo(key)}'")
        for key in required:
            if key not in value:
                raise self.at(key).fail("missing")
        return value

    def items(self, value: Any, most: int) -> list:
        if not isinstance(value, list):
            raise self.fail(f"must be a list, got {_kind(value)}")
        if len(value) > most:
            raise self.fail(f"at most {most} entries, got {len(value)}")
        return value

    # -- values -------------------------------------------------------------------------------
    def number(self, value: Any, low: float = -math.inf, high: float = math.inf,
               above: bool = False) -> float:  # fmt: skip
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"must be a number, got {_kind(value)}")
        number = float(value)
        if not math.isfinite(number):
            raise self.fail("must be a finite number")
        if number < low or number > high or (above and number == low):
            bound = f"{'>' if above else '>='} {fmt(low, plain=True)}"
            raise self.fail(f"must be {bound} and <= {fmt(high, plain=True)}, got "
                            f"{fmt(number, plain=True)}")  # fmt: skip
        return number

    def whole(self, value: Any, maximum: int, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"must be a whole number, got {_kind(value)}")
        try:
            return whole_number(value, "", minimum, maximum)
        except ValueError as error:
            raise self.fail(str(error).strip()) from None

    def text(self, value: Any, most: int = MAX_TEXT) -> str:
        if not isinstance(value, str):
            raise self.fail(f"must be text, got {_kind(value)}")
        if len(value) > most:
            raise self.fail(f"at most {most} characters, got {len(value)}")
        return value

    def flag(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.fail(f"must be true or false, got {_kind(value)}")
        return value

    def point(self, value: Any, ndim: int) -> tuple[float, ...]:
        values = self.items(value, 16)
        if len(values) != ndim:
            raise self.fail(f"needs {ndim} coordinates, got {len(values)}")
        return tuple(self.at(i).number(v, -1e300, 1e300) for i, v in enumerate(values))

    def colour(self, value: Any) -> str:
        text = self.text(value, 16)
        if not _COLOUR.fullmatch(text):
            raise self.fail(f"must be a colour like #ff7f0e, got '{echo(text)}'")
        return text.lower()

    def choice(self, value: Any, options: Iterable[str]) -> str:
        options = tuple(options)
        text = self.text(value, 64)
        if text not in options:
            raise self.fail(f"must be one of {', '.join(options)}, got '{echo(text)}'")
        return text

    def numbers(self, value: Any) -> dict:
        """An object of short keys to finite numbers or short lists of them (the camera)."""
        if not isinstance(value, dict):
            raise self.fail(f"must be an object, got {_kind(value)}")
        if len(value) > 32:
            raise self.fail(f"at most 32 keys, got {len(value)}")
        for key, item in value.items():
            part = self.at(key)
            if len(key) > 64:
                raise self.fail(f"key '{echo(key)}' is longer than 64 characters")
            if isinstance(item, list):
                for i, v in enumerate(part.items(item, 16)):
                    part.at(i).number(v)
            else:
                part.number(item)
        return value

    def plain(self, value: Any, most_keys: int = 64) -> dict:
        """A dict of short text keys to finite numbers, text, flags, null, or lists/objects of
        those (the camera, the extras): stored as given."""
        if not isinstance(value, dict):
            raise self.fail(f"must be an object, got {_kind(value)}")
        if len(value) > most_keys:
            raise self.fail(f"at most {most_keys} keys, got {len(value)}")
        for key, item in value.items():
            if len(key) > 64:
                raise self.fail(f"key '{echo(key)}' is longer than 64 characters")
            self.at(key)._plain_value(item)
        return value

    def _plain_value(self, value: Any) -> None:
        if value is None or isinstance(value, bool):
            return
        if isinstance(value, int | float):
            self.number(value)
        elif isinstance(value, str):
            self.text(value)
        elif isinstance(value, list):
            for i, item in enumerate(self.items(value, 1024)):
                self.at(i)._plain_value(item)
        elif isinstance(value, dict):
            self.plain(value)
        else:  # pragma: no cover (json gives no other types)
            raise self.fail(f"unexpected {_kind(value)}")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return f"text '{echo(value)}'"
    if isinstance(value, list):
        return "a list"
    return "an object"
