"""Relay fuzzing: generated junk sent to every endpoint never gets a 5xx.

The endpoints come from the app's own routes, so a new endpoint is fuzzed without a change
here. Each one gets junk path parameters, query strings, signature headers and bodies: random
bytes, random JSON (huge integers, deep nesting, NUL characters, wrong types), and a complete
request with fields replaced by junk or left out. Those are signed by a real member device, so
the junk gets past the signature check to the body parsing and the database. Every answer must
be below 500, and a refusal must be JSON with a reason. The founding genesis is fuzzed on its
own: validly signed membership envelopes whose ops carry junk.

SQLite in the normal run; a smaller run against PostgreSQL (``postgres``), whose column types
refuse what SQLite stores silently (over-long ids, NUL characters, huge integers).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Route

from app.domain.ops import Op
from app.store.crypto import SigningKey, random_key
from app.store.envelope import GENESIS_HASH, Envelope, seal_envelope
from app.sync import protocol
from app.sync.relay_app import create_app
from app.sync.relay_store import open_relay_store
from app.sync.relay_teams import membership_changes
from tests.sync.conftest import sealed_chain

TEAM = "0190cccc-0000-7000-8000-000000000003"
DEVICE, MEMBER = "dev-employer", "m-employer"
ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
EXAMPLES = {"sqlite": 30, "postgres": 8}  # per endpoint; about 20 endpoints

# What breaks parsers and databases: huge and negative integers, over-long and NUL text, the
# wrong type where a number, a text or a list belongs.
nasty = st.sampled_from([2**31, 2**63, 2**64, -1, -(2**63) - 1, 10**30, 1.5, True, "\0",
                         "x" * 300, "zz", "", [], {}, None, "0" * 129, "member:*"])
json_leaf = (st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.integers()
             | st.floats() | st.text(max_size=40) | st.text("0123456789abcdef", max_size=140)
             | st.sampled_from(["", "\0", "x" * 300, "team", "member:*", TEAM, DEVICE]))
junk = st.one_of(nasty, nasty, st.recursive(
    json_leaf, lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=10), inner, max_size=3), max_leaves=8))
# An aimed request has these path values and is signed by the team's employer device, so
# its junk body gets past the membership and signature checks; the others are junk throughout.
AIMED = {"team": TEAM, "name": "feed", "invite": "ab" * 32, "token": protocol.b64(b"t" * 32)}
path_value = st.sampled_from([TEAM, "feed", DEVICE, "a" * 64, "x" * 300]) | st.text(max_size=90)
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=255,
                                    blacklist_characters="\x7f"), max_size=70)


def genesis_of(team: str, device: str, member: str, signer: SigningKey,
               fields: dict[str, Any] | None = None) -> Envelope:
    ops = [Op("op-d", "device.added", "device", device,
              fields or {"member_id": member, "sign_pub": signer.public.hex(),
                         "dh_pub": "00" * 32}, 0, 1, member, device),
           Op("op-m", "member.added", "member", member, {"role": "employer", "active": True},
              0, 1, member, device)]
    return seal_envelope(ops, team=team, scope="membership", epoch=0, device=device, seq=1,
                         prev_hash=GENESIS_HASH, scope_key=None, signer=signer)


@dataclass
class Relay:
    """The relay app in-process (``httpx.ASGITransport``: a server exception fails the test
    with its traceback), driven from the test's thread through an event loop of its own."""

    app: FastAPI
    portal: BlockingPortal
    http: httpx.AsyncClient
    signer: SigningKey
    templates: dict[str, dict[str, Any]]  # a valid body by route path

    def template(self, route: str) -> dict[str, Any]:
        """The route's valid body; for a route without one, all of them in one body (unknown
        fields are ignored), so a new endpoint is fuzzed with every field there is."""
        return self.templates.get(route) or {k: v for body in self.templates.values()
                                             for k, v in body.items()}

    def request(self, method: str, url: str, body: bytes, headers: Any) -> httpx.Response:
        return self.portal.call(functools.partial(self.http.request, method, url, content=body,
                                                  headers=headers))

    def send(self, method: str, path: str, query: str, headers: str, body: bytes) -> Any:
        target = unquote(path) + (f"?{query}" if query else "")
        hdrs: list[tuple[bytes, bytes]] = [(b"content-type", b"application/json")]
        if headers == "signed":
            stamp, nonce = int(time.time() * 1000), os.urandom(16).hex()
            sig = self.signer.sign(protocol.signing_string(method, target, body, stamp, nonce))
            hdrs += [(b"x-az-device", DEVICE.encode()), (b"x-az-time", str(stamp).encode()),
                     (b"x-az-nonce", nonce.encode()), (b"x-az-sig", sig.hex().encode())]
        return self.request(method, path + (f"?{query}" if query else ""), body, hdrs)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def relay(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Relay]:
    url = (str(request.getfixturevalue("pg_url")) if request.param == "postgres"
           else str(tmp_path / "relay.db"))
    store = open_relay_store(url)
    signer = SigningKey()
    genesis = genesis_of(TEAM, DEVICE, MEMBER, signer)
    store.create_team(TEAM, genesis, membership_changes(genesis))
    fresh_key = SigningKey()
    new_team = "0190cccc-0000-7000-8000-00000000000f"
    templates = {
        "/v1/teams": {"team": new_team, "sign_pub": fresh_key.public.hex(),
                      "genesis": genesis_of(new_team, "dev-new", "m-new", fresh_key).to_json()},
        "/v1/teams/{team}/envelopes": {"envelopes": [e.to_json() for e in sealed_chain(
            TEAM, DEVICE, 2, random_key(), signer, start=2, prev=genesis.hash)]},
        "/v1/teams/{team}/invites": {"invite": "ab" * 32, "member": "m-new", "role": "assistant",
                                     "expires_ms": int(time.time() * 1000) + 60_000},
        "/v1/teams/{team}/joins": {"secret": protocol.b64(b"s" * 32), "device": "dev-joining",
                                   "sign_pub": fresh_key.public.hex(), "dh_pub": "11" * 32,
                                   "hello": "22" * 40, "sig": "33" * 64},
        "/v1/teams/{team}/keys": {"grants": [{"recipient": DEVICE, "scope": "team", "epoch": 1,
                                              "wrapped": "44" * 80, "sig": "55" * 64}]},
        "/v1/teams/{team}/calendars/{name}": {"ics": ICS, "token": protocol.b64(b"t" * 32)}}
    app = create_app(store, rate=0)
    with start_blocking_portal() as portal:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://relay")
        yield Relay(app, portal, http, signer, templates)
        portal.call(http.aclose)
    store.engine.dispose()


def endpoints(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) of every route the app serves, its docs included."""
    routes = [r for r in app.routes if isinstance(r, Route)]
    return sorted({(m, r.path) for r in routes for m in (r.methods or ())})


def leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value, nested ones included."""
    if isinstance(value, dict):
        kids = [leaves(v, (*path, k)) for k, v in value.items()]
    elif isinstance(value, list):
        kids = [leaves(v, (*path, i)) for i, v in enumerate(value)]
    else:
        return [path]
    return [path, *(p for kid in kids for p in kid)]


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    """``value`` with the place ``path`` replaced by ``new`` (or left out, for ``...``)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy = dict(value) if isinstance(value, dict) else list(value)
    if not rest and new is ...:
        del copy[head]
    else:
        copy[head] = replaced(value[head], rest, new)
    return copy


@st.composite
def bodies(draw: st.DrawFn, template: dict[str, Any]) -> bytes:
    kind = draw(st.sampled_from(["bytes", "json", "mutated", "mutated", "mutated", "mutated"]))
    if kind == "bytes":
        return draw(st.binary(max_size=120) | st.sampled_from([b"[" * 20000, b"{}", b"null"]))
    if kind == "json":
        return json.dumps(draw(junk)).encode()
    places = leaves(template)[1:]
    ends = [p for p in places if not isinstance(at(template, p), dict | list)]
    value: Any = template
    for _ in range(draw(st.integers(1, 2))):
        path = draw(st.sampled_from(ends) | st.sampled_from(places))
        with contextlib.suppress(KeyError, IndexError, TypeError):  # a place already gone
            value = replaced(value, path, draw(st.one_of(junk, junk, junk, st.just(...))))
    return json.dumps(value).encode()


def at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def fill(path: str, values: list[str]) -> str:
    for value in values:
        start = path.index("{")
        path = path[:start] + quote(value, safe="") + path[path.index("}", start) + 1:]
    return path


def check(answer: Any, where: str) -> None:
    assert answer.status_code < 500, f"{where} → {answer.status_code}: {answer.text[:300]}"
    if answer.status_code >= 400 and answer.status_code != 405 and answer.content:
        reason = answer.json()
        assert reason.get("error") or reason.get("detail"), f"{where}: no reason"


def test_relay_fuzz_every_endpoint_no_5xx(relay: Relay, request: pytest.FixtureRequest) -> None:
    base = EXAMPLES["postgres" if "postgres" in request.node.name else "sqlite"]
    found = endpoints(relay.app)
    assert ("POST", "/v1/teams/{team}/envelopes") in found and len(found) >= 15
    for method, template in found:
        # The ones that read a body get more examples.
        fuzz_route(relay, method, template, 3 * base if method in ("POST", "PUT") else base)


def fuzz_route(relay: Relay, method: str, template: str, n: int) -> None:
    params = [part.split("}")[0] for part in template.split("{")[1:]]

    @settings(max_examples=n, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(aimed=st.sampled_from([True, True, True, False]),
           values=st.lists(path_value, min_size=len(params), max_size=len(params)),
           query=st.dictionaries(st.sampled_from(["after", "limit", "x"]),
                                 st.integers(-(2**70), 2**70).map(str) | st.text(max_size=20),
                                 max_size=2),
           headers=st.sampled_from(["signed", "signed", "none", "junk"]),
           junk_headers=st.dictionaries(st.sampled_from(
               ["x-az-device", "x-az-time", "x-az-nonce", "x-az-sig", "content-length"]),
               header_text, max_size=4),
           body=bodies(relay.template(template)))
    def fuzz(aimed: bool, values: list[str], query: dict[str, str], headers: str,
             junk_headers: dict[str, str], body: bytes) -> None:
        if aimed:
            values, headers = [AIMED.get(p, TEAM) for p in params], "signed"
        path = fill(template, values)
        qs = urlencode(query)
        if headers == "junk":
            hdrs = [(k.encode(), v.encode("latin-1")) for k, v in junk_headers.items()]
            answer = relay.request(method, path + (f"?{qs}" if qs else ""), body, hdrs)
        else:
            answer = relay.send(method, path, qs, headers, body)
        check(answer, f"{method} {path}")

    fuzz()


def test_relay_fuzz_genesis_with_junk_ops(relay: Relay, request: pytest.FixtureRequest) -> None:
    """Signed, well-formed genesis envelopes whose membership ops carry junk: the relay reads
    ids, roles and keys out of them, and refuses what it cannot store (4xx), never 5xx."""
    n = 3 * EXAMPLES["postgres" if "postgres" in request.node.name else "sqlite"]
    signer = SigningKey()
    names = ["member_id", "sign_pub", "dh_pub", "role", "active", "deleted", "revoked"]

    @settings(max_examples=n, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(fields=st.dictionaries(st.sampled_from(names), junk | st.just(signer.public.hex()),
                                  max_size=5),
           entity_id=st.sampled_from(["dev-f"]) | st.text(max_size=80))
    def fuzz(fields: dict[str, Any], entity_id: str) -> None:
        team = "t-" + os.urandom(6).hex()
        ops = [Op("op-1", "device.added", "device", entity_id, fields, 0, 1, "m-f", "dev-f"),
               Op("op-2", "member.added", "member", entity_id, fields, 0, 2, "m-f", "dev-f")]
        env = seal_envelope(ops, team=team, scope="membership", epoch=0, device="dev-f",
                            seq=1, prev_hash=GENESIS_HASH, scope_key=None, signer=signer)
        body = json.dumps({"team": team, "sign_pub": signer.public.hex(),
                           "genesis": env.to_json()}).encode()
        stamp, nonce = int(time.time() * 1000), os.urandom(16).hex()
        sig = signer.sign(protocol.signing_string("POST", "/v1/teams", body, stamp, nonce))
        answer = relay.request("POST", "/v1/teams", body, {
            "x-az-device": "dev-f", "x-az-time": str(stamp), "x-az-nonce": nonce,
            "x-az-sig": sig.hex()})
        check(answer, "POST /v1/teams")

    fuzz()


def test_relay_refuses_malformed_fields_naming_them(relay: Relay) -> None:
    """Hand-picked cases the fuzzing may take long to find: each a 400 naming its field."""
    from app.domain.model import ROLES

    assert protocol.ROLES == ROLES  # the roles the relay accepts are the app's
    envelope = relay.templates["/v1/teams/{team}/envelopes"]["envelopes"][0]
    invite = relay.templates["/v1/teams/{team}/invites"]
    grant = relay.templates["/v1/teams/{team}/keys"]["grants"][0]
    cases = [
        ("invites", [1, 2], "the body"),
        ("invites", {**invite, "expires_ms": 2**64}, "expires_ms"),
        ("invites", {**invite, "expires_ms": True}, "expires_ms"),
        ("invites", {**invite, "member": "m\0" * 40}, "member"),
        ("invites", {**invite, "role": "owner"}, "role"),
        ("envelopes", {"envelopes": [{**envelope, "epoch": 2**40}]}, "envelopes[0].epoch"),
        ("envelopes", {"envelopes": [{**envelope, "seq": 2**63}]}, "envelopes[0].seq"),
        ("envelopes", {"envelopes": [{**envelope, "sig": "zz" * 64}]}, "envelopes[0].sig"),
        ("envelopes", {"envelopes": [{**envelope, "body": "ab cd"}]}, "envelopes[0].body"),
        ("envelopes", {"envelopes": [{**envelope, "device": "d" * 65}]}, "envelopes[0].device"),
        ("envelopes", {"envelopes": "all"}, "envelopes"),
        ("keys", {"grants": [{**grant, "epoch": 2**40}]}, "grants[0].epoch"),
        ("keys", {"grants": [{**grant, "scope": "s" * 81}]}, "grants[0].scope"),
        ("keys", {"grants": [grant, {k: v for k, v in grant.items() if k != "wrapped"}]},
         "grants[1].wrapped"),
        ("joins", {**relay.templates["/v1/teams/{team}/joins"], "secret": "a"}, "secret"),
        ("joins", {**relay.templates["/v1/teams/{team}/joins"], "hello": "a"}, "hello"),
        ("calendars/feed", {"ics": 5}, "ics"),
        ("calendars/feed", {"ics": ICS, "token": "short"}, "token"),
    ]
    for where, body, field in cases:
        method = "PUT" if where.startswith("calendars") else "POST"
        answer = relay.send(method, f"/v1/teams/{TEAM}/{where}", "", "signed",
                            json.dumps(body).encode())
        assert answer.status_code == 400, (where, body, answer.text)
        assert answer.json()["error"].startswith(field), (field, answer.text)
    pull = relay.send("GET", f"/v1/teams/{TEAM}/envelopes", f"after={2**70}", "signed", b"")
    assert pull.status_code == 400 and "after" in pull.json()["error"]
    pull = relay.send("GET", f"/v1/teams/{TEAM}/envelopes", "limit=x", "signed", b"")
    assert pull.status_code == 400 and pull.json()["error"].startswith("limit")
