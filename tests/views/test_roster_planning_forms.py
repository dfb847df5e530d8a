"""Roster forms for needs (Assistenzbedarf), templates and weekly-plan exceptions, pressed
like a user would against the demo store (today: Wednesday 2026-03-11)."""

from __future__ import annotations

from datetime import date

from app.store import planning
from app.views import roster, roster_forms
from app.views.state import StoreHolder
from tests.views.conftest import app_for, buttons, texts

MONDAY = date(2026, 3, 9)


def test_roster_needs_form_saves_per_weekday_and_gap_shows_in_week(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Anna Becker")
    form = app.session.params.setdefault("forms", {}).setdefault("need", {})
    buttons(roster_forms._needs_form(app))["Mo"].on_click(None)
    buttons(roster_forms._needs_form(app))["Di"].on_click(None)
    form.update(start="06:00", end="07:00", label="Aufstehen")
    buttons(roster_forms._needs_form(app))["Bedarf speichern"].on_click(None)
    assert app.messages[-1] == ("Bedarf gespeichert.", False)
    assert [n["weekday"] for n in planning.needs(app.services)] == [0, 1]
    shown = texts(roster.build(app))
    assert shown.count("Nicht besetzt: 06:00–07:00 (Aufstehen)") == 2
    # Delete Tuesday's need: one gap left.
    buttons(roster_forms._needs_form(app))[
        "Bedarf löschen: Di 06:00–07:00 Aufstehen"].on_click(None)
    assert texts(roster.build(app)).count("Nicht besetzt: 06:00–07:00 (Aufstehen)") == 1


def test_roster_needs_form_without_weekday_names_field(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Anna Becker")
    buttons(roster_forms._needs_form(app))["Bedarf speichern"].on_click(None)
    assert app.messages[-1] == ("Bitte mindestens einen Wochentag wählen.", True)
    assert planning.needs(app.services) == []


def test_roster_template_saved_then_fills_shift_form(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Anna Becker")
    form = app.session.params.setdefault("forms", {}).setdefault("shift:new", {})
    form.update(template_name="Morgen", instructions="Erst Kaffee",
                checklist="Medikamente\nPost holen")
    buttons(roster_forms._shift_form(app, MONDAY))["Als Vorlage speichern"].on_click(None)
    assert app.messages[-1] == ("Vorlage gespeichert.", False)
    # A fresh form: picking the template fills instructions and checklist.
    app.session.params["forms"].pop("shift:new")
    built = roster_forms._shift_form(app, MONDAY)
    assert "Vorlage" in texts(built)
    buttons(built)["Morgen"].on_click(None)
    form = app.session.params["forms"]["shift:new"]
    assert form["instructions"] == "Erst Kaffee"
    assert form["checklist"] == "Medikamente\nPost holen"
    assert "Erst Kaffee" in texts(roster_forms._shift_form(app, MONDAY))


def test_roster_weekly_form_skips_exception_dates(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Anna Becker")
    form = app.session.params.setdefault("forms", {}).setdefault("weekly", {})
    form.update(weekdays={"0", "1"}, start="22:00", end="23:00", first_day="2026-03-16",
                weeks="1", **{"except": "2026-03-17, "})
    buttons(roster_forms._weekly_form(app, MONDAY))["Wochenplan anlegen"].on_click(None)
    assert app.messages[-1] == ("1 Dienste geplant.", False)
    late = [s["start"] for s in app.services.shifts_between("2026-03-16T00:00",
                                                            "2026-03-23T00:00")
            if s["start"].endswith("T22:00") and s["end"].endswith("T23:00")]
    assert late == ["2026-03-16T22:00"]
