"""Calendar publishing on the relay: signed PUT under a 256-bit token (stored only as its
hash), GET /ics/{token}.ics with ETag and 304, DELETE → 404."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.sync import protocol
from app.sync.client import RelayRefused, SyncClient
from tests.sync.conftest import make_employer

ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n"


def test_relay_calendar_publish_etag_revoke(relay_factory: Any, tmp_path: Path) -> None:
    db = tmp_path / "relay.db"
    relay = relay_factory(str(db))
    employer = make_employer(tmp_path, relay.url, with_demo=False)
    try:
        with SyncClient(employer.store) as client:
            path = f"/v1/teams/{employer.store.team_id}/calendars/dienstplan"
            out = client.relay.call("PUT", path, {"ics": ICS})
            token = out["token"]
            assert len(protocol.unb64(token)) == 32
            r = httpx.get(relay.url + out["path"])
            assert r.status_code == 200 and r.text == ICS
            assert r.headers["content-type"].startswith("text/calendar")
            etag = r.headers["etag"]
            assert httpx.get(relay.url + out["path"],
                             headers={"If-None-Match": etag}).status_code == 304
            # An update keeps the token and changes the ETag.
            client.relay.call("PUT", path, {"ics": ICS.replace("test", "test2")})
            r2 = httpx.get(relay.url + out["path"], headers={"If-None-Match": etag})
            assert r2.status_code == 200 and r2.headers["etag"] != etag
            # Only the token's hash is stored.
            conn = sqlite3.connect(db)
            assert token.encode() not in b"".join(
                str(row).encode() for row in conn.execute("SELECT * FROM az_calendars"))
            conn.close()
            with pytest.raises(RelayRefused) as err:
                client.relay.call("PUT", path, {"ics": "not a calendar"})
            assert err.value.status == 400
            client.relay.call("DELETE", path)
            assert httpx.get(relay.url + out["path"]).status_code == 404
            assert httpx.get(relay.url + "/ics/" + "A" * 43 + ".ics").status_code == 404
        # Unsigned requests are refused.
        r = httpx.put(relay.url + path, json={"ics": ICS})
        assert r.status_code == 401
    finally:
        employer.store.close()


def test_relay_health_metrics_openapi(relay_factory: Any, tmp_path: Path) -> None:
    relay = relay_factory(str(tmp_path / "relay.db"))
    assert httpx.get(relay.url + "/healthz").json() == {"ok": True}
    spec = httpx.get(relay.url + "/openapi.json").json()
    assert "/v1/teams/{team}/envelopes" in spec["paths"]
    assert "/ics/{token}.ics" in spec["paths"]
    r = httpx.get(relay.url + "/v1/teams/x/envelopes?after=0&limit=5")
    assert r.status_code == 401 and r.json()["error"]
    big = httpx.post(relay.url + "/v1/teams", content=b"x" * (protocol.MAX_BODY_BYTES + 1))
    assert big.status_code == 413
    text = httpx.get(relay.url + "/metrics").text
    assert 'az_requests_total{route="/healthz",status="200"}' in text
    assert 'status="401"' in text


def test_relay_calendar_owned_by_publisher_and_withdrawn_on_revoke(relay_factory: Any,
                                                                   tmp_path: Path) -> None:
    """Another device's PUT or DELETE of a calendar is refused (403); the employer may;
    revoking the publishing device withdraws its feeds, and only its feeds."""
    from app.calendar.feeds import build_feed
    from app.calendar.publish import CalendarPublisher
    from app.sync.membership import revoke_device
    from tests.sync.conftest import make_team

    relay = relay_factory(str(tmp_path / "relay.db"))
    team = make_team(tmp_path, relay.url)
    try:
        employer, ben, clara = team.employer, *team.assistants
        with CalendarPublisher(ben, relay.url) as pub:
            bens = pub.publish(build_feed(ben, "member", ben.store.member_id))
        with CalendarPublisher(clara, relay.url) as pub:
            claras = pub.publish(build_feed(clara, "member", clara.store.member_id))
        assert httpx.get(bens.url).status_code == 200
        path = f"/v1/teams/{employer.store.team_id}/calendars/{bens.relay_name}"
        for method, body in (("PUT", {"ics": ICS}), ("DELETE", None)):
            with pytest.raises(RelayRefused) as err:
                team.client(clara).relay.call(method, path, body)
            assert err.value.status == 403 and "another device" in err.value.reason
        assert httpx.get(bens.url).text != ICS  # Ben's feed, untouched
        # The employer may replace it; it stays Ben's (he can update it again).
        team.client(employer).relay.call("PUT", path, {"ics": ICS})
        assert httpx.get(bens.url).text == ICS
        team.client(ben).relay.call("PUT", path, {"ics": ICS.replace("test", "ben")})

        revoke_device(employer, team.client(employer), ben.store.device_id)
        assert httpx.get(bens.url).status_code == 404
        assert httpx.get(claras.url).status_code == 200
    finally:
        team.close()
