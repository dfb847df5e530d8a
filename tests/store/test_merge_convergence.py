"""Replicas that receive the same ops in any order, with duplicates, converge (hypothesis).

Ops are built directly (no crypto: the envelope layer is tested elsewhere) from three
members on three devices: the employer, a proxy and an assistant. Each op's ``base`` is a
random earlier stamp, so some edits are concurrent, which must leave conflict records.
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.ops import Op
from app.store.projection import Projection

EMPLOYER, PROXY, ASSISTANT = "m-employer", "m-proxy", "m-assistant"
DEVICE = {EMPLOYER: "d-1", PROXY: "d-2", ASSISTANT: "d-3"}


def genesis() -> list[Op]:
    ops = [
        Op("g1", "device.added", "device", "d-1", {"member_id": EMPLOYER, "sign_pub": "aa"},
           0, 1, EMPLOYER, "d-1"),
        Op("g2", "member.added", "member", EMPLOYER, {"role": "employer", "display_name": "A"},
           0, 2, EMPLOYER, "d-1"),
        Op("g3", "team.created", "team", "t", {"name": "T"}, 0, 3, EMPLOYER, "d-1"),
    ]
    stamp = 4
    for member, role in ((PROXY, "proxy"), (ASSISTANT, "assistant")):
        ops.append(Op(f"g{stamp}", "member.added", "member", member,
                      {"role": role, "display_name": member}, 0, stamp, EMPLOYER, "d-1"))
        ops.append(Op(f"g{stamp + 1}", "device.added", "device", DEVICE[member],
                      {"member_id": member}, 0, stamp + 1, EMPLOYER, "d-1"))
        stamp += 2
    return ops


edit = st.tuples(
    st.sampled_from([EMPLOYER, PROXY, ASSISTANT]),
    st.sampled_from(["shift", "entry"]),
    st.sampled_from(["s1", "s2", "e1"]),
    st.sampled_from(["start", "note", "location"]),
    st.integers(0, 5),  # value
    st.integers(0, 100),  # how stale the author's view is (0 = saw everything)
)


def build_ops(edits: list[tuple[str, str, str, str, int, int]]) -> list[Op]:
    ops = genesis()
    stamp = 100
    for i, (author, entity, eid, field, value, stale) in enumerate(edits):
        stamp += 1
        base = max(0, stamp - 1 - stale)
        fields: dict[str, object] = {field: f"v{value}"}
        if entity == "entry":
            fields["member_id"] = ASSISTANT  # entries belong to the assistant, whoever edits
        ops.append(Op(f"o{i}", f"{entity}.edited", entity, eid, fields, base, stamp, author,
                      DEVICE[author]))
    return ops


def replica(ops: list[Op], seed: int, chunk: int) -> Projection:
    rng = random.Random(seed)
    delivered = ops + rng.sample(ops, k=len(ops) // 3)  # duplicates
    rng.shuffle(delivered)
    proj = Projection()
    for i in range(0, len(delivered), chunk):
        proj.fold(delivered[i : i + chunk])
    return proj


@settings(max_examples=60, deadline=None)
@given(edits=st.lists(edit, max_size=40), seeds=st.lists(st.integers(0, 10**6), min_size=2,
                                                         max_size=3),
       chunk=st.integers(1, 7))
def test_projection_converges_in_any_delivery_order(edits, seeds, chunk) -> None:
    ops = build_ops(edits)
    reference = Projection()
    reference.fold(ops)
    for seed in seeds:
        assert replica(ops, seed, chunk).fingerprint() == reference.fingerprint()


def test_concurrent_edits_by_different_authors_leave_a_conflict() -> None:
    ops = genesis()
    ops.append(Op("c0", "shift.planned", "shift", "s1", {"start": "2026-03-09T08:00"}, 0, 100,
                  EMPLOYER, "d-1"))
    # Both saw version 100 and then edited the same field without seeing each other.
    ops.append(Op("c1", "shift.updated", "shift", "s1", {"start": "2026-03-09T09:00"}, 100, 101,
                  EMPLOYER, "d-1"))
    ops.append(Op("c2", "shift.updated", "shift", "s1", {"start": "2026-03-09T10:00"}, 100, 102,
                  PROXY, "d-2"))
    for order in (ops, list(reversed(ops))):
        proj = Projection()
        proj.fold(order)
        assert proj.rows["shift"]["s1"]["start"] == "2026-03-09T10:00"
        conflicts = list(proj.conflicts.values())
        assert len(conflicts) == 1
        assert conflicts[0]["loser_value"] == '"2026-03-09T09:00"'
        assert conflicts[0]["loser_author"] == EMPLOYER
        assert conflicts[0]["winner_author"] == PROXY


def test_sequential_edits_leave_no_conflict() -> None:
    ops = genesis()
    ops.append(Op("c0", "shift.planned", "shift", "s1", {"start": "a"}, 0, 100, EMPLOYER, "d-1"))
    ops.append(Op("c1", "shift.updated", "shift", "s1", {"start": "b"}, 100, 101, PROXY, "d-2"))
    ops.append(Op("c2", "shift.updated", "shift", "s1", {"start": "c"}, 101, 102, EMPLOYER,
                  "d-1"))
    proj = Projection()
    proj.fold(ops)
    assert proj.rows["shift"]["s1"]["start"] == "c"
    assert proj.conflicts == {}


def test_assistant_may_not_plan_shifts_and_is_logged() -> None:
    ops = [*genesis(), Op("x", "shift.planned", "shift", "s9", {"start": "a"}, 0, 100,
                          ASSISTANT, "d-3")]
    proj = Projection()
    proj.fold(ops)
    assert "s9" not in proj.rows["shift"]
    assert "assistant may not shift.planned" in proj.rejected["x"]


def test_ops_of_an_unknown_author_wait_for_membership() -> None:
    ops = genesis()
    late = Op("p1", "shift.planned", "shift", "s5", {"start": "x"}, 0, 200, PROXY, "d-2")
    proj = Projection()
    proj.fold([*ops[:3], late])
    assert "s5" not in proj.rows["shift"] and "p1" in proj.pending
    proj.fold(ops[3:])
    assert proj.rows["shift"]["s5"]["start"] == "x" and not proj.pending


def test_snapshot_round_trip_keeps_everything() -> None:
    ops = build_ops([(EMPLOYER, "shift", "s1", "note", 1, 5), (PROXY, "shift", "s1", "note", 2, 5),
                     (ASSISTANT, "entry", "e1", "note", 3, 0)])
    proj = Projection()
    proj.fold(ops)
    again = Projection.load(proj.serialize())
    assert again.fingerprint() == proj.fingerprint()
    # Folding more after loading behaves as if nothing happened in between.
    more = Op("m1", "shift.updated", "shift", "s1", {"note": "z"}, 0, 500, PROXY, "d-2")
    proj.fold([more])
    again.fold([more])
    assert again.fingerprint() == proj.fingerprint()
