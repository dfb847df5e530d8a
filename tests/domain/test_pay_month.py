"""month_result(): money, Minijob figures and the checks wired into a month."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from app.domain.pay import month_result
from app.domain.worktime import Break, ContractTerms, WorkShift
from app.errors import InputError

TZ = "Europe/Berlin"
D = Decimal


def shift(start: str, end: str, *breaks: tuple[str, str], kind: str = "work") -> WorkShift:
    t = datetime.fromisoformat
    return WorkShift(t(start), t(end), kind, tuple(Break(t(a), t(b)) for a, b in breaks))


def codes(result: object) -> list[str]:
    return [w.code for w in result.warnings]  # type: ignore[attr-defined]


def test_month_result_sunday_night_pay() -> None:
    r = month_result([shift("2026-03-08T22:00", "2026-03-09T06:00")], ContractTerms(D("16.00")),
                     TZ, "NW")
    assert r.hours["base"] == D("8.00") and r.hours["sunday50"] == D("6.00")
    assert (r.pay.base, r.pay.surcharges, r.pay.gross) == (D("128.00"), D("89.60"), D("217.60"))
    assert r.minijob is None
    assert codes(r) == ["ARBZG_BREAK"]


def test_month_result_contract_rates_override_single_classes() -> None:
    terms = ContractTerms(D("16.00"), surcharges={"sunday50": D("0.30")})
    r = month_result([shift("2026-03-08T22:00", "2026-03-09T06:00")], terms, TZ, "NW")
    # 16 × (4 × 0.25 + 4 × 0.40 + 6 × 0.30) = 70.40
    assert r.pay.surcharges == D("70.40")


def test_month_result_rounds_half_up_only_at_the_end() -> None:
    # 7 min at 18.75 €/h = 2.1875 each; rounding per shift would give 3 × 2.19 = 6.57
    shifts = [shift(f"2026-03-1{d}T10:00", f"2026-03-1{d}T10:07") for d in (0, 1, 2)]
    r = month_result(shifts, ContractTerms(D("18.75")), TZ, "NW")
    assert r.pay.base == D("6.56")  # 21 min × 18.75 / 60 = 6.5625 → 6.56
    r = month_result(shifts[:2], ContractTerms(D("18.75")), TZ, "NW")
    assert r.pay.base == D("4.38")  # 4.375 → 4.38 half-up


def test_month_result_standby_paid_at_standby_wage_on_call_unpaid() -> None:
    terms = ContractTerms(D("16.00"), standby_wage=D("14.00"))
    r = month_result([shift("2026-03-10T08:00", "2026-03-10T12:00"),
                      shift("2026-03-10T12:00", "2026-03-10T14:00", kind="standby"),
                      shift("2026-03-11T18:00", "2026-03-11T22:00", kind="on_call")],
                     terms, TZ, "NW")
    assert (r.hours["base"], r.hours["standby"], r.hours["on_call"]) == (
        D("4.00"), D("2.00"), D("4.00"))
    assert (r.pay.base, r.pay.standby, r.pay.gross) == (D("64.00"), D("28.00"), D("92.00"))


def test_month_result_minijob_over_limit_warns() -> None:
    shifts = [shift(f"2026-04-{d:02d}T08:00", f"2026-04-{d:02d}T13:00")
              for d in (1, 2, 7, 8, 9, 14, 15, 16, 21)]  # 45 h, weekdays
    r = month_result(shifts, ContractTerms(D("14.00"), employment="minijob"), TZ, "NW")
    assert r.minijob is not None
    assert (r.minijob.counted, r.minijob.limit) == (D("630.00"), D("603"))
    assert "MINIJOB_LIMIT" in codes(r)


def test_month_result_minijob_counts_surcharges_above_25_euro_base() -> None:
    # 2 h on a Sunday at 30 €/h: surcharge 30.00, free 0.50 × 25 × 2 = 25.00, counted 5.00
    r = month_result([shift("2026-04-12T08:00", "2026-04-12T10:00")],
                     ContractTerms(D("30.00"), employment="minijob"), TZ, "NW")
    assert r.minijob is not None and r.minijob.counted == D("65.00")


def test_month_result_minijob_counts_contract_rate_above_3b() -> None:
    # 60 % Sunday rate: only the §3b 50 % is free → 2 h × 14 × 0.10 = 2.80 counted
    terms = ContractTerms(D("14.00"), employment="minijob", surcharges={"sunday50": D("0.60")})
    r = month_result([shift("2026-04-12T08:00", "2026-04-12T10:00")], terms, TZ, "NW")
    assert r.minijob is not None and r.minijob.counted == D("30.80")


def test_month_result_paid_absence_counts_toward_minijob() -> None:
    terms = ContractTerms(D("14.00"), employment="minijob")
    absent = [shift("2026-04-12T08:00", "2026-04-12T12:00")]  # a planned Sunday shift
    r = month_result([], terms, TZ, "NW", paid_absence=absent)
    assert r.absence_hours["sunday50"] == D("4.00")
    assert r.pay.absence == D("84.00")  # 56 + 28 Sunday surcharge, taxable
    assert r.minijob is not None and r.minijob.counted == D("84.00")
    assert r.hours["base"] == D("0.00")


def test_month_result_mindestlohn_averages_standby() -> None:
    terms = ContractTerms(D("14.00"), standby_wage=D("12.00"))
    shifts = [shift("2026-03-10T08:00", "2026-03-10T13:00"),
              shift("2026-03-11T08:00", "2026-03-11T13:00"),
              shift("2026-03-12T08:00", "2026-03-12T13:00", kind="standby"),
              shift("2026-03-13T08:00", "2026-03-13T13:00", kind="standby")]
    assert "MINDESTLOHN" in codes(month_result(shifts, terms, TZ, "NW"))  # 13.00 < 13.90
    fine = ContractTerms(D("16.00"), standby_wage=D("12.00"))  # 14.00 ≥ 13.90
    assert "MINDESTLOHN" not in codes(month_result(shifts, fine, TZ, "NW"))


def test_month_result_mindestlohn_uses_the_month_of_the_shifts() -> None:
    terms = ContractTerms(D("13.00"))
    assert "MINDESTLOHN" not in codes(
        month_result([shift("2025-12-01T08:00", "2025-12-01T12:00")], terms, TZ, "NW"))
    assert "MINDESTLOHN" in codes(
        month_result([shift("2026-01-05T08:00", "2026-01-05T12:00")], terms, TZ, "NW"))


def test_month_result_live_in_skips_arbzg() -> None:
    s = [shift("2026-03-10T06:00", "2026-03-10T20:00")]
    assert {"ARBZG_BREAK", "ARBZG_DAILY_MAX"} <= set(
        codes(month_result(s, ContractTerms(D("16.00")), TZ, "NW")))
    assert codes(month_result(s, ContractTerms(D("16.00"), live_in=True), TZ, "NW")) == []


def test_month_result_names_the_bad_shift() -> None:
    bad = [shift("2026-03-10T08:00", "2026-03-10T12:00"),
           shift("2026-03-11T08:00", "2026-03-11T07:00")]
    with pytest.raises(InputError) as err:
        month_result(bad, ContractTerms(D("16.00")), TZ, "NW")
    assert err.value.text("en") == "shifts[1].end is before shifts[1].start"
    assert err.value.field == "shifts[1].end"


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        (ContractTerms(D("16.00"), employment="boss"), "contract.employment"),
        (ContractTerms(D("-1")), "contract.hourly_wage"),
        (ContractTerms(D("16.00"), surcharges={"night99": D("1")}), "contract.surcharges.night99"),
    ],
)
def test_month_result_rejects_bad_terms(terms: ContractTerms, field: str) -> None:
    with pytest.raises(InputError) as err:
        month_result([shift("2026-03-10T08:00", "2026-03-10T12:00")], terms, TZ, "NW")
    assert err.value.field == field


def test_month_result_empty_month_needs_a_month() -> None:
    with pytest.raises(InputError):
        month_result([], ContractTerms(D("16.00")), TZ, "NW")
    r = month_result([], ContractTerms(D("16.00"), employment="minijob"), TZ, "NW",
                     month=date(2027, 2, 1))
    assert r.minijob is not None and r.minijob.limit == D("633")
