"""Screens built against a real demo store, handlers pressed like a user would."""

from __future__ import annotations

import flet as ft

from app.views import approvals, budget, my_shifts, roster, start, team, timesheet, today
from app.views.state import Session, StoreHolder
from tests.views.conftest import FakeApp, app_for, buttons, texts, walk_controls


def test_today_clock_in_break_and_out(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Ben Meyer")
    shown = texts(today.build(app))
    assert "Dienst beginnen" in shown
    assert any("07:00–15:00" in x for x in shown)  # Ben's Wednesday shift
    buttons(today.build(app))["Dienst beginnen"].on_click(None)
    assert app.messages[-1] == ("Dienst begonnen.", False)
    buttons(today.build(app))["Pause beginnen"].on_click(None)
    buttons(today.build(app))["Pause beenden"].on_click(None)
    buttons(today.build(app))["Dienst beenden"].on_click(None)
    assert app.messages[-1] == ("Dienst beendet.", False)
    assert any(x.startswith("Heute gesamt:") for x in texts(today.build(app)))


def test_today_in_leichte_sprache(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Ben Meyer")
    app.session.lang = "de-LS"
    assert "Ich fange an" in texts(today.build(app))


def test_roster_week_lists_demo_shifts_and_forms(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Anna Becker")
    shown = texts(roster.build(app))
    assert any("Ben Meyer" in x for x in shown)
    assert "Wochenplan anlegen" in shown and "Woche kopieren" in shown


def test_roster_month_has_many_shifts(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Anna Becker")
    app.session.params = {"mode": "month"}
    # One button per day; its day number carries the name of the whole day.
    cells = [c.semantics_label for c in walk_controls(roster.build(app))
             if isinstance(c, ft.Text) and ".03.2026: " in (c.semantics_label or "")]
    assert len(cells) == 31
    busy = [x for x in cells if "Arbeit" in x]
    assert len(busy) > 25 and all(x.endswith("– Dienst planen") for x in busy)


def test_timesheet_shows_previous_month_hours(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Clara Schmidt")
    app.session.params = {"month": "2026-02"}
    shown = texts(timesheet.build(app))
    total = next(x for x in shown if x.startswith("Stunden im Monat:"))
    assert float(total.split(":")[1].replace(",", ".")) > 40
    # One way to close the month: review on the sign screen, then sign there.
    assert "Einreichen" not in shown
    buttons(timesheet.build(app))["Prüfen und unterschreiben: 2026-02"].on_click(None)
    assert app.went[-1] == ("sign", {"month": "2026-02"})


def test_team_add_assistant_with_contract(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Anna Becker")
    app.session.params = {"team_form": {"role": "assistant", "employment": "minijob",
                                        "name": "Lena Vogel"}}
    buttons(team.build(app))["Hinzufügen"].on_click(None)
    services = demo_holder.services
    lena = services.member_by_name("Lena Vogel")
    assert services.contracts(lena["id"])[0]["employment"] == "minijob"


def test_team_add_without_name_names_field(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Anna Becker")
    buttons(team.build(app))["Hinzufügen"].on_click(None)
    form = app.session.params["team_form"]
    assert form["_error"] == ("name", "Dieses Feld darf nicht leer sein.")
    shown = team.build(app)  # the rebuilt form says it under *Name*
    assert "Dieses Feld darf nicht leer sein." in [getattr(c, "error", None) for c in
                                                   walk_controls(shown)]


def test_team_add_german_wage_and_bad_number(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Anna Becker")
    app.session.params = {"team_form": {"role": "assistant", "employment": "minijob",
                                        "name": "Lena Vogel", "hourly_wage": "14,50"}}
    assert "14,00" not in texts(team.build(app))
    buttons(team.build(app))["Hinzufügen"].on_click(None)
    lena = demo_holder.services.member_by_name("Lena Vogel")
    assert demo_holder.services.contracts(lena["id"])[0]["hourly_wage"] == "14.50"
    app.session.params["team_form"].update(name="Mia Roth", hourly_wage="viel")
    buttons(team.build(app))["Hinzufügen"].on_click(None)
    assert app.session.params["team_form"]["_error"][0] == "hourly_wage"
    assert app.session.params["team_form"]["name"] == "Mia Roth"  # kept, not cleared


def test_my_shifts_claim_then_approve(demo_holder: StoreHolder):
    services = demo_holder.services
    services.plan_shift("2026-03-12T08:00", "2026-03-12T12:00")
    app = app_for(demo_holder, "Emil Wagner")
    claim = next(b for label, b in buttons(my_shifts.build(app)).items()
                 if label.startswith("Übernehmen:"))
    claim.on_click(None)
    boss = app_for(demo_holder, "Anna Becker")
    approve = next(b for label, b in buttons(approvals.build(boss)).items()
                   if label.startswith("Freigeben:"))
    approve.on_click(None)
    assert boss.messages[-1] == ("Freigegeben.", False)
    assert not any(label.startswith("Übernehmen:")
                   for label in buttons(my_shifts.build(app)))


def test_budget_screen_shows_both_budgets(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Anna Becker")
    app.session.params = {"month": "2026-02"}
    lines = [x for x in texts(budget.build(app)) if x.startswith("Budget ")]
    assert len(lines) >= 2


def test_export_screen_writes_payroll_csv(demo_holder: StoreHolder):
    from app.views import export

    app = app_for(demo_holder, "Anna Becker")
    app.session.params = {"month": "2026-02"}
    buttons(export.build(app))["Lohnbüro (CSV)"].on_click(None)
    message, is_error = app.messages[-1]
    assert not is_error and message.startswith("Geschrieben: ")
    assert list((demo_holder.directory / "exports").glob("*.csv"))


def test_timesheet_assistant_adds_entry_employer_sees_correction(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Deniz Kaya")
    app.session.params = {"month": "2026-03", "forms": {"entry:new": {
        "date": "2026-03-09", "start": "08:00", "end": "11:30", "break_start": "",
        "break_end": "", "reason": "Stempeln vergessen"}}}
    buttons(timesheet.build(app))["Eintrag speichern"].on_click(None)
    assert app.messages[-1] == ("Eintrag gespeichert.", False)
    shown = texts(timesheet.build(app))
    assert any(x.startswith("Mo, 09.03.2026 08:00–11:30 · 3:30 Std.") for x in shown)
    boss = app_for(demo_holder, "Anna Becker")
    assert any("Stempeln vergessen" in x for x in texts(approvals.build(boss)))


def test_timesheet_entry_without_reason_is_refused(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Deniz Kaya")
    app.session.params = {"month": "2026-03", "forms": {"entry:new": {
        "date": "2026-03-09", "start": "08:00", "end": "11:30", "reason": ""}}}
    buttons(timesheet.build(app))["Eintrag speichern"].on_click(None)
    assert app.messages[-1][1] is True
    assert not any(x.startswith("2026-03-09 08:00") for x in texts(timesheet.build(app)))


def test_join_screen_bad_code_shows_message(holder: StoreHolder):
    from app.views import join
    from app.views.state import Session
    from tests.views.conftest import FakeApp

    app = FakeApp(Session(holder=holder))
    screen = join.build(app)
    fields = [c for c in screen.controls if hasattr(c, "password")]
    fields[0].value, fields[1].value, fields[2].value = "kein-code", "Lena", "geheim-123"
    buttons(screen)["Beitreten"].on_click(None)
    assert app.messages[-1][1] is True  # a clear message, no traceback
    assert not holder.exists()


def test_roster_warns_when_the_plan_exceeds_a_teilbudget(demo_holder: StoreHolder):
    services = demo_holder.services
    app = app_for(demo_holder, "Anna Becker")
    app.session.params["mode"] = "month"
    assert not [x for x in texts(roster.build(app)) if "übersteigt" in x]  # the demo fits
    warning = "Achtung: Kleines Budget: Der Plan übersteigt dieses Teilbudget."
    # A new, small Teilbudget that this month's early shifts are moved onto.
    funder = services.funders()[0]["id"]
    small = services.add_budget(funder, "Kleines Budget", "100.00", "2024-01-01")
    early = [s for s in services.shifts_between("2026-03-01T00:00", "2026-04-01T00:00")
             if s["start"][11:16] == "07:00"][:3]
    for shift in early:
        services.update_shift(shift["id"], budget_id=small)
    assert warning in texts(roster.build(app))


def test_today_says_morgen_and_flags_a_planned_shift_not_clocked(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Ben Meyer")  # Wednesday 09:30; Ben's shift began at 07:00
    shown = texts(today.build(app))
    assert any(x.startswith("Geplant, aber nicht gestempelt: Dienst heute, 07:00–15:00")
               for x in shown)
    buttons(today.build(app))["Im Stundenzettel nachtragen: 11.03.2026"].on_click(None)
    assert app.went[-1] == ("timesheet", {"month": "2026-03"})
    buttons(today.build(app))["Dienst beginnen"].on_click(None)  # clocked: no longer flagged
    flagged = [x for x in texts(today.build(app)) if x.startswith("Geplant, aber")]
    assert flagged == ["Geplant, aber nicht gestempelt: Dienst am Di, 10.03.2026, 07:00–15:00 Uhr."]


def test_today_names_tomorrows_shift_as_morgen(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Ben Meyer")
    services = demo_holder.services
    with services.store.acting_as(app.session.member_id or ""):
        services.clock_in(app.session.member_id)
        services.clock_out(app.session.member_id)
    later = app_for(demo_holder, "Clara Schmidt")  # Clara's next shift: today 15:00
    assert any(x.startswith("Dienst heute, 15:00") for x in texts(today.build(later)))
    shown = texts(my_shifts.build(app))
    assert any(x.startswith("Morgen, 07:00–15:00 Uhr") for x in shown)


def test_my_shifts_says_each_shift_once_with_its_instructions(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Ben Meyer")
    services = demo_holder.services
    mid = app.session.member_id or ""
    sid = services.shifts_between("2026-03-12T00:00", "2026-03-13T00:00", mid)[0]["id"]
    services.update_shift(sid, instructions="Rollstuhl laden", checklist=["Post holen"])
    shown = texts(my_shifts.build(app))
    assert "Anleitung: Rollstuhl laden" in shown and "• Post holen" in shown
    assert sum("07:00–15:00" in x for x in shown if "12.03.2026" in x or "Morgen" in x) == 1
    assert "Zum Tausch anbieten: Dienst 12.03.2026" in buttons(my_shifts.build(app))


def test_create_team_short_passphrase_keeps_input_error_at_field(holder: StoreHolder):
    app = FakeApp(Session(holder=holder))  # nobody yet: the first start
    form = app.session.params.setdefault("create", {})
    form.update(team_name="Team Sonne", your_name="Sara", passphrase="kurz",
                passphrase2="kurz")
    buttons(start.build_create(app))["Team anlegen"].on_click(None)
    assert form["_error"] == ("passphrase", "Die Passphrase braucht mindestens 8 Zeichen.")
    fields = {c.label: c for c in walk_controls(start.build_create(app))
              if isinstance(c, ft.TextField)}
    assert fields["Name des Teams"].value == "Team Sonne"  # nothing typed is lost
    assert fields["Passphrase"].error == "Die Passphrase braucht mindestens 8 Zeichen."
    assert app.session.focus_target is fields["Passphrase"]
    assert not holder.exists()
