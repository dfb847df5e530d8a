"""Publishing a feed on the relay, so calendar apps can subscribe to a ``webcal://`` link.

    publisher = CalendarPublisher(services, "https://relay.example")
    link = publisher.publish(build_feed(services, "member", me))   # signed PUT
    publisher.republish()                                           # after changes, online
    publisher.revoke(link.name)                                     # DELETE: the link dies

The relay (``PUT /v1/teams/{team}/calendars/{name}``, ``app/sync/relay_app.py``) keeps the
body and only the SHA-256 of the token. On first publish (and on ``rotate``, which deletes
the old link) this device picks a random relay name and a 256-bit token itself, so two devices
never replace each other's link and nobody can guess a name; it keeps the links it made sealed with
the store's master key in ``calendar-links.sealed`` beside the store: a token is a read key
to the roster and must not lie on disk in plaintext (DESIGN.md, "Data"). Re-publishing sends
the body only, so the link stays the same for every subscriber.

Requests are signed like every sync request, through the sync client's ``RelayHttp``.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from app import settings
from app.calendar.feeds import Feed, build_feed
from app.errors import IntegrityError, SyncError
from app.store.crypto import open_sealed, seal
from app.store.services import Services
from app.sync import protocol
from app.sync.client import RelayHttp, RelayRefused

LINKS_FILE = "calendar-links.sealed"
_AAD = b"assistenzzeit/calendar-links/v1"


@dataclass(frozen=True)
class Link:
    """A published calendar as this device knows it."""

    name: str  # member-<id> | team | open
    kind: str
    member_id: str | None
    token: str
    url: str  # https://…/ics/<token>.ics
    etag: str = ""
    relay_name: str = ""  # the calendar's name on the relay: "<kind>-<24 random hex>"

    @property
    def webcal(self) -> str:
        """The subscription link calendar apps open (same URL, ``webcal`` scheme)."""
        parts = urlsplit(self.url)
        return "webcal://" + parts.netloc + parts.path


def feed_url(relay: str, token: str) -> str:
    return f"{relay.rstrip('/')}/ics/{token}.ics"


def load_links(services: Services) -> dict[str, Link]:
    """The calendars this device published, by name (empty when none)."""
    path = services.store.directory / LINKS_FILE
    if not path.exists():
        return {}
    raw = open_sealed(services.store.ring.master, path.read_bytes(), _AAD, "calendar links")
    try:
        return {name: Link(**fields) for name, fields in json.loads(raw).items()}
    except (TypeError, ValueError) as err:
        raise IntegrityError("error.calendar.links_unreadable") from err


def save_links(services: Services, links: dict[str, Link]) -> None:
    path = services.store.directory / LINKS_FILE
    data = json.dumps({n: asdict(link) for n, link in links.items()}).encode()
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(seal(services.store.ring.master, data, _AAD))
    tmp.replace(path)  # atomic: never half a file


def configured_relay(services: Services) -> str:
    """The relay this store syncs with (set when joining or in the settings), else the
    ``ASSISTENZZEIT_RELAY`` setting; "" when there is none."""

    # Same place the sync client reads it from (app/sync/client.py).
    url = services.store.relay_url() or settings.get("relay") or ""
    return str(url).rstrip("/")


class CalendarPublisher:
    def __init__(self, services: Services, relay: str, http: Any = None,
                 retries: int = 3) -> None:
        if not relay.startswith(("http://", "https://")):
            raise SyncError("error.calendar.relay_scheme", relay=relay)
        store = services.store
        self.services = services
        self.relay = relay.rstrip("/")
        self._http = RelayHttp(self.relay, store.device_id, store.ring.signing, http,
                               retries=retries)
        self._owns_http = http is None

    def close(self) -> None:
        if self._owns_http:
            self._http.http.close()

    def __enter__(self) -> CalendarPublisher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def links(self) -> dict[str, Link]:
        return load_links(self.services)

    def _save(self, links: dict[str, Link]) -> None:
        save_links(self.services, links)

    # ------------------------------------------------------------------ relay calls
    def _path(self, name: str) -> str:
        return f"{protocol.API}/teams/{self.services.store.team_id}/calendars/{name}"

    def publish(self, feed: Feed, rotate: bool = False) -> Link:
        """Upload ``feed``; returns its link (a new one on first publish or with ``rotate``,
        which also deletes the old one on the relay)."""
        known = self.links().get(feed.name)
        body: dict[str, Any] = {"ics": feed.body.decode("utf-8")}
        if known is None or rotate:
            # A fresh random relay name per link: two devices (or the employer and a proxy)
            # publishing the same feed never replace each other's token, and a name cannot
            # be guessed to overwrite or withdraw someone else's calendar.
            relay_name = f"{feed.kind}-{secrets.token_hex(12)}"
            body["token"] = protocol.b64(secrets.token_bytes(32))
        else:
            relay_name = known.relay_name
        answer: dict[str, Any] = self._http.call("PUT", self._path(relay_name), body)
        # The relay names a token when it took ours, or made one because it had lost the
        # calendar (a re-published body without token); otherwise the old token stands.
        token = str(answer.get("token") or body.get("token") or (known.token if known else ""))
        if not token:
            raise SyncError("error.calendar.no_link")
        link = Link(feed.name, feed.kind, feed.member_id, token, feed_url(self.relay, token),
                    str(answer.get("etag") or ""), relay_name)
        links = self.links()
        links[feed.name] = link
        self._save(links)
        if known is not None and rotate:
            self._delete(known.relay_name)
        return link

    def revoke(self, name: str) -> None:
        """Withdraw a calendar: the relay forgets it, its link answers 404 from now on."""
        links = self.links()
        link = links.pop(name, None)
        if link is not None:
            self._delete(link.relay_name)
        self._save(links)

    def _delete(self, relay_name: str) -> None:
        try:
            self._http.call("DELETE", self._path(relay_name))
        except RelayRefused as err:
            if err.status != 404:  # already gone is what we wanted
                raise

    def republish(self, today: date | None = None) -> list[Link]:
        """Upload fresh versions of every calendar this device published (after changes)."""
        done = []
        for link in self.links().values():
            feed = build_feed(self.services, link.kind, link.member_id, today=today)
            done.append(self.publish(feed))
        return done



def republish_if_online(services: Services, http: Any = None) -> int:
    """After changes (e.g. after a sync round): refresh every published calendar of this
    device. Offline or no relay: nothing happens and 0 is returned; the next call catches up."""
    relay = configured_relay(services)
    if not relay or not load_links(services):
        return 0
    try:
        with CalendarPublisher(services, relay, http=http, retries=1) as publisher:
            return len(publisher.republish())
    except SyncError:
        return 0
