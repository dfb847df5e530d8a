"""Packed field histories (``app/store/history_pack.py``): a snapshot keeps every version.

Ops get their real ids (``op_id_for(device, hlc)``, as envelopes make them), since the
packed form derives them instead of storing them.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.ops import Op, op_id_for
from app.store.projection import Projection
from tests.store.test_merge_convergence import build_ops, edit


def real_ids(ops: list[Op]) -> list[Op]:
    return [op._replace(op_id=op_id_for(op.device, op.hlc)) for op in ops]


def every_history(proj: Projection) -> dict[tuple[str, str], object]:
    return {(entity, eid): proj.history_of(entity, eid)
            for entity, rows in proj.rows.items() for eid in rows}


@settings(max_examples=40, deadline=None)
@given(edits=st.lists(edit, max_size=30))
def test_history_pack_round_trip_keeps_every_version(edits) -> None:
    ops = real_ids(build_ops(edits))
    proj = Projection()
    proj.fold(ops)
    again = Projection.load(proj.serialize())
    assert again.fingerprint() == proj.fingerprint()
    assert every_history(again) == every_history(proj)
    # A repeated op is still recognised after loading: nothing changes.
    again.fold(ops)
    assert again.fingerprint() == proj.fingerprint()


def test_history_pack_snapshot_is_small_for_one_writer() -> None:
    ops = real_ids(build_ops([("m-employer", "shift", "s1", "location", n, 0) for n in range(20)]))
    proj = Projection()
    proj.fold(ops)
    packed = Projection.load(proj.serialize())._packed["shift/s1"]
    # Twenty versions by one device and author: their ids are not in the packed text.
    assert "d-1" not in packed and "m-employer" not in packed
    assert packed.count('"v') == 19  # the losers' values; the winner's is the row's
