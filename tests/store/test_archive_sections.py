"""Archived months as a checkpoint carries them: one compressed section per scope, stored
by a joining device as they came and merged only when the month is read (issue 16:
``app/store/archive_sections.py``)."""

from __future__ import annotations

import zlib
from typing import Any

import pytest

from app.errors import IntegrityError
from app.store import archive, archive_sections, checkpoint
from app.store.history_pack import unpack
from app.store.projection import SCHEMA
from app.store.services import Services
from app.store.store import Store
from tests.store.conftest import Team
from tests.store.test_archive import JANUARY, _reopened, _signed_january, _what_january_shows


def _histories(payload: dict[str, Any]) -> dict[str, Any]:
    rows = {f"{e}/{i}": row for e, table in payload["rows"].items() for i, row in table.items()}
    return {key: unpack(text, rows[key], payload["ids"])
            for key, text in payload["histories"].items()}


def _january_as_sections(store: Store) -> dict[str, Any]:
    """January as a joining device gets it: cut per scope, encoded for the wire, decoded."""
    cut, ids = checkpoint.cut(store.projection)
    wire = [checkpoint.decode_part(checkpoint.encode_part(part)) for part in cut.values()]
    proj, months = checkpoint.assemble(wire, ids, SCHEMA)
    (month,) = months
    assert month["month"] == JANUARY
    # The new projection knows January's rows as archived, without having decoded them.
    archived = {eid for eid, m in proj.archived.items() if m == JANUARY}
    original = archive.load(store, JANUARY)
    assert archived == ({eid for table in original["rows"].values() for eid in table}
                        | set(original["documents"]))
    return month


def test_sections_load_as_exactly_the_month_that_was_archived(team: Team) -> None:
    _signed_january(team)
    store = _reopened(team)
    original = archive.load(store, JANUARY)
    month = _january_as_sections(store)
    payload = archive_sections.decode(
        archive_sections.encode(JANUARY, month["ids"], month["sections"]), JANUARY)
    assert payload["rows"] == {e: table for e, table in original["rows"].items() if table}
    assert payload["documents"] == original["documents"] and payload["documents"]
    assert _histories(payload) == _histories(original)
    assert any(len(v) > 1 for h in _histories(payload).values() for v in h.values())


def test_sections_stored_as_they_came_bring_the_month_back(team: Team) -> None:
    _signed_january(team)
    before = _what_january_shows(team.services, team.assistant)
    store = _reopened(team)
    month = _january_as_sections(store)
    archive.save_sections(store, [month])  # what a joining device writes
    assert store.projection.archived_months == {JANUARY}
    assert _what_january_shows(Services(store), team.assistant) == before
    assert JANUARY not in store.projection.archived_months


@pytest.mark.parametrize("damage", ["truncated", "trailing bytes", "unknown field",
                                    "not deflate"])
def test_sections_malformed_are_named_not_loaded(team: Team, damage: str) -> None:
    _signed_january(team)
    store = _reopened(team)
    month = _january_as_sections(store)
    sections = list(month["sections"])
    if damage == "unknown field":
        entity = "shift"
        sections.append(zlib.compress(
            b'{"rows":{"%s":{"x":{"colour":"red"}}},"histories":{},"documents":{}}'
            % entity.encode()))
    elif damage == "not deflate":
        sections[0] = b"plain text"
    data = archive_sections.encode(JANUARY, month["ids"], sections)
    if damage == "truncated":
        data = data[:-10]
    elif damage == "trailing bytes":
        data += b"\x00"
    with pytest.raises(IntegrityError) as refused:
        archive_sections.decode(data, JANUARY)
    assert refused.value.key == "error.archive.unreadable"
    assert "malformed sections" in str(refused.value.params["reason"])


def test_put_back_refuses_rows_that_were_not_archived_in_that_month(team: Team) -> None:
    """A damaged or forged archive cannot put rows into memory that it never held."""
    _signed_january(team)
    store = _reopened(team)
    proj = store.projection
    payload = archive.load(store, JANUARY)
    open_shift = next(iter(proj.rows["shift"]))  # February's: not archived
    payload["rows"]["shift"][open_shift] = {**proj.rows["shift"][open_shift],
                                            "location": "forged"}
    with pytest.raises(IntegrityError):
        proj.put_back(payload)
    assert proj.archived_months == {JANUARY}
    assert proj.rows["shift"][open_shift]["location"] != "forged"


def test_sections_of_another_month_are_refused(team: Team) -> None:
    """A month's row holding another month's sections (rows moved in the file) is named."""
    _signed_january(team)
    store = _reopened(team)
    month = _january_as_sections(store)
    data = archive_sections.encode(JANUARY, month["ids"], month["sections"])
    with pytest.raises(IntegrityError) as refused:
        archive_sections.decode(data, "2026-02")
    assert refused.value.key == "error.archive.other_month"
