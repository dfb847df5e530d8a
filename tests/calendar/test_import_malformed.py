"""A file that is not valid iCalendar gets a clear error naming what and where, and nothing
is imported: the projection and the envelope log are the same before and after."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from app.calendar.ics_import import import_ics
from app.errors import InputError

DATA = Path(__file__).parent / "data" / "appointments.ics"


def ics(*lines: str) -> bytes:
    return "\r\n".join(lines).encode() + b"\r\n"


GOOD = ("BEGIN:VEVENT", "UID:gut@example.org", "DTSTART:20260310T100000Z",
        "DTEND:20260310T110000Z", "SUMMARY:Gut", "END:VEVENT")

CASES = {
    "not iCalendar at all": (b"Hallo, das ist ein Brief.\n", ["BEGIN:VCALENDAR"]),
    "empty file": (b"", ["BEGIN:VCALENDAR"]),
    "no VCALENDAR": (ics(*GOOD), ["BEGIN:VCALENDAR", "Zeile 1"]),
    "no VEVENT": (ics("BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VTODO", "UID:t",
                      "SUMMARY:Aufgabe", "END:VTODO", "END:VCALENDAR"), ["kein VEVENT"]),
    "missing DTSTART": (ics("BEGIN:VCALENDAR", "VERSION:2.0", *GOOD, "BEGIN:VEVENT",
                            "UID:ohne-beginn", "SUMMARY:Ohne Beginn", "END:VEVENT",
                            "END:VCALENDAR"),
                        ["DTSTART", "Zeile 9", "UID ohne-beginn"]),
    "DTEND before DTSTART": (ics("BEGIN:VCALENDAR", "VERSION:2.0", *GOOD, "BEGIN:VEVENT",
                                 "UID:rueckwaerts", "DTSTART:20260310T100000Z",
                                 "DTEND:20260310T090000Z", "END:VEVENT", "END:VCALENDAR"),
                             ["DTEND liegt vor DTSTART", "Zeile 9", "UID rueckwaerts"]),
    "negative DURATION": (ics("BEGIN:VCALENDAR", *GOOD, "BEGIN:VEVENT", "UID:minus",
                              "DTSTART:20260310T100000Z", "DURATION:-PT1H", "END:VEVENT",
                              "END:VCALENDAR"), ["DTEND liegt vor DTSTART", "UID minus"]),
    "broken content line": (ics("BEGIN:VCALENDAR", "VERSION:2.0", *GOOD,
                                "das ist keine Zeile", "END:VCALENDAR"),
                            ["Zeile 9", "keine gültige iCalendar-Zeile"]),
    "truncated file": (ics("BEGIN:VCALENDAR", "VERSION:2.0", *GOOD, "BEGIN:VEVENT",
                           "UID:abgeschnitten", "DTSTART:20260310T100000Z"),
                       ["Zeile 9", "BEGIN:VEVENT wird nie beendet"]),
    "END without BEGIN": (ics("BEGIN:VCALENDAR", *GOOD, "END:VEVENT", "END:VCALENDAR"),
                          ["Zeile 8", "END:VEVENT passt zu keinem BEGIN"]),
    "unreadable DTSTART": (ics("BEGIN:VCALENDAR", *GOOD, "BEGIN:VEVENT", "UID:kaputt",
                               "DTSTART:2026-03-10 10 Uhr", "END:VEVENT", "END:VCALENDAR"),
                           ["DTSTART ist unlesbar", "UID kaputt", "Zeile 8"]),
    "unreadable RRULE": (ics("BEGIN:VCALENDAR", *GOOD, "BEGIN:VEVENT", "UID:regel",
                             "DTSTART:20260310T100000Z", "RRULE:FREQ=MANCHMAL",
                             "END:VEVENT", "END:VCALENDAR"), ["RRULE ist unlesbar", "UID regel"]),
    "missing UID": (ics("BEGIN:VCALENDAR", *GOOD, "BEGIN:VEVENT",
                        "DTSTART:20260310T100000Z", "END:VEVENT", "END:VCALENDAR"),
                    ["UID fehlt", "Zeile 8"]),
    "date and time mixed": (ics("BEGIN:VCALENDAR", *GOOD, "BEGIN:VEVENT", "UID:gemischt",
                                "DTSTART;VALUE=DATE:20260310", "DTEND:20260311T100000Z",
                                "END:VEVENT", "END:VCALENDAR"), ["nicht beide", "UID gemischt"]),
    "not UTF-8": ("BEGIN:VCALENDAR\r\nSUMMARY:Müller\r\n".encode("latin-1"), ["UTF-8"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_import_malformed_file_changes_nothing(team, name):
    import_ics(team.services, DATA.read_bytes())  # something to (not) overwrite
    data, phrases = CASES[name]
    rows_before = copy.deepcopy(team.store.projection.fingerprint())
    envelopes_before = team.store.envelope_count()

    with pytest.raises(InputError) as err:
        import_ics(team.services, data)

    message = str(err.value)
    for phrase in phrases:
        assert phrase in message, f"{name}: {phrase!r} not in {message!r}"
    assert err.value.field == "ics"
    assert team.store.projection.fingerprint() == rows_before
    assert team.store.envelope_count() == envelopes_before
    assert "gut@example.org" not in {a["uid"] for a in
                                     team.store.projection.rows["appointment"].values()}
