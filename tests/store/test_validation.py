"""Field checks of the store API (``app.store.validation``): clean values come back, bad
ones raise ``InputError`` naming the field the form shows the message at."""

from __future__ import annotations

from typing import Any

import pytest

from app.errors import InputError
from app.store import validation


@pytest.mark.parametrize(("check", "value", "field"), [
    (validation.state, "XX", "state"),
    (validation.tz, "Mars/Olympus", "tz"),
    (validation.role, "boss", "role"),
    (validation.address, "a\nb\nc\nd\ne", "holder_address"),
    (validation.address, "x" * 301, "holder_address"),
])
def test_validation_bad_value_names_its_field(check: Any, value: str, field: str) -> None:
    with pytest.raises(InputError) as err:
        check(value)
    assert err.value.field == field


def test_validation_good_values_come_back_clean() -> None:
    assert validation.state("NW") == "NW" and "NW" in validation.STATES
    assert validation.tz("Europe/Berlin") == "Europe/Berlin"
    assert validation.role("proxy") == "proxy"
    assert validation.address("  Markt 1 \n 48143 Münster  ") == "Markt 1\n48143 Münster"


def test_validation_shift_fields_to_the_minute_and_planned() -> None:
    fields = validation.shift_fields({"id": "x", "start": "2026-03-09 08:00:30",
                                      "end": "2026-03-09T12:00", "location": "Park"}, "s")
    assert fields == {"start": "2026-03-09T08:00", "end": "2026-03-09T12:00", "kind": "work",
                      "status": "planned", "location": "Park"}


@pytest.mark.parametrize(("spec", "field"), [
    ({"start": "gestern", "end": "2026-03-09T12:00"}, "shifts[3].start"),
    ({"start": "2026-03-09T12:00", "end": "2026-03-09T08:00"}, "shifts[3].end"),
    ({"start": "2026-03-09T08:00", "end": "2026-03-09T12:00", "kind": "party"},
     "shifts[3].kind"),
])
def test_validation_shift_fields_name_the_shift(spec: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as err:
        validation.shift_fields(spec, "shifts[3]")
    assert err.value.field == field


def test_validation_entry_fields_breaks_inside_the_entry() -> None:
    fields = validation.entry_fields("2026-03-09T08:00", "2026-03-09T16:00",
                                     [{"start": "2026-03-09T12:00", "end": "2026-03-09T12:30"}],
                                     "Papier")
    assert fields["breaks"] == [{"start": "2026-03-09T12:00", "end": "2026-03-09T12:30"}]
    assert fields["correction_reason"] == "Papier"
    for breaks, field in (([{"start": "2026-03-09T07:00", "end": "2026-03-09T08:30"}],
                           "breaks[0]"), ([], "end")):
        with pytest.raises(InputError) as err:
            validation.entry_fields("2026-03-09T08:00",
                                    None if field == "end" else "2026-03-09T16:00", breaks, "-")
        assert err.value.field == field
