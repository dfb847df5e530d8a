"""Store functions behind the screens: weekly plans, copying weeks (``planning``), requests,
handover, availability (``teamwork``), cost per budget (``reports``)."""

from __future__ import annotations

import pytest

from app.errors import InputError
from app.store import planning, reports, teamwork
from app.views.state import StoreHolder


def test_weekly_specs_skip_days_before_first_and_wrap_night():
    specs = planning.weekly_specs("2026-03-11", [0, 2, 4], "21:00", "07:00", 2)
    assert [s["start"] for s in specs] == [
        "2026-03-11T21:00", "2026-03-13T21:00", "2026-03-16T21:00", "2026-03-18T21:00",
        "2026-03-20T21:00"]
    assert specs[0]["end"] == "2026-03-12T07:00"


@pytest.mark.parametrize(("args", "field"), [
    (("2026-03-11", [], "08:00", "12:00", 1), "weekdays"),
    (("2026-03-11", [1], "8 Uhr", "12:00", 1), "start_time"),
    (("2026-13-11", [1], "08:00", "12:00", 1), "first_day"),
    (("2026-03-11", [1], "08:00", "12:00", 0), "weeks"),
])
def test_weekly_specs_bad_input_names_field(args, field):
    with pytest.raises(InputError) as err:
        planning.weekly_specs(*args)
    assert err.value.field == field


def test_plan_weekly_and_copy_week(demo_holder: StoreHolder):
    services = demo_holder.services
    ben = services.member_by_name("Ben Meyer")["id"]
    ids = planning.plan_weekly(services, "2026-06-01", [0, 1], "08:00", "12:00", 2,
                               assignee_id=ben)
    assert len(ids) == 4
    assert {services.shift(i)["plan_id"] for i in ids} != {None}
    copied = planning.copy_week(services, "2026-06-01", "2026-06-15")
    assert len(copied) == 2
    assert services.shift(copied[0])["start"] == "2026-06-15T08:00"
    assert services.shift(copied[0])["assignee_id"] == ben


def test_claim_request_approved_assigns_shift(demo_holder: StoreHolder):
    services = demo_holder.services
    store = services.store
    anna = services.member_by_name("Anna Becker")["id"]
    deniz = services.member_by_name("Deniz Kaya")["id"]
    sid = services.plan_shift("2026-03-20T08:00", "2026-03-20T12:00")
    with store.acting_as(deniz):
        rid = teamwork.make_request(services, deniz, "claim", sid)
        with pytest.raises(InputError):
            teamwork.make_request(services, deniz, "claim", sid)  # already open
    with store.acting_as(anna):
        teamwork.decide_request(services, rid, True, anna, "danke")
    assert services.shift(sid)["assignee_id"] == deniz
    assert teamwork.requests(services, "open") == []
    with pytest.raises(InputError):
        teamwork.decide_request(services, rid, False, anna)


def test_swap_needs_own_shift(demo_holder: StoreHolder):
    services = demo_holder.services
    deniz = services.member_by_name("Deniz Kaya")["id"]
    sid = services.plan_shift("2026-03-20T08:00", "2026-03-20T12:00")
    with pytest.raises(InputError) as err:
        teamwork.make_request(services, deniz, "swap", sid)
    assert err.value.field == "shift"


def test_handover_written_by_assistant(demo_holder: StoreHolder):
    services = demo_holder.services
    ben = services.member_by_name("Ben Meyer")["id"]
    with services.store.acting_as(ben):
        teamwork.write_handover(services, ben, "Rollstuhl lädt.")
        with pytest.raises(InputError):
            teamwork.write_handover(services, ben, "   ")
    assert teamwork.handovers(services)[0]["text"] == "Rollstuhl lädt."


def test_budget_costs_planned_and_actual(demo_holder: StoreHolder):
    rows = reports.budget_costs(demo_holder.services, "2026-02")
    assert len(rows) >= 2
    assert all(float(r["planned"]) > 0 and float(r["actual"]) > 0 for r in rows[:2])
    assert all(set(r) >= {"name", "monthly_amount", "planned", "actual", "over"} for r in rows)


def test_availability_checks_order(demo_holder: StoreHolder):
    services = demo_holder.services
    ben = services.member_by_name("Ben Meyer")["id"]
    with services.store.acting_as(ben):
        teamwork.set_availability(services, ben, "2026-03-21T08:00", "2026-03-21T12:00", False)
        with pytest.raises(InputError):
            teamwork.set_availability(services, ben, "2026-03-21T12:00", "2026-03-21T08:00")
    assert teamwork.availability(services, ben)[0]["available"] is False


def test_weekly_specs_except_dates_are_skipped():
    specs = planning.weekly_specs("2026-03-09", [0, 2], "08:00", "14:00", 2,
                                  except_dates=["2026-03-11", " 2026-03-16", ""])
    assert [s["start"] for s in specs] == ["2026-03-09T08:00", "2026-03-18T08:00"]


def test_weekly_specs_bad_exception_names_field():
    with pytest.raises(InputError) as err:
        planning.weekly_specs("2026-03-09", [0], "08:00", "14:00", 1,
                              except_dates=["11.03.2026"])
    assert err.value.field == "except_dates"
