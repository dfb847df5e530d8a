"""The helper process that decrypts pulled pages during a long pull (app/sync/page_opener.py):
it opens what it has keys for and nothing else, its refusals reach the caller, a dead or
impossible helper leaves the pull to this process, and a fresh device that pulls through it
ends up with the employer's projection."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from app.errors import ProtocolError
from app.store.crypto import SigningKey, random_key
from app.store.envelope import decrypt_batch
from app.store.services import Services
from app.sync import page_opener
from app.sync.client import SyncClient
from app.sync.page_opener import PageOpener
from app.sync.pairing import approve, create_invite, join_with_code, pending_requests
from app.sync.pull_page import PageRow, decode_page, encode_page
from tests.sync.conftest import KDF_N, PW, make_employer, sealed_chain

TEAM = "team-1"


def _wait_ready(opener: PageOpener) -> PageOpener:
    deadline = time.monotonic() + 60
    while not opener.ready:
        assert time.monotonic() < deadline, "the helper process did not start"
        time.sleep(0.05)
    return opener


@pytest.fixture
def opener() -> Any:
    helper = PageOpener()
    helper.start()
    yield _wait_ready(helper)
    helper.close()


def _page_bytes() -> tuple[bytes, bytes, list[Any]]:
    """A page with a team chain (key given), a member chain (key not given) and a
    membership chain (plaintext)."""
    team_key, member_key = random_key(), random_key()
    envs = (sealed_chain(TEAM, "dev-a", 3, team_key, SigningKey())
            + sealed_chain(TEAM, "dev-b", 2, member_key, SigningKey(), scope="member:x")
            + sealed_chain(TEAM, "dev-c", 2, b"", SigningKey(), scope="membership"))
    rows = [PageRow(i + 1, e, e.hash, True) for i, e in enumerate(envs)]
    return encode_page(rows, len(rows), False, 0), team_key, envs


def test_the_helper_decrypts_what_it_has_the_key_for(opener: PageOpener) -> None:
    data, team_key, envs = _page_bytes()
    page = opener.open(data, TEAM, 0, {("team", 1): team_key})
    here = decode_page(data, TEAM, 0)
    assert [i.envelope for i in page.items] == [i.envelope for i in here.items] == envs
    assert [i.hash for i in page.items] == [e.hash for e in envs]
    for item in page.items:
        env = item.envelope
        if env.scope == "member:x":
            assert item.batch is None  # no key: ingest stops and fetches it
        else:
            assert item.batch == decrypt_batch(env, team_key if env.scope == "team" else None)


def test_a_malformed_page_is_refused_through_the_helper(opener: PageOpener) -> None:
    data, team_key, _ = _page_bytes()
    with pytest.raises(ProtocolError) as err:
        opener.open(data[:-10], TEAM, 0, {("team", 1): team_key})
    assert re.search(r"malformed|truncated|not a pull page", err.value.text("en"))
    assert opener.ready  # a refused page is not a broken helper


def test_pages_are_opened_here_when_the_helper_dies(opener: PageOpener) -> None:
    data, team_key, envs = _page_bytes()
    pool = opener._pool
    assert pool is not None
    for process in list(pool._processes.values()):  # type: ignore[attr-defined]
        process.kill()
        process.join(10)
    page = opener.open(data, TEAM, 0, {("team", 1): team_key})
    assert [i.envelope for i in page.items] == envs
    assert all(i.batch is None for i in page.items)  # decoded here; ingest decrypts
    assert not opener.ready


@pytest.mark.parametrize("how", ["frozen", "app binary"])
def test_no_helper_where_python_cannot_start_itself(monkeypatch: pytest.MonkeyPatch,
                                                    how: str) -> None:
    if how == "frozen":
        monkeypatch.setattr(page_opener.sys, "frozen", True, raising=False)
    else:  # e.g. a ``flet build`` desktop app: starting it again would open a second window
        monkeypatch.setattr(page_opener.sys, "executable", "/opt/Assistenzzeit/assistenzzeit")
    helper = PageOpener()
    helper.start()
    assert helper._pool is None and not helper.ready
    data, _, envs = _page_bytes()
    assert [i.envelope for i in helper.open(data, TEAM, 0, {}).items] == envs
    helper.close()


def test_a_fresh_device_pulls_through_the_helper(relay_factory: Any, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    relay = relay_factory(str(tmp_path / "relay.db"))
    employer = make_employer(tmp_path, relay.url)
    with SyncClient(employer.store, relay.url) as client:
        invite = create_invite(employer, client, "employer", "Anna Becker")
        joined = join_with_code(tmp_path / "fresh", PW, invite.code, "Zweitgerät", kdf_n=KDF_N)
        approve(employer, client, next(r for r in pending_requests(employer, client)
                                       if r.device == joined.store.device_id))
    # Make the helper ready before the second page, and count what it decrypted.
    original_start, original_open = PageOpener.start, PageOpener.open

    def start_and_wait(self: PageOpener) -> None:
        original_start(self)
        _wait_ready(self)

    decrypted = []

    def counting_open(self: PageOpener, *args: Any) -> Any:
        page = original_open(self, *args)
        decrypted.extend(i for i in page.items if i.batch is not None)
        return page

    monkeypatch.setattr(PageOpener, "start", start_and_wait)
    monkeypatch.setattr(PageOpener, "open", counting_open)
    fresh = Services(joined.store)
    # The demo is 9 envelopes; pages of 2 make it a pull of several pages.
    with SyncClient(fresh.store, relay.url, page=2) as client:
        report = client.sync()
    assert report.pulled >= 9 and len(decrypted) >= 5
    assert fresh.store.projection.fingerprint() == employer.store.projection.fingerprint()
    fresh.store.close()
    employer.store.close()
