"""What a person may enter is bounded (issue 12): a ten-year entry, a shift in year 9999,
an absurd wage or budget are refused with a message naming the field and the limit, and
nothing is written. Values at the limits are accepted."""

from __future__ import annotations

import pytest

from app.domain import limits
from app.errors import InputError
from tests.store.conftest import Team


def _refused(team: Team, action, field: str, phrase: str) -> None:
    before = team.store.envelope_count()
    with pytest.raises(InputError) as err:
        action()
    assert err.value.field == field and phrase in err.value.text("en")  # the English text
    assert team.store.envelope_count() == before


def test_limits_entry_of_ten_years_is_refused(team: Team) -> None:
    sv, ben = team.services, team.assistant
    _refused(team, lambda: sv.add_entry(ben, "2016-03-01T08:00", "2026-03-01T08:00",
                                        "Papierzettel"), "end", "72 hours")
    entry = sv.add_entry(ben, "2026-03-06T18:00", "2026-03-09T18:00", "Wochenenddienst")
    assert sv.month_summary(ben, "2026-03")["hours"] == "72.00"  # the limit itself is fine
    _refused(team, lambda: sv.correct_entry(entry, "Tippfehler", end="2026-03-19T18:00"),
             "end", "72 hours")


def test_limits_shift_days_and_length(team: Team) -> None:
    sv = team.services
    _refused(team, lambda: sv.plan_shift("2026-03-10T08:00", "9999-12-31T08:00"),
             "shifts[0].end", "outside the years 2000–2099")
    _refused(team, lambda: sv.plan_shift("0001-01-01T08:00", "0001-01-01T09:00"),
             "shifts[0].start", "outside the years")
    _refused(team, lambda: sv.plan_shift("2026-03-10T08:00", "2026-03-14T08:00"),
             "shifts[0].end", "72 hours")
    shift = sv.plan_shift("2026-03-10T08:00", "2026-03-10T16:00")
    _refused(team, lambda: sv.update_shift(shift, end="2026-04-10T16:00"), "end", "72 hours")
    _refused(team, lambda: sv.record_absence(team.assistant, "vacation", "2026-03-10",
                                             "9999-12-31"), "end_date", "outside the years")


@pytest.mark.parametrize("wage", ["1e999999", "1000.01", "-1", "NaN", "Infinity", "9" * 40])
def test_limits_wage_outside_range_is_refused(team: Team, wage: str) -> None:
    _refused(team, lambda: team.services.set_contract(team.assistant, "2026-04-01", wage),
             "hourly_wage", "16.00" if wage == "9" * 40 else "1000.00")


def test_limits_money_fields(team: Team) -> None:
    sv = team.services
    _refused(team, lambda: sv.set_contract(team.assistant, "2026-04-01", "16.00",
                                           standby_wage="5000"), "standby_wage", "1000.00")
    _refused(team, lambda: sv.set_contract(team.assistant, "2026-04-01", "16.00",
                                           surcharges={"night25": "1e9"}),
             "surcharges.night25", "from 0 to 5")
    funder = sv.add_funder("Eingliederungshilfe")
    _refused(team, lambda: sv.add_budget(funder, "Assistenz", "1e30", "2026-01-01"),
             "monthly_amount", str(limits.MAX_AMOUNT))
    sv.add_budget(funder, "Assistenz", "8500.00", "2026-01-01")
    sv.set_contract(team.assistant, "2026-04-01", str(limits.MAX_WAGE))
