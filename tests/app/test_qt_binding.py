"""Guard against Qt bindings that corrupt Python's reference counts.

PySide6 6.12.0 on CPython 3.11 dropped a reference to ``None`` on every void method call and
to ``True`` on every signal emit, so a window updating at 60 Hz aborted with "Fatal Python
error: none_dealloc" after seconds. pyproject.toml excludes it; this test catches a binding
with the same fault before a user does (it measures counts, long before a crash).
"""

from __future__ import annotations

import sys

from PySide6 import QtCore, QtWidgets


class _Emitter(QtCore.QObject):
    fired = QtCore.Signal()


def test_void_calls_keep_none_refcount(qtbot):
    label = QtWidgets.QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(1000):
        label.setText("x")
    assert sys.getrefcount(None) - before >= -10


def test_signal_emit_keeps_true_refcount(qtbot):
    emitter = _Emitter()
    emitter.fired.connect(lambda: None)
    before = sys.getrefcount(True)
    for _ in range(1000):
        emitter.fired.emit()
    assert sys.getrefcount(True) - before >= -10
