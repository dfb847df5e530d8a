"""Revocation through a real relay: a member leaves (all their devices refused, their scopes
rotated), and the employer's own lost second device is revoked while the first goes on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.sync.client import RelayRefused
from app.sync.membership import revoke_device, revoke_member
from tests.sync.conftest import join, make_team


def test_membership_revoke_member_and_lost_employer_device(relay_factory: Any,
                                                           tmp_path: Path) -> None:
    relay = relay_factory(str(tmp_path / "relay.db"))
    team = make_team(tmp_path, relay.url)
    try:
        employer, ben, clara = team.employer, *team.assistants
        emp_client = team.client(employer)
        rotated = revoke_member(employer, emp_client, clara.store.member_id)
        assert set(rotated) == {"team", f"member:{clara.store.member_id}"}
        assert employer.member(clara.store.member_id)["active"] is False
        with pytest.raises(RelayRefused) as err:
            team.client(clara).sync()
        assert err.value.status == 403
        employer.update_team(name="Nach dem Abschied")
        emp_client.sync()
        team.client(ben).sync()
        assert ben.team()["name"] == "Nach dem Abschied"
        assert ("team", 2) in ben.store.ring.scopes
        assert ("team", 2) not in clara.store.ring.scopes

        # The employer's second device is lost: revoke it from the first.
        second = join(team, tmp_path, "Anna Becker", role="employer")
        team.assistants.append(second)
        assert ("employer", 1) in second.store.ring.scopes
        # The second device's first own envelope is a membership change: it is pushed as
        # one, not mistaken for a team's genesis.
        dora = second.add_member("Dora Neu", "assistant")
        team.client(second).sync()
        team.client(ben).sync()
        assert ben.member(dora)["display_name"] == "Dora Neu"
        rotated = revoke_device(employer, emp_client, second.store.device_id)
        assert {"team", "employer"} <= set(rotated)
        with pytest.raises(RelayRefused):
            team.client(second).sync()
        employer.add_funder("Neuer Kostenträger", "NK-1")
        emp_client.sync()
        assert ("employer", 2) in employer.store.ring.scopes
        assert ("employer", 2) not in second.store.ring.scopes
        team.client(ben).sync()
        assert ben.team()["name"] == "Nach dem Abschied"
    finally:
        team.close()
