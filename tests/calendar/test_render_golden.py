"""The rendered bytes of a small fixed feed equal a saved, reviewed file.

Ids, times and the change stamps (``modified_ms``, which becomes DTSTAMP and LAST-MODIFIED)
come from the data, never from the clock. After a deliberate change of the format,
regenerate with ``ASSISTENZZEIT_WRITE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.calendar.render import render_feed

GOLDEN = Path(__file__).parent / "golden" / "small_feed.ics"
MS = 1_772_366_400_000  # 2026-03-01T12:00:00Z

SHIFTS = [
    {"id": "0190a000-0000-7000-8000-0000000000a1", "start": "2026-03-28T22:00",
     "end": "2026-03-29T06:00", "kind": "standby", "status": "planned",
     "assignee_id": "m-ben", "location": "Wohnung Becker, Köln",
     "instructions": "Lagerung um 2 Uhr; Notruf: 0221 123456", "checklist": ["Rollstuhl laden"],
     "sequence": 0, "modified_ms": MS},
    {"id": "0190a000-0000-7000-8000-0000000000a2", "start": "2026-03-29T07:00",
     "end": "2026-03-29T15:00", "kind": "work", "status": "cancelled",
     "assignee_id": "m-clara", "location": "", "instructions": "", "checklist": [],
     "sequence": 2, "modified_ms": MS + 86_400_000},
    {"id": "0190a000-0000-7000-8000-0000000000a3", "start": "2026-10-24T22:00",
     "end": "2026-10-25T06:00", "kind": "work", "status": "planned",
     "assignee_id": None, "location": "", "instructions": "", "checklist": [],
     "sequence": 1, "modified_ms": MS + 1_500},
]


def render(details: bool) -> bytes:
    return render_feed(SHIFTS, tz="Europe/Berlin", calname="Team Assistenzteam Anna",
                       short_name="Anna", details=details, open_marker=True,
                       names={"m-ben": "Ben Meyer", "m-clara": "Clara Schmidt"})


def test_render_golden_small_feed():
    body = render(details=True)
    if os.environ.get("ASSISTENZZEIT_WRITE_GOLDEN") == "1":
        GOLDEN.write_bytes(body)
    assert body == GOLDEN.read_bytes()


def test_render_golden_is_stable_and_minimal_without_details():
    assert render(details=True) == render(details=True)
    plain = render(details=False).decode()
    assert "LOCATION" not in plain and "DESCRIPTION" not in plain and "Ben" not in plain
    assert plain.count("BEGIN:VEVENT") == 3
