"""Pay figures and plan warnings as the screens get them."""

from __future__ import annotations

from app.store import reports
from tests.store.conftest import Team


def test_month_report_matches_the_pay_engine_for_a_sunday_night(team: Team) -> None:
    sv = team.services
    # Fixture E1: Sunday 22:00 to Monday 06:00 at 16 €/h.
    sv.add_entry(team.assistant, "2026-03-08T22:00", "2026-03-09T06:00", reason="Nacht")
    report = reports.month_report(sv, team.assistant, "2026-03")
    assert report["problem"] is None
    assert report["hours"]["base"] == "8.00" and report["hours"]["sunday50"] == "6.00"
    assert report["pay"]["gross"] == "217.60"
    assert "ARBZG_BREAK" in [w["code"] for w in report["warnings"]]


def test_month_report_while_on_duty_explains_instead_of_failing(team: Team) -> None:
    with team.store.acting_as(team.assistant):
        team.services.clock_in(team.assistant)
    report = reports.month_report(team.services, team.assistant, "2026-03")
    assert report["hours"] is None and "im Dienst" in report["problem"]
    assert len(report["entries"]) == 1


def test_plan_warnings_flag_an_eleven_hour_shift(team: Team) -> None:
    sv = team.services
    long_shift = sv.plan_shift("2026-03-14T07:00", "2026-03-14T18:00", assignee_id=team.assistant)
    fine = sv.plan_shift("2026-03-16T08:00", "2026-03-16T12:00", assignee_id=team.assistant)
    warnings = reports.plan_warnings(sv, team.assistant, "2026-03")
    codes = {w["code"] for w in warnings if w["shift_id"] == long_shift}
    assert codes == {"ARBZG_DAILY_MAX"}  # breaks are judged on the timesheet, not the plan
    assert not [w for w in warnings if w["shift_id"] == fine]
    assert all(w["message_de"] and w["message_en"] for w in warnings)


def test_plan_warnings_flag_a_minijob_month_over_the_limit(team: Team) -> None:
    sv = team.services
    mini = sv.add_member("Deniz Kaya", "assistant")
    sv.set_contract(mini, "2026-01-01", "14.00", "minijob", "10")
    sv.plan_shifts([{"start": f"2026-04-{d:02d}T08:00", "end": f"2026-04-{d:02d}T13:00",
                     "assignee_id": mini} for d in range(1, 11)])  # 50 h × 14 € = 700 €
    month_level = [w for w in reports.plan_warnings(sv, mini, "2026-04") if w["shift_id"] is None]
    assert [w["code"] for w in month_level] == ["MINIJOB_LIMIT"]
