"""``app.i18n.formats``: dates, times, numbers and money per language, and what people type."""

from __future__ import annotations

from datetime import date

import pytest

from app.i18n import formats as fmt


def test_formats_german_reads_the_german_way():
    assert fmt.day("de", "2026-12-01") == "Di, 01.12.2026"
    assert fmt.day("de-LS", date(2026, 11, 30)) == "Mo, 30.11.2026"
    assert fmt.short_day("de", "2026-12-01") == "01.12.2026"
    assert fmt.number("de", "1234.5") == "1.234,50"
    assert fmt.money("de", "4317") == "4.317,00 €"


def test_formats_english_reads_the_english_way():
    assert fmt.day("en", "2026-12-01") == "Tue, 1 Dec 2026"
    assert fmt.number("en", "165") == "165.00"
    assert fmt.money("en", "9500") == "€9,500.00"
    assert fmt.money("en", "-3.5") == "-€3.50"


def test_formats_utc_instant_shown_in_the_team_zone():
    # 21:28 UTC in November is 22:28 in Berlin (CET); in July (CEST) 23:28.
    assert fmt.local_clock("de", "2026-11-23T21:28:00", "Europe/Berlin") == \
        "Mo, 23.11.2026, 22:28"
    assert fmt.local_clock("de", "2026-07-01T21:28:00+00:00", "Europe/Berlin").endswith("23:28")


@pytest.mark.parametrize("typed", ["01.12.2026", "1.12.2026", "1.12.26", "2026-12-01",
                                   "Di, 01.12.2026", "Tue, 1 Dec 2026", " 01.12.2026 "])
def test_formats_parse_date_accepts_german_iso_and_shown(typed):
    assert fmt.parse_date(typed) == date(2026, 12, 1)


@pytest.mark.parametrize("typed", ["", "32.12.2026", "12/01/2026", "morgen", "1" * 500,
                                   "2026-13-01"])
def test_formats_parse_date_rejects_what_is_no_date(typed):
    with pytest.raises(ValueError):
        fmt.parse_date(typed)


@pytest.mark.parametrize(("typed", "read"), [("8", "08:00"), ("8:00", "08:00"),
                                             ("08.30", "08:30"), ("0800", "08:00"),
                                             ("800", "08:00"), ("23:59", "23:59"),
                                             ("8 Uhr", "08:00")])
def test_formats_parse_time_accepts_how_people_type(typed, read):
    assert fmt.parse_time(typed) == read


@pytest.mark.parametrize("typed", ["24:00", "8:60", "acht", "", "12:345"])
def test_formats_parse_time_rejects_what_is_no_time(typed):
    with pytest.raises(ValueError):
        fmt.parse_time(typed)


def test_formats_month_by_name():
    assert fmt.month("de", "2026-03") == "März 2026"
    assert fmt.month("en", "2026-12") == "December 2026"
