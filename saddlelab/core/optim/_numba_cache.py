"""Keep numba's on-disk cache honest for loops that inline code from other modules.

numba keys a cached function on the file that defines it (its modification time and size),
not on the modules whose ``register_jitable`` code it inlines. After an edit to one of
:data:`INLINED_SOURCES` it would load stale machine code for :mod:`._kernels` and
:mod:`._batch`. :func:`drop_stale_cache` removes a module's cache entries whenever the
module or any of those sources changed; call it at the top of the module, before the first
``numba.njit(cache=True)`` decorator compiles or loads anything.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

INLINED_SOURCES = ("_jitable.py", "_formulas.py", "_updates.py", "_rules.py", "_rows.py",
                   "_lanes.py", "../criticality.py")  # fmt: skip
"""The shared formulas the compiled loops inline (and how they are registered with numba)."""


def sources_digest(module_file: str | Path, deps: tuple[str, ...] = INLINED_SOURCES) -> str:
    here = Path(module_file).resolve()
    h = hashlib.sha256()
    for path in (here, *(here.parent / name for name in deps)):
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def drop_stale_cache(module_file: str | Path, deps: tuple[str, ...] = INLINED_SOURCES) -> bool:
    """Delete ``module_file``'s numba cache entries if its sources changed; True if it did.

    A read-only install is left alone: numba then caches elsewhere, and an upgrade replaces
    the module file itself, which numba does notice.
    """
    here = Path(module_file).resolve()
    cache = here.parent / "__pycache__"
    stamp = cache / f"{here.stem}.sources"
    digest = sources_digest(here, deps)
    try:
        if stamp.read_text() == digest:
            return False
    except OSError:
        pass
    try:
        cache.mkdir(exist_ok=True)
        for entry in cache.glob(f"{here.stem}.*.nb[ic]"):
            entry.unlink()
        stamp.write_text(digest)
    except OSError:
        return False
    return True
