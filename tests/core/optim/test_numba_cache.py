"""numba's disk cache must not outlive an edit to code the cached loops inline."""

from __future__ import annotations

from saddlelab.core.optim._numba_cache import INLINED_SOURCES, drop_stale_cache


def _package(tmp_path):
    (tmp_path / "loops.py").write_text("a")
    for k, name in enumerate(INLINED_SOURCES):
        (tmp_path / name).write_text(f"source {k}")
    cache = tmp_path / "__pycache__"
    cache.mkdir()
    return tmp_path / "loops.py", cache


def _fill(cache):
    for name in ("loops.step-10.py311.nbi", "loops.step-10.py311.1.nbc", "other.f-1.py311.nbi"):
        (cache / name).write_text("compiled")


def test_cache_dropped_when_an_inlined_source_changes(tmp_path):
    module, cache = _package(tmp_path)
    _fill(cache)
    assert drop_stale_cache(module)  # first sight: no stamp, so the cache cannot be trusted
    _fill(cache)
    assert not drop_stale_cache(module)  # nothing changed: the compiled loops are kept
    assert (cache / "loops.step-10.py311.nbi").exists()
    (tmp_path / "_updates.py").write_text("c, edited")
    assert drop_stale_cache(module)
    _fill(cache)
    assert not drop_stale_cache(module)
    (tmp_path / "_rules.py").write_text("the optimizers, edited")  # any inlined source counts
    assert drop_stale_cache(module)
    assert not list(cache.glob("loops.*.nb*"))
    assert (cache / "other.f-1.py311.nbi").exists()  # other modules' entries are not touched
