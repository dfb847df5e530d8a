"""The month document: engine figures, canonical bytes, hash, lines that add up, diff."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.domain import timesheet as ts

TEAM = {"id": "t1", "name": "Team Anna", "tz": "Europe/Berlin", "state": "NW"}
MEMBER = {"id": "m1", "display_name": "Deniz Kaya", "staff_number": "1003"}
BUDGETS = {"b1": {"name": "Eingliederungshilfe", "cost_center": "EGH", "funder_id": "f1",
                  "funder": "LVR"},
           "b2": {"name": "Pflege", "cost_center": "PFL", "funder_id": "f2", "funder": "AOK"}}


def _case(shared_dir: Path, name: str) -> dict[str, Any]:
    return json.loads((shared_dir / "fixtures" / "pay" / f"{name}.json").read_text("utf-8"))


def _doc(case: dict[str, Any], budgets: list[str] | None = None) -> dict[str, Any]:
    entries = [{"id": f"e{i}", "start": s["start"], "end": s["end"], "breaks": s["breaks"],
                "kind": s["kind"], "budget_id": (budgets or ["b1"])[i % len(budgets or ["b1"])]}
               for i, s in enumerate(case["shifts"])]
    contract = {"id": "c1", "valid_from": "2026-01-01", **case["contract"]}
    month = case["shifts"][0]["start"][:7]
    return ts.build_document(team={**TEAM, "state": case["state"]}, member=MEMBER, month=month,
                             version=1, contract=contract, entries=entries, budgets=BUDGETS)


@pytest.mark.parametrize("name", ["minijob-april-ok", "E1-sunday-night", "E2-christmas-eve",
                                  "E3-corpus-christi-NW", "midnight-start"])
def test_timesheet_document_carries_the_engine_figures(shared_dir: Path, name: str) -> None:
    case = _case(shared_dir, name)
    doc = _doc(case)
    for cls, hours in case["expect"]["hours"].items():
        assert doc["hours"][cls] == hours
    for part, amount in case["expect"]["pay"].items():
        assert doc["pay"][part] == amount
    assert sum(Decimal(ln["amount"]) for ln in doc["lines"]) == Decimal(doc["pay"]["gross"])
    assert {w["code"] for w in doc["warnings"]} >= set(case["expect"].get("warnings", []))


def test_timesheet_canonical_bytes_and_hash_are_stable(shared_dir: Path) -> None:
    doc = _doc(_case(shared_dir, "minijob-april-ok"))
    raw = ts.canonical(doc)
    assert raw == ts.canonical(json.loads(raw))  # a round trip keeps the bytes
    assert raw.startswith(b'{"absences":[],"assistant":{"id":"m1","name":"Deniz Kaya"')
    assert ts.document_hash(doc) == hashlib.sha256(raw).hexdigest()
    reordered = dict(reversed(list(doc.items())))
    assert ts.document_hash(reordered) == ts.document_hash(doc)
    assert doc["minijob"] == {"counted": "602.00", "limit": "603.00"}
    assert doc["contract"]["surcharges"]["sunday50"] == "0.50"


def test_timesheet_budget_split_adds_up_to_the_totals(shared_dir: Path) -> None:
    doc = _doc(_case(shared_dir, "minijob-april-ok"), ["b1", "b2"])
    assert [b["cost_center"] for b in doc["budgets"]] == ["EGH", "PFL"]
    assert sum(Decimal(b["gross"]) for b in doc["budgets"]) == Decimal("658.00")
    assert sum(Decimal(b["hours"]) for b in doc["budgets"]) == Decimal("43.00")
    base = [ln for ln in doc["lines"] if ln["class"] == "base"]
    assert {ln["budget_id"] for ln in base} == {"b1", "b2"}
    assert sum(Decimal(ln["amount"]) for ln in base) == Decimal("602.00")


def test_timesheet_counter_message_binds_the_assistant_signature() -> None:
    doc_hash = "ab" * 32
    a = ts.counter_message(doc_hash, b"\x01" * 64)
    assert a == hashlib.sha256(bytes.fromhex(doc_hash) + b"\x01" * 64).digest()
    assert a != ts.counter_message(doc_hash, b"\x02" * 64)


def test_timesheet_diff_names_changed_entries_and_totals(shared_dir: Path) -> None:
    case = _case(shared_dir, "minijob-april-ok")
    old = _doc(case)
    case["shifts"][0]["end"] = "2026-04-01T14:00"
    new = _doc(case)
    changes = ts.diff(old, new)
    entry = [c for c in changes if c["what"] == "entry"]
    assert len(entry) == 1 and entry[0]["key"] == "e0"
    assert entry[0]["old"]["end"] == "2026-04-01T13:00"
    assert entry[0]["new"]["end"] == "2026-04-01T14:00"
    assert {"what": "pay", "key": "gross", "old": "658.00", "new": "672.00"} in changes
    assert ts.diff(None, new) == []
    assert ts.diff(new, new) == []
