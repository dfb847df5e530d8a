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
    assert shown.count("Nicht besetzt: 06:00–07:00 (Aufstehen) – planen") == 2
    # Delete Tuesday's need: one gap left.
    buttons(roster_forms._needs_form(app))[
        "Bedarf löschen: Di 06:00–07:00 Aufstehen"].on_click(None)
    assert texts(roster.build(app)).count(
        "Nicht besetzt: 06:00–07:00 (Aufstehen) – planen") == 1


def test_roster_needs_form_without_weekday_names_field(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Anna Becker")
    buttons(roster_forms._needs_form(app))["Bedarf speichern"].on_click(None)
    assert app.messages[-1] == ("Bitte mindestens einen Wochentag wählen.", True)
    assert planning.needs(app.services) == []


class Sheet:
    """The sheet's controls with counters for refresh and close (no page needed)."""

    def __init__(self, app, form):
        self.app, self.form, self.refreshed, self.closed = app, form, 0, 0

    def build(self):
        return roster_forms.shift_form(self.app, self.form, self.refresh, self.close)

    def refresh(self):
        self.refreshed += 1

    def close(self):
        self.closed += 1

    def press(self, label):
        buttons(self.build())[label].on_click(None)


def test_roster_sheet_prefilled_with_day_plans_shift_in_place(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Anna Becker")
    sheet = Sheet(app, roster_forms.sheet_form(app, "2026-03-12", "06:00", "07:00"))
    assert sheet.form["date"] == "2026-03-12" and sheet.form["start"] == "06:00"
    sheet.press("Ben Meyer")
    assert sheet.refreshed == 1 and sheet.form["assignee"]
    sheet.press("Dienst planen")
    assert app.messages[-1] == ("Dienst gespeichert.", False) and sheet.closed == 1
    assert "Bearbeiten: 06:00–07:00 · Ben Meyer · Arbeit" in texts(roster.build(app))


def test_roster_sheet_refusal_stays_open_and_says_why(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Anna Becker")
    sheet = Sheet(app, roster_forms.sheet_form(app, "2026-03-12", "25:00", "07:00"))
    sheet.press("Dienst planen")
    assert app.messages[-1][1] is True and sheet.closed == 0 and sheet.refreshed == 1


def test_roster_template_saved_then_fills_shift_form(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Anna Becker")
    sheet = Sheet(app, roster_forms.sheet_form(app, MONDAY.isoformat()))
    assert "Als Vorlage speichern" not in buttons(sheet.build())  # short until asked
    sheet.press("Mehr Angaben (Ort, Anleitung, Vorlage)")
    sheet.form.update(template_name="Morgen", instructions="Erst Kaffee",
                      checklist="Medikamente\nPost holen")
    sheet.press("Als Vorlage speichern")
    assert app.messages[-1] == ("Vorlage gespeichert.", False)
    # A fresh sheet: picking the template fills instructions and checklist.
    sheet = Sheet(app, roster_forms.sheet_form(app, MONDAY.isoformat()))
    sheet.form["more"] = True
    assert "Vorlage" in texts(sheet.build())
    sheet.press("Morgen")
    assert sheet.form["instructions"] == "Erst Kaffee"
    assert sheet.form["checklist"] == "Medikamente\nPost holen"
    assert "Erst Kaffee" in texts(sheet.build())


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


def test_roster_sheet_of_a_day_lists_its_shifts_to_edit(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Anna Becker")
    sheet = Sheet(app, roster_forms.sheet_form(app, "2026-03-11"))
    assert "Bearbeiten: 07:00–15:00 · Ben Meyer · Arbeit" in buttons(sheet.build())
    edit_id = demo_holder.services.shifts_between("2026-03-11T07:00", "2026-03-11T08:00")[0]["id"]
    edit = Sheet(app, roster_forms.sheet_form(app, "2026-03-11", edit_id=edit_id))
    assert edit.form["start"] == "07:00" and "Dienst absagen" in buttons(edit.build())
    assert not any(x.startswith("Bearbeiten:") for x in buttons(edit.build()))
