"""The scripting CLI end to end, each command a real subprocess against a real relay:
demo → team invite → team join → team approve → sync → clock in → the employer sees it →
team revoke → the revoked device is refused; the invite code cannot be used twice; and
``assistenzzeit check`` still verifies every envelope of a store that received envelopes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from tests.sync.conftest import ROOT


def az(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTENZZEIT_PASSPHRASE": "pw-cli-test", "ASSISTENZZEIT_KDF_N": "1024"}
    proc = subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_sync_cli_invite_join_approve_clock_revoke(relay_factory: Any, tmp_path: Path) -> None:
    relay = relay_factory(str(tmp_path / "relay.db"))
    emp, ben, eve = (str(tmp_path / n) for n in ("employer", "ben", "eve"))
    az("demo", "--store", emp)
    code = az("team", "invite", "--store", emp, "--relay", relay.url, "--role", "assistant",
              "--name", "Ben Meyer", "--qr", str(tmp_path / "invite.svg")).stdout.strip()
    assert "<svg" in (tmp_path / "invite.svg").read_text()
    joined = az("team", "join", code, "--store", ben, "--name", "Ben").stdout
    number = re.search(r"(\d{3} \d{3})", joined).group(1)  # type: ignore[union-attr]
    waiting = az("sync", "--store", ben).stdout
    assert "waiting for approval" in waiting

    approved = az("team", "approve", "--store", emp, "--all").stdout
    assert number in approved and "Ben Meyer" in approved
    device = re.search(r"approved: (\S+)", approved).group(1)  # type: ignore[union-attr]

    az("sync", "--store", ben)
    az("clock", "in", "--store", ben, "--member", "Ben Meyer", "--note", "CLI-Dienst")
    az("sync", "--store", ben)
    az("sync", "--store", emp)
    month = date.today().strftime("%Y-%m")
    seen = az("month", "--store", emp, "--member", "Ben Meyer", "--month", month).stdout
    assert "CLI-Dienst" in seen and "läuft" in seen

    again = az("team", "join", code, "--store", eve, "--name", "Eve", ok=False)
    assert again.returncode == 2 and "used already" in again.stderr

    revoked = az("team", "revoke", "--store", emp, "--device", device).stdout
    assert "team" in revoked
    refused = az("sync", "--store", ben, ok=False)
    assert refused.returncode == 2 and "revoked" in refused.stderr
    assert "Traceback" not in refused.stderr

    check = az("check", "--store", ben).stdout
    assert "0 damaged" in check
