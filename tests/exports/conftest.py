"""A real store built from the shared pay fixtures: each case becomes one assistant's month.

``case_store([("Deniz Kaya", "1003", "minijob-april-ok"), …])`` creates a team in the Land
and time zone of the cases, one assistant per case with the case's contract (from
2026-01-01, default Teilbudget "Eingliederungshilfe", Kostenstelle EGH) and the case's
shifts as manual time entries. The fixtures themselves are only read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app.store.services import Services
from app.store.store import Store

PASSPHRASE = "export test passphrase"
GOLDEN = Path(__file__).resolve().parent / "golden"


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class CaseStore:
    store: Store
    services: Services
    employer: str
    budget: str
    members: dict[str, str] = field(default_factory=dict)  # name -> id
    proxy: str = ""
    payroll: str = ""


def load_case(shared_dir: Path, name: str) -> dict[str, Any]:
    return json.loads((shared_dir / "fixtures" / "pay" / f"{name}.json").read_text("utf-8"))


@pytest.fixture
def case_store(tmp_path: Path, shared_dir: Path) -> Iterator[Callable[..., CaseStore]]:
    stores: list[Store] = []

    def make(cases: list[tuple[str, str, str]]) -> CaseStore:
        loaded = [load_case(shared_dir, c[2]) for c in cases]
        clock = FixedClock(datetime(2026, 5, 4, 9, 30, tzinfo=UTC))
        store = Store.create(tmp_path / f"store{len(stores)}", PASSPHRASE, kdf_n=2**12,
                             clock=clock)
        stores.append(store)
        services = Services(store)
        services.create_team("Assistenzteam Anna", "Anna Becker", loaded[0]["state"],
                             loaded[0]["tz"])
        funder = services.add_funder("Landschaftsverband Rheinland", "PB-2024-0815")
        budget = services.add_budget(funder, "Eingliederungshilfe", "2500.00", "2026-01-01",
                                     support_kind="Teilhabe", cost_center="EGH")
        cs = CaseStore(store, services, store.member_id, budget)
        for (name, staff, _), case in zip(cases, loaded, strict=True):
            mid = services.add_member(name, "assistant", staff_number=staff)
            contract = case["contract"]
            services.set_contract(mid, "2026-01-01", contract["hourly_wage"],
                                  contract["employment"], "10", default_budget_id=budget)
            for shift in case["shifts"]:
                services.add_entry(mid, shift["start"], shift["end"], "Papierzettel",
                                   breaks=shift.get("breaks", []), kind=shift["kind"])
            cs.members[name] = mid
        cs.proxy = services.add_member("Frank Huber", "proxy")
        cs.payroll = services.add_member("Lohnbüro Rhein", "payroll")
        return cs

    yield make
    for store in stores:
        store.close()
