"""Write a file completely or not at all: exporters write to a hidden temporary name beside the
target and rename it when done, so a cancelled or failed export leaves no half-written file."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path (same folder and suffix) that becomes ``path`` on success."""
    path = Path(path)
    temp = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.part{path.suffix}")
    try:
        yield temp
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
