"""Dated legal tables: published figures and the lookup."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.domain.rules import (
    EMPLOYER_SHARE,
    MINDESTLOHN,
    MINIJOB_LEVIES_COMMERCIAL,
    MINIJOB_LEVIES_HOUSEHOLD,
    SECTION_3B,
    UEBERGANGSBEREICH,
    minijob_limit,
    rule_at,
)
from app.errors import InputError


@pytest.mark.parametrize(
    ("day", "wage", "limit"),
    [
        (date(2024, 1, 1), "12.41", "538"),
        (date(2025, 1, 1), "12.82", "556"),
        (date(2026, 1, 1), "13.90", "603"),
        (date(2027, 1, 1), "14.60", "633"),
    ],
)
def test_minijob_limit_derived_from_mindestlohn(day: date, wage: str, limit: str) -> None:
    assert rule_at(MINDESTLOHN, day).hourly == Decimal(wage)
    assert minijob_limit(day) == Decimal(limit)
    # the last day of a year still has that year's figure
    assert minijob_limit(date(day.year, 12, 31)) == Decimal(limit)


def test_rule_at_switches_on_valid_from() -> None:
    assert rule_at(MINDESTLOHN, date(2025, 12, 31)).hourly == Decimal("12.82")
    assert rule_at(MINDESTLOHN, date(2026, 1, 1)).hourly == Decimal("13.90")


def test_rule_at_before_first_row_raises() -> None:
    with pytest.raises(InputError):
        rule_at(MINDESTLOHN, date(2020, 1, 1))


@pytest.mark.parametrize(
    "table",
    [MINDESTLOHN, UEBERGANGSBEREICH, SECTION_3B, MINIJOB_LEVIES_HOUSEHOLD,
     MINIJOB_LEVIES_COMMERCIAL, EMPLOYER_SHARE],
)
def test_rules_tables_sorted_by_valid_from(table: tuple[object, ...]) -> None:
    starts = [row.valid_from for row in table]  # type: ignore[attr-defined]
    assert starts == sorted(starts)
    assert len(set(starts)) == len(starts)


def test_section3b_default_rates_and_caps() -> None:
    rule = rule_at(SECTION_3B, date(2026, 6, 1))
    assert rule.rates == {
        "night25": Decimal("0.25"), "night40": Decimal("0.40"), "sunday50": Decimal("0.50"),
        "holiday125": Decimal("1.25"), "holiday150": Decimal("1.50"),
    }
    assert (rule.night_start, rule.night_end, rule.deep_end, rule.eve_hour) == (20, 6, 4, 14)
    assert rule.contribution_free_base_cap == Decimal("25")
    assert rule.tax_free_base_cap == Decimal("50")


def test_uebergangsbereich_upper_bound_2000() -> None:
    assert rule_at(UEBERGANGSBEREICH, date(2026, 5, 1)).upper == Decimal("2000.00")


def test_minijob_levies_household_2026() -> None:
    levies = rule_at(MINIJOB_LEVIES_HOUSEHOLD, date(2026, 3, 1))
    assert (levies.rv, levies.kv, levies.pauschsteuer, levies.unfall) == (
        Decimal("0.05"), Decimal("0.05"), Decimal("0.02"), Decimal("0.016"))
    assert levies.total == Decimal("0.1492")


def test_minijob_levies_commercial_2026() -> None:
    levies = rule_at(MINIJOB_LEVIES_COMMERCIAL, date(2026, 3, 1))
    assert (levies.rv, levies.kv, levies.insolvenzgeld) == (
        Decimal("0.15"), Decimal("0.13"), Decimal("0.0015"))
    assert levies.unfall == 0


def test_rules_docstring_examples_hold() -> None:
    import doctest

    from app.domain import rules

    result = doctest.testmod(rules)
    assert result.attempted >= 2 and result.failed == 0
