"""The store API as views and the CLI use it: clock, breaks, entries, validation, rights."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.errors import InputError, NotFound, PermissionDenied
from tests.store.conftest import Team


def test_clock_in_break_and_out_records_minutes(team: Team) -> None:
    sv, ben = team.services, team.assistant
    shift = sv.plan_shift("2026-03-09T08:00", "2026-03-09T16:00", assignee_id=ben)
    with team.store.acting_as(ben):
        entry = sv.clock_in(ben)  # 07:00 UTC = 08:00 in Berlin
        team.clock.now += timedelta(hours=4)
        sv.start_break(ben)
        assert sv.on_break(ben)
        team.clock.now += timedelta(minutes=30)
        sv.end_break(ben)
        team.clock.now += timedelta(hours=3, minutes=30)
        sv.clock_out(ben, note="Alles gut")
    [row] = sv.month_entries(ben, "2026-03")
    assert row["id"] == entry and row["shift_id"] == shift
    assert (row["start"], row["end"]) == ("2026-03-09T08:00", "2026-03-09T16:00")
    assert row["breaks"] == [{"start": "2026-03-09T12:00", "end": "2026-03-09T12:30"}]
    assert row["minutes"] == 7 * 60 + 30
    assert row["note"] == "Alles gut"
    assert sv.month_summary(ben, "2026-03")["hours"] == "7.50"


def test_clock_in_twice_is_refused_and_writes_nothing(team: Team) -> None:
    sv, ben = team.services, team.assistant
    with team.store.acting_as(ben):
        sv.clock_in(ben)
        count = team.store.envelope_count()
        with pytest.raises(InputError, match="läuft schon"):
            sv.clock_in(ben)
    assert team.store.envelope_count() == count


def test_clock_out_without_duty_is_refused(team: Team) -> None:
    with team.store.acting_as(team.assistant), pytest.raises(InputError, match="kein Dienst"):
        team.services.clock_out(team.assistant)


def test_clock_out_ends_a_running_break(team: Team) -> None:
    sv, ben = team.services, team.assistant
    with team.store.acting_as(ben):
        sv.clock_in(ben)
        team.clock.now += timedelta(hours=1)
        sv.start_break(ben)
        team.clock.now += timedelta(minutes=20)
        sv.clock_out(ben)
    [row] = sv.month_entries(ben, "2026-03")
    assert row["breaks"][0]["end"] == row["end"] == "2026-03-09T09:20"
    assert row["minutes"] == 60


@pytest.mark.parametrize(("start", "end", "field"), [
    ("2026-03-09T10:00", "2026-03-09T09:00", "end"),
    ("2026-03-09T10:00", "2026-03-09T10:00", "end"),
    ("gestern", "2026-03-09T10:00", "start"),
])
def test_add_entry_rejects_bad_times_naming_the_field(team: Team, start, end, field) -> None:
    count = team.store.envelope_count()
    with pytest.raises(InputError) as err:
        team.services.add_entry(team.assistant, start, end, reason="vergessen")
    assert err.value.field == field
    assert team.store.envelope_count() == count


def test_add_entry_needs_a_reason_and_breaks_inside(team: Team) -> None:
    sv = team.services
    with pytest.raises(InputError) as err:
        sv.add_entry(team.assistant, "2026-03-02T08:00", "2026-03-02T12:00", reason=" ")
    assert err.value.field == "reason"
    with pytest.raises(InputError) as err:
        sv.add_entry(team.assistant, "2026-03-02T08:00", "2026-03-02T12:00", reason="Papier",
                     breaks=[{"start": "2026-03-02T11:45", "end": "2026-03-02T12:15"}])
    assert err.value.field == "breaks[0]"


def test_correct_entry_keeps_reason(team: Team) -> None:
    sv = team.services
    eid = sv.add_entry(team.assistant, "2026-03-02T08:00", "2026-03-02T12:00", reason="Papier")
    sv.correct_entry(eid, reason="Ende war 12:30", end="2026-03-02T12:30")
    row = sv.month_entries(team.assistant, "2026-03")[0]
    assert row["end"] == "2026-03-02T12:30" and row["correction_reason"] == "Ende war 12:30"


def test_assistant_may_not_plan_shifts_or_touch_others_entries(team: Team) -> None:
    sv, ben = team.services, team.assistant
    other = sv.add_member("Clara Schmidt", "assistant")
    with team.store.acting_as(ben):
        with pytest.raises(PermissionDenied):
            sv.plan_shift("2026-03-10T08:00", "2026-03-10T12:00")
        with pytest.raises(PermissionDenied):
            sv.add_entry(other, "2026-03-02T08:00", "2026-03-02T12:00", reason="fremd")
    assert sv.shifts_between("2026-03-01", "2026-04-01") == []


def test_shift_end_before_start_is_refused(team: Team) -> None:
    with pytest.raises(InputError) as err:
        team.services.plan_shift("2026-03-10T12:00", "2026-03-10T08:00")
    assert err.value.field == "shifts[0].end"


def test_shifts_between_finds_overlapping_and_hides_cancelled(team: Team) -> None:
    sv = team.services
    night = sv.plan_shift("2026-03-09T22:00", "2026-03-10T06:00", assignee_id=team.assistant)
    day = sv.plan_shift("2026-03-10T08:00", "2026-03-10T12:00")
    assert [s["id"] for s in sv.shifts_between("2026-03-10T00:00", "2026-03-11T00:00")] == [
        night, day]
    sv.cancel_shift(day)
    assert [s["id"] for s in sv.shifts_between("2026-03-10T00:00", "2026-03-11T00:00")] == [night]
    assert len(sv.shifts_between("2026-03-10T00:00", "2026-03-11T00:00",
                                 include_cancelled=True)) == 2


def test_night_across_dst_change_counts_seven_hours(team: Team) -> None:
    sv = team.services
    sv.add_entry(team.assistant, "2026-03-28T22:00", "2026-03-29T06:00", reason="Nacht")
    assert sv.month_entries(team.assistant, "2026-03")[0]["minutes"] == 7 * 60


def test_unknown_member_and_bad_month_are_named(team: Team) -> None:
    with pytest.raises(NotFound):
        team.services.member_by_name("Niemand")
    with pytest.raises(InputError) as err:
        team.services.month_entries(team.assistant, "März")
    assert err.value.field == "month"


def test_contract_on_picks_the_latest_valid(team: Team) -> None:
    sv = team.services
    sv.set_contract(team.assistant, "2026-07-01", "17.00")
    assert sv.contract_on(team.assistant, "2026-06-30")["hourly_wage"] == "16.00"
    assert sv.contract_on(team.assistant, "2026-07-01")["hourly_wage"] == "17.00"
    assert sv.contract_on(team.assistant, "2025-12-31") is None
