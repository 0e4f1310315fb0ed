"""Playback state: playing or paused, and the speed in optimizer steps per second."""

from __future__ import annotations

import math

from psygnal import Signal

MIN_SPEED = 1.0
UNLIMITED = math.inf
"""Speed meaning "as fast as the engine goes"."""


class Playback:
    """Whether runs are stepping and how fast; actions (step, reset) are signals too."""

    playing_changed = Signal(bool, reemission="queued")
    """A rule may answer a change with another (Play with nothing to move): queued, every
    listener sees them in order and ends with the final value."""
    speed_changed = Signal(float)
    step_requested = Signal(int)
    """Take this many steps of every unfinished run now (works while paused)."""
    reset_requested = Signal()
    """Put every run back at its start."""
    can_move_changed = Signal(bool)
    """Whether Play (or Step) would move anything; kept by the application state's rules."""

    def __init__(self, speed: float = 60.0) -> None:
        self._playing = False
        self._speed = self._clamp(speed)
        self._can_move = False

    @staticmethod
    def _clamp(speed: float) -> float:
        speed = float(speed)
        if math.isnan(speed):
            return MIN_SPEED
        return max(MIN_SPEED, speed)

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def can_move(self) -> bool:
        """Whether Play would move anything (a run not done, or one Play resumes)."""
        return self._can_move

    def set_can_move(self, can_move: bool) -> None:
        if bool(can_move) != self._can_move:
            self._can_move = bool(can_move)
            self.can_move_changed.emit(self._can_move)

    @property
    def unlimited(self) -> bool:
        return math.isinf(self._speed)

    def set_playing(self, playing: bool) -> None:
        if bool(playing) != self._playing:
            self._playing = bool(playing)
            self.playing_changed.emit(self._playing)

    def toggle(self) -> None:
        self.set_playing(not self._playing)

    def set_speed(self, speed: float) -> None:
        speed = self._clamp(speed)
        if speed != self._speed:
            self._speed = speed
            self.speed_changed.emit(speed)

    def step(self, n: int = 1) -> None:
        self.step_requested.emit(max(1, int(n)))

    def reset(self) -> None:
        self.reset_requested.emit()

    def describe(self) -> str:
        if self.unlimited:
            return "as fast as possible"
        return f"{self._speed:g} step/s" if self._speed == 1 else f"{self._speed:g} steps/s"
