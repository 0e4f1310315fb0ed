"""What the window tests do as a user would, shared by the test modules beside this one."""

from __future__ import annotations

COMPILE_TIMEOUT = 120_000
"""ms: the first step of an optimizer on a surface waits for numba's compilation."""


def choose_surface(window, surface_id: str) -> None:
    """Pick a built-in surface in the toolbar's list, as a user's choice does."""
    combo = window.surface_bar.combo
    index = combo.findData(surface_id)
    assert index >= 0
    combo.setCurrentIndex(index)
    combo.activated.emit(index)  # what a user's choice in the list emits


def type_surface(window, expr: str, variables: str, domain: str) -> str | None:
    """Type a loss in the Surface tab and apply it; the error shown under it, or None."""
    picker = window.surface_picker
    picker.expr_edit.setText(expr)
    picker.vars_edit.setText(variables)
    picker.domain_edit.setText(domain)
    picker.apply_button.click()
    return None if picker.error_label.isHidden() else picker.error_label.text()


def answer_file_dialogs(monkeypatch, save=None, open_=None) -> None:
    """Make the save (and open) file dialogs answer ``save`` (``open_``) without showing."""
    from PySide6 import QtWidgets

    for name, path in (("getSaveFileName", save), ("getOpenFileName", open_)):
        if path is not None:
            monkeypatch.setattr(QtWidgets.QFileDialog, name, lambda *a, p=path, **k: (str(p), ""))
