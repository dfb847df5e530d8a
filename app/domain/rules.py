"""Legal parameters as dated tables: the one place to add next year's figures.

Every figure that the law changes from time to time lives in a tuple of rows, each row valid
from its ``valid_from`` day until the next row starts. Nothing else in the code holds a legal
number. To add a year, append a row to the table concerned; the tests in
``tests/domain/test_rules.py`` pin the published figures.

Worked example: the Minijob limit is never typed in, it is derived from the Mindestlohn
(§8 (1a) SGB IV): ``ceil(13.90 € × 130 / 3) = ceil(602.33…) = 603 €`` for 2026.

    >>> from datetime import date
    >>> rule_at(MINDESTLOHN, date(2026, 4, 1)).hourly
    Decimal('13.90')
    >>> minijob_limit(date(2026, 4, 1))
    Decimal('603')
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol, TypeVar

from app.errors import InputError

D = Decimal
_ZERO = Decimal(0)


class Dated(Protocol):
    """A table row: valid from this day until the next row of its table starts."""

    @property
    def valid_from(self) -> date: ...


R = TypeVar("R", bound=Dated)


def rule_at(table: Sequence[R], day: date) -> R:
    """The row of ``table`` in force on ``day`` (rows sorted by ``valid_from``).

    Example: ``rule_at(MINDESTLOHN, date(2025, 12, 31)).hourly == Decimal("12.82")``; one day
    later it is 13.90. A day before the first row raises ``InputError``: we would rather say
    "no rule" than guess an old figure.
    """
    starts = [row.valid_from for row in table]
    i = bisect_right(starts, day) - 1
    if i < 0:
        raise InputError("error.rules.unknown_day", "date", day=day.isoformat())
    return table[i]


# --- Mindestlohn (MiLoG §1, Mindestlohnanpassungsverordnungen) -------------------------------


@dataclass(frozen=True)
class MinimumWage:
    """Gross statutory minimum wage per hour (§1 (2) MiLoG)."""

    valid_from: date
    hourly: Decimal


MINDESTLOHN: tuple[MinimumWage, ...] = (
    MinimumWage(date(2022, 10, 1), D("12.00")),
    MinimumWage(date(2024, 1, 1), D("12.41")),
    MinimumWage(date(2025, 1, 1), D("12.82")),
    MinimumWage(date(2026, 1, 1), D("13.90")),
    MinimumWage(date(2027, 1, 1), D("14.60")),
)


def minijob_limit(day: date) -> Decimal:
    """Geringfügigkeitsgrenze per month (§8 (1a) SGB IV): MiLo × 130 ÷ 3, rounded up to euros.

    Example (2024): 12.41 × 130 ÷ 3 = 537.77 → 538 €. Decimal arithmetic, so no float
    rounding can tip a figure over a whole euro.
    """
    hourly = rule_at(MINDESTLOHN, day).hourly
    return Decimal(math.ceil(hourly * 130 / 3))


# --- Übergangsbereich (Midijob, §20 (2) SGB IV) ---------------------------------------------


@dataclass(frozen=True)
class Uebergangsbereich:
    """Upper bound of the Übergangsbereich; the lower bound is the Minijob limit + 0.01 €."""

    valid_from: date
    upper: Decimal


UEBERGANGSBEREICH: tuple[Uebergangsbereich, ...] = (
    Uebergangsbereich(date(2022, 10, 1), D("1600.00")),
    Uebergangsbereich(date(2023, 1, 1), D("2000.00")),
)


# --- §3b EStG surcharges ----------------------------------------------------------------------


@dataclass(frozen=True)
class Section3b:
    """Windows and rates of tax-free surcharges (§3b EStG; §1 (1) Nr. 1 SvEV for contributions).

    Hours are local wall-clock hours. ``night_start``–``night_end`` is night work (25 %);
    ``deep_end`` closes the 0–4 h window that pays 40 % when the work began before 0 h
    (§3b (3) Nr. 1). ``eve_hour`` is 14 h, from when 24.12 pays 150 % and 31.12 pays 125 %.
    ``tax_free_base_cap`` (50 €/h, §3b (2)) and ``contribution_free_base_cap`` (25 €/h, SvEV)
    cap the base wage on which a surcharge stays free.

    Example: 1 h on a Sunday at 16 €/h is 0.50 × 16 = 8.00 € free of tax and contributions;
    at 30 €/h it is 15.00 € tax-free, but only 0.50 × 25 = 12.50 € is free of contributions.
    """

    valid_from: date
    night_start: int
    night_end: int
    deep_end: int
    eve_hour: int
    rates: dict[str, Decimal]
    days_150: tuple[tuple[int, int], ...]  # (month, day), the whole day
    eve_150: tuple[int, int]  # from eve_hour
    eve_125: tuple[int, int]  # from eve_hour
    tax_free_base_cap: Decimal
    contribution_free_base_cap: Decimal


SECTION_3B: tuple[Section3b, ...] = (
    Section3b(
        valid_from=date(2006, 7, 1),  # the 25 €/h SvEV cap dates from 1 July 2006
        night_start=20,
        night_end=6,
        deep_end=4,
        eve_hour=14,
        rates={
            "night25": D("0.25"),
            "night40": D("0.40"),
            "sunday50": D("0.50"),
            "holiday125": D("1.25"),
            "holiday150": D("1.50"),
        },
        days_150=((12, 25), (12, 26), (5, 1)),
        eve_150=(12, 24),
        eve_125=(12, 31),
        tax_free_base_cap=D("50"),
        contribution_free_base_cap=D("25"),
    ),
)


# --- Employer levies --------------------------------------------------------------------------


@dataclass(frozen=True)
class MinijobLevies:
    """Employer's flat levies on Minijob pay, as fractions (Minijob-Zentrale).

    Private households use the Haushaltsscheck (§8a SGB IV) with lower rates and add the
    statutory accident insurance; commercial employers pay the Insolvenzgeld levy instead.
    Example (household, 2026): 500 € pay → RV 25 + KV 25 + tax 10 + U1 5.50 + U2 1.10
    + UV 8.00 = 74.60 €.
    """

    valid_from: date
    rv: Decimal
    kv: Decimal
    pauschsteuer: Decimal
    u1: Decimal
    u2: Decimal
    unfall: Decimal = _ZERO
    insolvenzgeld: Decimal = _ZERO

    @property
    def total(self) -> Decimal:
        return (
            self.rv + self.kv + self.pauschsteuer + self.u1 + self.u2 + self.unfall
            + self.insolvenzgeld
        )


# U1/U2/Insolvenzgeld change yearly; rows for 2026 repeat 2025 until the published rates are
# checked (the brief asks to keep U2 at 0.22 % when unsure).
MINIJOB_LEVIES_HOUSEHOLD: tuple[MinijobLevies, ...] = (
    MinijobLevies(date(2024, 1, 1), D("0.05"), D("0.05"), D("0.02"), D("0.011"), D("0.0022"),
                  unfall=D("0.016")),
    MinijobLevies(date(2025, 1, 1), D("0.05"), D("0.05"), D("0.02"), D("0.011"), D("0.0022"),
                  unfall=D("0.016")),
    MinijobLevies(date(2026, 1, 1), D("0.05"), D("0.05"), D("0.02"), D("0.011"), D("0.0022"),
                  unfall=D("0.016")),
)

MINIJOB_LEVIES_COMMERCIAL: tuple[MinijobLevies, ...] = (
    MinijobLevies(date(2024, 1, 1), D("0.15"), D("0.13"), D("0.02"), D("0.011"), D("0.0022"),
                  insolvenzgeld=D("0.0006")),
    MinijobLevies(date(2025, 1, 1), D("0.15"), D("0.13"), D("0.02"), D("0.008"), D("0.0022"),
                  insolvenzgeld=D("0.0015")),
    MinijobLevies(date(2026, 1, 1), D("0.15"), D("0.13"), D("0.02"), D("0.008"), D("0.0022"),
                  insolvenzgeld=D("0.0015")),
)


@dataclass(frozen=True)
class EmployerShare:
    """Rough employer share of social insurance for regular employment, as a fraction.

    An estimate for budgeting only (RV 9.3 % + KV 7.3 % + half the average Zusatzbeitrag
    + PV 1.8 % + AV 1.3 % + levies); payroll computes the real figure.
    Example (2026): 2,500 € gross → about 0.212 × 2,500 = 530 € on top.
    """

    valid_from: date
    fraction: Decimal


EMPLOYER_SHARE: tuple[EmployerShare, ...] = (
    EmployerShare(date(2024, 1, 1), D("0.205")),
    EmployerShare(date(2025, 1, 1), D("0.210")),
    EmployerShare(date(2026, 1, 1), D("0.212")),
)
