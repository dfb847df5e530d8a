"""*Lohnbüro-Einstellungen* on the Export screen: a DATEV export without BeraterNr and
MandantenNr is stopped before anything is written, with a sentence pointing at the form;
the form refuses malformed numbers (nothing saved) and saves good ones into
``export-settings.json``, after which the LODAS file is written with them."""

from __future__ import annotations

import json
from typing import Any

import flet as ft

from app.exports import settings as export_settings
from app.views import export
from app.views.state import StoreHolder
from tests.views.conftest import app_for, buttons, walk_controls

BERATER = "Beraternummer"
MANDANT = "Mandantennummer"


def type_into(view: Any, label: str, value: str) -> None:
    """What typing does: the field's value changes and its on_change runs."""
    box = next(c for c in walk_controls(view) if isinstance(c, ft.TextField) and c.label == label)
    box.value = value
    box.on_change(type("E", (), {"control": box})())


def set_numbers(app: Any, berater: str, mandant: str) -> None:
    view = export.build(app)
    type_into(view, BERATER, berater)
    type_into(view, MANDANT, mandant)
    buttons(view)["Lohnbüro-Einstellungen speichern"].on_click(None)


def test_payroll_datev_without_numbers_is_stopped_and_names_them(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Anna Becker")
    app.session.params = {"month": "2026-02"}
    buttons(export.build(app))["DATEV LODAS"].on_click(None)
    message, is_error = app.messages[-1]
    assert is_error
    assert "BeraterNr / MandantenNr" in message and "Lohnbüro-Einstellungen" in message
    assert "export-settings.json" in message
    assert not (demo_holder.directory / "exports").exists()


def test_payroll_form_refuses_bad_numbers_and_saves_good_ones(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Anna Becker")
    app.session.params = {"month": "2026-02"}
    for bad in ("abc", "12;3", "999", "12345678"):
        set_numbers(app, bad, "678")
        message, is_error = app.messages[-1]
        assert is_error and "berater_nr" in message, message
        assert not export_settings.path_for(demo_holder.directory).exists()
    set_numbers(app, "12345", "678")
    assert app.messages[-1] == ("Lohnbüro-Einstellungen gespeichert.", False)
    saved = json.loads(export_settings.path_for(demo_holder.directory).read_text("utf-8"))
    assert saved == {"berater_nr": "12345", "mandanten_nr": "678"}
    buttons(export.build(app))["DATEV LODAS"].on_click(None)
    message, is_error = app.messages[-1]
    assert not is_error, message
    lodas = (demo_holder.directory / "exports" / "lodas-2026-02.txt").read_bytes()
    assert b"BeraterNr=12345\r\nMandantenNr=678\r\n" in lodas
