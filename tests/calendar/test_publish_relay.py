"""Publishing through a real relay process (uvicorn serving ``create_app``, the relay's real
app factory, on a real SQLite file): the link serves the feed with an ETag, answers 304 for
an unchanged one, keeps its URL across re-publishing, and 404 once revoked or rotated.
The relay process and the HTTP client are fixtures in ``conftest.py``."""

from __future__ import annotations

from datetime import date

import icalendar

from app.calendar.feeds import build_feed
from app.calendar.publish import LINKS_FILE, CalendarPublisher
from app.calendar.render import shift_uid
from app.sync.client import SyncClient

from .conftest import SHIFTS

TODAY = date(2026, 3, 1)
def test_publish_etag_304_republish_and_revoke_404(team, relay, http):
    SyncClient(team.store, relay, http=http).sync()  # the relay learns the team, this device
    publisher = CalendarPublisher(team.services, relay, http=http)
    link = publisher.publish(build_feed(team.services, "team", today=TODAY))
    assert link.url.startswith(relay + "/ics/") and link.webcal.startswith("webcal://127.0.0.1")
    assert len(link.token) >= 43  # 32 random bytes, base64url

    first = http.get(link.url)
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/calendar")
    etag = first.headers["etag"]
    assert first.content == build_feed(team.services, "team", today=TODAY).body

    unchanged = http.get(link.url, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304

    sid = SHIFTS[0][0]
    team.services.update_shift(sid, start="2026-03-27T09:00")
    [again] = publisher.republish(today=TODAY)
    assert again.url == link.url  # subscribers keep their link
    changed = http.get(link.url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    event = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(changed.content)
             .walk("VEVENT")}[shift_uid(sid)]
    assert int(event["SEQUENCE"]) == 1

    publisher.revoke(link.name)
    assert http.get(link.url).status_code == 404
    assert http.get(link.url, headers={"If-None-Match": etag}).status_code == 404
    assert publisher.links() == {}


def test_publish_rotate_kills_old_link_and_token_not_on_disk(team, relay, http):
    SyncClient(team.store, relay, http=http).sync()
    publisher = CalendarPublisher(team.services, relay, http=http)
    feed = build_feed(team.services, "member", team.ids["ben"], today=TODAY)
    old = publisher.publish(feed)
    new = publisher.publish(feed, rotate=True)
    assert new.token != old.token
    assert http.get(old.url).status_code == 404
    assert http.get(new.url).status_code == 200
    assert publisher.links()[feed.name].url == new.url
    sealed = (team.store.directory / LINKS_FILE).read_bytes()
    assert new.token.encode() not in sealed and b"member-" not in sealed


def test_publish_second_device_does_not_replace_first_link(team, relay, http):
    """Each device's link has its own random relay name: a second publisher of the same
    feed (another device, or a proxy) gets its own link and leaves the first one working."""
    SyncClient(team.store, relay, http=http).sync()
    publisher = CalendarPublisher(team.services, relay, http=http)
    feed = build_feed(team.services, "open", today=TODAY)
    first = publisher.publish(feed)
    (team.store.directory / LINKS_FILE).unlink()  # as if another device, with no links yet
    second = publisher.publish(feed)
    assert first.relay_name != second.relay_name and first.token != second.token
    assert http.get(first.url).status_code == 200
    assert http.get(second.url).status_code == 200


def test_publish_republish_if_online_after_changes_and_offline(team, relay, http, monkeypatch):
    from app.calendar.publish import republish_if_online

    monkeypatch.setenv("ASSISTENZZEIT_RELAY", relay)
    assert republish_if_online(team.services, http=http) == 0  # nothing published yet
    SyncClient(team.store, relay, http=http).sync()
    publisher = CalendarPublisher(team.services, relay, http=http)
    link = publisher.publish(build_feed(team.services, "team"))
    team.services.cancel_shift(SHIFTS[2][0])
    assert republish_if_online(team.services, http=http) == 1
    body = http.get(link.url).content
    assert b"STATUS:CANCELLED" in body

    # Offline: nobody listens on port 9; the next call after reconnecting catches up.
    monkeypatch.setattr("app.calendar.publish.configured_relay", lambda s: "http://127.0.0.1:9")
    assert republish_if_online(team.services) == 0
