"""LAN mode: the employer's app runs the relay in-process with a SQLite file in the store
folder; the invite code carries that address and a second device joins and syncs."""

from __future__ import annotations

from pathlib import Path

from app.store import disk
from app.store.services import Services
from app.sync import protocol
from app.sync.client import SyncClient
from app.sync.lan import RELAY_FILE, LanRelay, lan_address
from app.sync.pairing import approve, create_invite, join_with_code, pending_requests
from tests.sync.conftest import KDF_N, PW, make_employer


def test_lan_relay_in_process_pairs_and_syncs(tmp_path: Path) -> None:
    assert lan_address().count(".") == 3
    lan = LanRelay(tmp_path / "employer", host="127.0.0.1", port=0)
    (tmp_path / "employer").mkdir()
    lan.start()
    try:
        employer = make_employer(tmp_path, lan.url)
        with SyncClient(employer.store) as client:
            invite = create_invite(employer, client, "assistant", "Ben Meyer")
            assert protocol.InviteCode.decode(invite.code).relay == lan.url
            assert invite.qr_svg().startswith("<?xml") and "<svg" in invite.qr_svg()
            assert invite.qr_png_data_uri().startswith("data:image/png;base64,")
            joined = join_with_code(tmp_path / "ben", PW, invite.code, "Ben", kdf_n=KDF_N)
            (req,) = pending_requests(employer, client)
            assert req.said_name == "Ben" and req.member_name == "Ben Meyer"
            approve(employer, client, req)
        ben = Services(joined.store)
        assert disk.get_meta(ben.store._conn, "relay") == lan.url
        with SyncClient(ben.store) as client:
            report = client.sync()
            assert report.ops > 200 and client.last_synced() is not None
        assert ben.team()["name"] == employer.team()["name"]
        assert (tmp_path / "employer" / RELAY_FILE).exists()
        employer.store.close()
        ben.store.close()
    finally:
        lan.stop()
