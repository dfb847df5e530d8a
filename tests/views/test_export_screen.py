"""The *Export* screen against a real demo store: *Alle Formate* writes every file while the
progress bar and the live status line follow ``export_month``'s steps; the files are listed,
each with *Speichern unter…*, which hands the file's bytes to Flet's ``FilePicker.save_file``
(a recording stand-in here: a real save dialog cannot be driven headless)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import flet as ft
import pytest

from app.views import export
from app.views.state import StoreHolder
from tests.conftest import run_async
from tests.views.conftest import app_for, buttons, texts, walk_controls
from tests.views.test_payroll_settings import set_numbers


def find(control: Any, cls: type) -> list[Any]:
    return [c for c in walk_controls(control, ("content", "controls")) if isinstance(c, cls)]


class FakePicker:
    """Records what ``save_file`` was given; answers like the desktop dialog would."""

    def __init__(self, answer: str | None = "/home/anna/x", error: Exception | None = None):
        self.calls: list[dict[str, Any]] = []
        self.answer, self.error = answer, error

    async def save_file(self, **kw: Any) -> str | None:
        self.calls.append(kw)
        if self.error:
            raise self.error
        return self.answer


def export_all(demo_holder: StoreHolder, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    app = app_for(demo_holder, "Anna Becker")
    app.session.params = {"month": "2026-02"}
    set_numbers(app, "12345", "678")  # DATEV needs the payroll office's numbers first
    view = export.build(app)
    steps: list[tuple[float, str]] = []
    bar = find(view, ft.ProgressBar)[0]
    status = next(t for t in find(view, ft.Text) if t.value == "")  # the status line
    real = export.export_month

    def spy(*a: Any, **kw: Any) -> Any:
        outer = kw["progress"]

        def progress(done: int, total: int, label: str) -> None:
            outer(done, total, label)
            steps.append((bar.value, status.value))
        return real(*a, **{**kw, "progress": progress})

    with monkeypatch.context() as patch:
        patch.setattr(export, "export_month", spy)
        buttons(view)["Alle Formate exportieren"].on_click(None)
    return app, steps


def test_export_all_formats_reports_progress_and_lists_files(demo_holder: StoreHolder,
                                                             monkeypatch: pytest.MonkeyPatch):
    app, steps = export_all(demo_holder, monkeypatch)
    message, is_error = app.messages[-1]
    assert not is_error, message
    assert message.startswith("Export fertig:")
    files = [Path(p) for p in app.session.params["files"]]
    assert files and all(p.exists() and p.stat().st_size > 0 for p in files)
    suffixes = {p.suffix for p in files}
    assert {".csv", ".txt", ".pdf"} <= suffixes or {".csv", ".pdf"} <= suffixes
    # the bar moves forward to 100 % and the status line names each step
    values = [v for v, _ in steps]
    assert values == sorted(values) and values[-1] == 1.0 and len(values) >= 6
    assert all(text.startswith("Schritt ") for _, text in steps)
    # the bundle is skipped for unsigned months, in a plain sentence
    assert "noch nicht unterschrieben" in message
    again = export.build(app)  # the rebuilt page keeps the full bar and the last step
    assert find(again, ft.ProgressBar)[0].value == 1
    assert steps[-1][1] in texts(again)
    shown = buttons(again)
    for path in files:
        assert f"Speichern unter …: {path.name}" in shown


def test_export_progress_bar_and_status_have_accessible_names(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Anna Becker")
    view = export.build(app)
    assert find(view, ft.ProgressBar)[0].semantics_label == "Fortschritt des Exports"
    live = [c for c in find(view, ft.Semantics) if c.identifier == "export-status"]
    assert live and live[0].live_region is True
    labels = set(buttons(view))
    assert "Alle Formate exportieren" in labels
    assert "Signierte Stundenzettel (JSON)" in labels


def test_export_save_as_hands_bytes_to_file_picker(demo_holder: StoreHolder,
                                                   monkeypatch: pytest.MonkeyPatch):
    app, _ = export_all(demo_holder, monkeypatch)
    path = Path(app.session.params["files"][0])
    picker = FakePicker(answer=None)  # the web picker downloads and returns no path
    monkeypatch.setattr(export, "picker", lambda: picker)
    save = buttons(export.build(app))[f"Speichern unter …: {path.name}"]
    run_async(save.on_click(SimpleNamespace(page=SimpleNamespace(web=True))))
    assert picker.calls[0]["src_bytes"] == path.read_bytes()
    assert picker.calls[0]["file_name"] == path.name
    assert app.messages[-1] == (f"Gespeichert: {path.name}.", False)


def test_export_save_as_cancel_and_failure_are_said(demo_holder: StoreHolder,
                                                    monkeypatch: pytest.MonkeyPatch):
    app, _ = export_all(demo_holder, monkeypatch)
    path = Path(app.session.params["files"][0])
    desktop = SimpleNamespace(page=SimpleNamespace(web=False))
    monkeypatch.setattr(export, "picker", lambda: FakePicker(answer=None))
    save = buttons(export.build(app))[f"Speichern unter …: {path.name}"]
    run_async(save.on_click(desktop))
    assert app.messages[-1] == ("Speichern abgebrochen.", False)
    monkeypatch.setattr(export, "picker",
                        lambda: FakePicker(error=ValueError('"file_name" is required')))
    run_async(export.save_as(app, path, web=True))
    text, is_error = app.messages[-1]
    assert is_error and path.name in text and "file_name" in text
    path.unlink()
    run_async(export.save_as(app, path, web=False))
    assert app.messages[-1][1] is True  # the file vanished: said, no traceback


def test_export_empty_month_says_so(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Anna Becker")
    app.session.params = {"month": "2019-01"}
    buttons(export.build(app))["Lohnbüro (CSV)"].on_click(None)
    text, is_error = app.messages[-1]
    assert is_error and "2019-01" in text
    assert "Geschriebene Dateien" not in texts(export.build(app))
