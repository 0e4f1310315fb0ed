"""Fixtures of the export tests."""

from __future__ import annotations

import pytest
from export_helpers import lecture_state

from saddlelab.models.app_state import AppState


@pytest.fixture(scope="module")
def lecture() -> AppState:
    return lecture_state()
