"""Conflicts end to end through a real relay: the employer and a proxy edit the same shift
field concurrently; the employer sees one conflict with both values, who and when, keeps
one; after syncing, the proxy's device has the chosen value and no open conflict either."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.errors import InputError
from app.store import conflicts
from tests.sync.conftest import Team, join, make_employer


def test_conflicts_resolve_keeps_chosen_value_on_every_device(relay_factory: Any,
                                                               tmp_path: Path) -> None:
    relay = relay_factory(str(tmp_path / "relay.db"))
    team = Team(make_employer(tmp_path, relay.url), relay_url=relay.url)
    try:
        proxy = join(team, tmp_path, "Paula Proxy", role="proxy")
        team.assistants.append(proxy)
        team.sync_all()
        employer = team.employer
        shift = employer.shifts_between("2026-03-16T00:00", "2026-03-23T00:00")[0]
        sid = shift["id"]
        assert proxy.store.projection.get("shift", sid) is not None
        assert conflicts.open_conflicts(employer) == []

        # Both edit without seeing the other's change.
        employer.update_shift(sid, location="Wohnung")
        proxy.update_shift(sid, location="Praxis Dr. Roth")
        team.sync_all()

        (c,) = conflicts.open_conflicts(employer)
        assert (c["entity"], c["entity_id"], c["field"]) == ("shift", sid, "location")
        values = {c["winner"]["value"], c["loser"]["value"]}
        assert values == {"Wohnung", "Praxis Dr. Roth"}
        boss = next(m["display_name"] for m in employer.members() if m["role"] == "employer")
        assert {c["winner"]["who"], c["loser"]["who"]} == {"Paula Proxy", boss}
        assert all(len(c[side]["when"]) == 16 for side in conflicts.SIDES)  # YYYY-MM-DD HH:MM
        # The merge picked one value by (hlc, device); the employer keeps the other one.
        keep = "loser"
        chosen = c[keep]["value"]
        assert employer.store.projection.get("shift", sid)["location"] != chosen

        assert conflicts.resolve(employer, c["id"], keep) == chosen
        assert employer.store.projection.get("shift", sid)["location"] == chosen
        assert conflicts.open_conflicts(employer) == []

        team.sync_all()
        assert proxy.store.projection.get("shift", sid)["location"] == chosen
        assert conflicts.open_conflicts(proxy) == []
        assert conflicts.open_conflicts(employer) == []
    finally:
        team.close()


def test_conflicts_resolve_refuses_unknown_side_and_id(relay_factory: Any,
                                                       tmp_path: Path) -> None:
    relay = relay_factory(str(tmp_path / "relay.db"))
    employer = make_employer(tmp_path, relay.url, with_demo=False)
    try:
        with pytest.raises(InputError):
            conflicts.resolve(employer, "x", "both")
        with pytest.raises(LookupError):
            conflicts.resolve(employer, "no-such-conflict", "winner")
    finally:
        employer.store.close()
