"""Store fixtures. Store tests run on the mobile dependency floor too (marked ``floor``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.store.services import Services
from app.store.store import Store

_HERE = Path(__file__).resolve().parent
PASSPHRASE = "korrekt pferd batterie heftklammer"
FAST_KDF = 2**12


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.floor)


class FakeClock:
    """A settable UTC clock, so clock-in times are known."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Team:
    store: Store
    services: Services
    clock: FakeClock
    employer: str
    assistant: str
    path: Path


@pytest.fixture
def team(tmp_path: Path) -> Iterator[Team]:
    """A team with an employer (this device's owner) and one assistant, Ben."""
    clock = FakeClock(datetime(2026, 3, 9, 7, 0, tzinfo=UTC))
    store = Store.create(tmp_path / "store", PASSPHRASE, kdf_n=FAST_KDF, clock=clock)
    services = Services(store)
    services.create_team("Team Anna", "Anna Becker", "NW")
    ben = services.add_member("Ben Meyer", "assistant", staff_number="1001")
    services.set_contract(ben, "2026-01-01", "16.00", "part_time", "20")
    yield Team(store, services, clock, store.member_id, ben, tmp_path / "store")
    store.close()
