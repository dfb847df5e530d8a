"""``team revoke`` and the screen's *Gerät sperren* do not need a clean pull first: with every
pull failing (as one did behind a hostile envelope before quarantine), the revocation is
committed locally and pushed, and the relay refuses the device from then on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.errors import SyncError
from app.sync import device_sync
from app.sync.client import RelayRefused, SyncClient, SyncReport
from tests.sync.conftest import PW, Team, join, make_employer


def _failing_pull(self: SyncClient, report: SyncReport) -> None:
    raise SyncError("the relay's history has a gap; try again later")


@pytest.mark.parametrize("via", ["cli", "screen"])
def test_revoke_commits_and_pushes_without_a_pull(relay_factory: Any, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str],
                                                  via: str) -> None:
    relay = relay_factory(str(tmp_path / "relay.db"))
    team = Team(make_employer(tmp_path, relay.url, with_demo=False), relay_url=relay.url)
    try:
        ben = join(team, tmp_path, "Ben Meyer")
        team.assistants.append(ben)
        employer = team.employer
        monkeypatch.setattr(SyncClient, "pull", _failing_pull)
        with pytest.raises(SyncError, match="gap"):
            team.client(employer).sync()
        if via == "cli":
            directory = employer.store.directory
            team.clients.pop(employer.store.device_id).close()
            employer.store.close()
            monkeypatch.setenv("ASSISTENZZEIT_PASSPHRASE", PW)
            code = main(["team", "revoke", "--store", str(directory),
                         "--device", ben.store.device_id])
            out = capsys.readouterr()
            assert code == 0, out.err
            assert out.out.startswith("revoked; new keys for: ")
            assert "the sync after it failed: the relay's history has a gap" in out.err
        else:
            assert "team" in device_sync.revoke_device(employer, ben.store.device_id)
            assert (employer.store.projection.get("device", ben.store.device_id) or {}
                    )["revoked"] is True
        monkeypatch.undo()
        with pytest.raises(RelayRefused) as refused:
            team.client(ben).sync()
        assert refused.value.status == 403
    finally:
        if via == "cli":
            team.assistants[0].store.close()
            for c in team.clients.values():
                c.close()
        else:
            team.close()
