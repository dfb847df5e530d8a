"""Reads the screens get from ``Services`` instead of reaching into the projection: the
timesheets waiting on *Freigaben* and a device (whose key signed a month)."""

from __future__ import annotations

import base64

from app.store import timesheets
from app.store.crypto import verify_signature
from app.store.services import Services
from tests.store.conftest import Team
from tests.store.test_archive import FEBRUARY, JANUARY, _month_of_work, _reopened, _signed_january


def _waiting(s: Services) -> list[tuple[str, str, int]]:
    return [(r["month"], r["status"], r["version"]) for r in s.waiting_timesheets()]


def test_services_waiting_timesheets_latest_versions_submitted_first(team: Team) -> None:
    s, ben = team.services, team.assistant
    assert s.waiting_timesheets() == []
    _signed_january(team)  # approved; February has work but is not signed yet
    assert _waiting(s) == [(JANUARY, "approved", 1)]
    timesheets.submit(s, ben, FEBRUARY)
    assert _waiting(s) == [(FEBRUARY, "submitted", 1), (JANUARY, "approved", 1)]
    timesheets.reopen(s, ben, JANUARY, "Nachtrag")  # version 2 is a draft: nothing waits
    assert _waiting(s) == [(FEBRUARY, "submitted", 1)]
    timesheets.submit(s, ben, JANUARY)
    assert _waiting(s) == [(JANUARY, "submitted", 2), (FEBRUARY, "submitted", 1)]
    timesheets.reject(s, ben, FEBRUARY, "Pause fehlt")
    assert _waiting(s) == [(JANUARY, "submitted", 2)]


def test_services_waiting_timesheets_are_copies_with_their_signed_document(team: Team) -> None:
    _signed_january(team)
    [row] = team.services.waiting_timesheets()
    assert row == timesheets.latest(team.services, team.assistant, JANUARY)
    assert row["document"] and row["assistant_sig"] and row["counter_sig"]
    row["status"] = "changed"
    assert team.services.waiting_timesheets()[0]["status"] == "approved"


def test_services_waiting_timesheets_bring_back_an_archived_months_document(
        team: Team) -> None:
    _signed_january(team)
    shown = {r["month"]: r["document"] for r in team.services.waiting_timesheets()}
    store = _reopened(team)
    assert store.projection.archived_months == {JANUARY}
    again = {r["month"]: r["document"] for r in Services(store).waiting_timesheets()}
    assert again == shown and again[JANUARY]
    store.close()


def test_services_waiting_timesheets_ignore_other_members_drafts(team: Team) -> None:
    s = team.services
    cleo = s.add_member("Cleo Park", "assistant")
    s.set_contract(cleo, "2026-01-01", "16.00", "minijob", "5")
    _month_of_work(team, JANUARY)
    timesheets.submit(s, team.assistant, JANUARY)
    with team.store.acting_as(cleo):
        s.add_entry(cleo, f"{JANUARY}-20T08:00", f"{JANUARY}-20T10:00", "Papier")
    assert [(r["member_id"], r["status"]) for r in s.waiting_timesheets()] == [
        (team.assistant, "submitted")]


def test_services_device_is_a_copy_and_unknown_is_none(team: Team) -> None:
    s, store = team.services, team.store
    device = s.device(store.device_id)
    assert device is not None
    assert device["member_id"] == team.employer
    assert device["sign_pub"] == store.ring.signing.public.hex()
    device["label"] = "changed"
    assert (s.device(store.device_id) or {})["label"] == "Gerät 1"
    assert s.device("0" * 32) is None


def test_services_device_names_the_key_of_a_signed_month(team: Team) -> None:
    _signed_january(team)
    row = timesheets.latest(team.services, team.assistant, JANUARY)
    assert row is not None
    device = team.services.device(row["assistant_device"])
    assert device is not None
    signed = base64.b64decode(row["assistant_sig"])
    assert verify_signature(bytes.fromhex(device["sign_pub"]), signed,
                            bytes.fromhex(row["doc_hash"]))
