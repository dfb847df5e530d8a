"""The compact index of archived ids behaves as the dict it replaces (issue 16:
``app/store/archived_index.py``), through any mix of changes and compactions."""

from __future__ import annotations

import json
import sqlite3
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from app.store.archived_index import ArchivedIndex
from app.store.projection import Projection
from app.store.store import uuid7
from tests.store.conftest import Team
from tests.store.test_archive import JANUARY, _reopened, _signed_january

IDS = [uuid7() for _ in range(12)] + [str(uuid.uuid4()) for _ in range(6)] + [
    "not-a-uuid", "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE", "0" * 36,
    "0123456789abcdef0123456789abcdef"]
MONTHS = ["2023-01", "2023-02", "2031-12"]

steps = st.lists(st.one_of(
    st.tuples(st.just("set"), st.sampled_from(IDS), st.sampled_from(MONTHS)),
    st.tuples(st.just("pop"), st.sampled_from(IDS), st.just("")),
    st.tuples(st.just("compact"), st.just(""), st.just("")),
    st.tuples(st.just("store"), st.just(""), st.just("")),
), max_size=60)


def _same(index: ArchivedIndex, model: dict[str, str]) -> None:
    assert bool(index) == bool(model)
    assert dict(index.items()) == model and len(index) == len(model)
    for eid in [*IDS, uuid7()]:
        assert index.get(eid) == model.get(eid)
        assert (eid in index) == (eid in model)


@settings(max_examples=300, deadline=None)
@given(steps)
def test_index_is_the_dict_it_stands_for(ops: list[tuple[str, str, str]]) -> None:
    index, model = ArchivedIndex(), {}
    for op, eid, month in ops:
        if op == "set":
            index[eid] = model[eid] = month
        elif op == "pop":
            assert index.pop(eid, None) == model.pop(eid, None)
        elif op == "compact":
            index = index.compacted()
        else:  # written to a snapshot and read back
            index = ArchivedIndex(*index.stored())
        _same(index, model)


def test_index_keeps_uuids_in_18_bytes_each() -> None:
    pairs = [(uuid7(), MONTHS[n % 3]) for n in range(5000)] + [("other-id", "2023-01")]
    months, records, others = ArchivedIndex.of(pairs).stored()
    assert len(records) == 5000 * 18 and others == {"other-id": "2023-01"}
    assert sorted(months) == sorted(MONTHS)
    index = ArchivedIndex(months, records, others)
    assert all(index[eid] == month for eid, month in pairs)
    assert index.get(uuid7()) is None  # made after all of them
    assert index.get(str(uuid.UUID(int=0))) is None  # before all of them


def test_snapshot_written_before_the_compact_index_still_loads(team: Team) -> None:
    """A snapshot of the former form (``archived``: month → entity ids, no records row)
    loads with the same archived ids and months."""
    _signed_january(team)
    store = _reopened(team)
    proj = store.projection
    expected = dict(proj.archived.items())
    assert expected and proj.archived_months == {JANUARY}
    db = sqlite3.connect(":memory:")
    db.deserialize(proj.serialize())
    state = json.loads(db.execute("SELECT blob FROM _state WHERE id = 1").fetchone()[0])
    former: dict[str, list[str]] = {}
    for eid, month in expected.items():
        former.setdefault(month, []).append(eid)
    state["archived"] = former
    with db:
        db.execute("UPDATE _state SET blob = ? WHERE id = 1", (json.dumps(state).encode(),))
        db.execute("DELETE FROM _state WHERE id = 2")
    loaded = Projection.load(db.serialize())
    assert dict(loaded.archived.items()) == expected
    assert loaded.archived_months == {JANUARY}
