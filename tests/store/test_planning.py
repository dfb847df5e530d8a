"""Planning service: needs (Assistenzbedarf), their uncovered gaps, and templates."""

from __future__ import annotations

import pytest

from app.errors import InputError, NotFound
from app.store import planning

MONDAY = "2026-03-09"  # a Monday


def test_planning_needs_set_list_delete(team):
    s = team.services
    late = planning.set_need(s, 0, "20:00", "22:00", "Abend")
    early = planning.set_need(s, 0, "06:00", "07:00", " Aufstehen ")
    assert [(n["weekday"], n["start"], n["label"]) for n in planning.needs(s)] == [
        (0, "06:00", "Aufstehen"), (0, "20:00", "Abend")]
    planning.delete_need(s, early)
    assert [n["id"] for n in planning.needs(s)] == [late]
    with pytest.raises(NotFound):
        planning.delete_need(s, early)


@pytest.mark.parametrize("args, field", [
    ((7, "06:00", "07:00"), "weekday"), ((0, "6 Uhr", "07:00"), "start_time"),
    ((0, "06:00", "25:00"), "end_time")])
def test_planning_need_bad_input_names_field_and_writes_nothing(team, args, field):
    with pytest.raises(InputError) as err:
        planning.set_need(team.services, *args)
    assert err.value.field == field
    assert planning.needs(team.services) == []


def test_planning_uncovered_gap_until_an_assigned_shift_covers_it(team):
    s = team.services
    planning.set_need(s, 0, "06:00", "07:00", "Aufstehen")
    gaps = planning.uncovered(s, MONDAY, "2026-03-16")
    assert gaps == [{"start": "2026-03-09T06:00", "end": "2026-03-09T07:00",
                     "label": "Aufstehen"}]
    # An open shift (no assignee) covers nothing.
    open_id = s.plan_shift("2026-03-09T06:00", "2026-03-09T07:00")
    assert planning.uncovered(s, MONDAY, "2026-03-16") == gaps
    s.cancel_shift(open_id)
    shift = s.plan_shift("2026-03-09T06:30", "2026-03-09T07:00", assignee_id=team.assistant)
    assert planning.uncovered(s, MONDAY, "2026-03-16") == [
        {"start": "2026-03-09T06:00", "end": "2026-03-09T06:30", "label": "Aufstehen"}]
    s.update_shift(shift, start="2026-03-09T06:00")
    assert planning.uncovered(s, MONDAY, "2026-03-16") == []
    # A cancelled shift no longer covers.
    s.cancel_shift(shift)
    assert len(planning.uncovered(s, MONDAY, "2026-03-16")) == 1


def test_planning_uncovered_every_matching_day_and_night_needs(team):
    s = team.services
    planning.set_need(s, 2, "22:00", "06:00", "Nacht")  # Wednesday night
    s.plan_shift("2026-03-11T22:00", "2026-03-12T02:00", assignee_id=team.assistant)
    gaps = planning.uncovered(s, MONDAY, "2026-03-23")  # two weeks
    assert gaps == [
        {"start": "2026-03-12T02:00", "end": "2026-03-12T06:00", "label": "Nacht"},
        {"start": "2026-03-18T22:00", "end": "2026-03-19T06:00", "label": "Nacht"}]
    assert planning.uncovered(s, MONDAY, MONDAY) == []


def test_planning_templates_save_replace_delete(team):
    s = team.services
    tid = planning.save_template(s, "Morgen", "Erst Kaffee", ["Aufstehen", " ", "Waschen"])
    assert planning.template(s, tid)["checklist"] == ["Aufstehen", "Waschen"]
    # Same name: the template is replaced, not duplicated.
    assert planning.save_template(s, "morgen", "Tee", []) == tid
    assert [(t["name"], t["instructions"]) for t in planning.templates(s)] == [("morgen", "Tee")]
    with pytest.raises(InputError) as err:
        planning.save_template(s, "  ", "x")
    assert err.value.field == "template_name"
    planning.delete_template(s, tid)
    assert planning.templates(s) == []


def test_planning_assistant_may_not_write_needs(team):
    from app.errors import PermissionDenied
    with team.store.acting_as(team.assistant), pytest.raises(PermissionDenied):
        planning.set_need(team.services, 0, "06:00", "07:00", "x")
    assert planning.needs(team.services) == []
