"""Who signs: a proxy countersigns "on behalf of" the employer; the device binds the key."""

from __future__ import annotations

import pytest

from app.errors import PermissionDenied
from app.exports.verify import check
from app.store import timesheets
from app.store.crypto import SigningKey
from app.store.store import Change, uuid7
from tests.store.conftest import Team

MONTH = "2026-03"


@pytest.fixture
def submitted(team: Team) -> Team:
    team.services.add_entry(team.assistant, "2026-03-02T08:00", "2026-03-02T14:00", "Papier")
    return team


def test_timesheets_proxy_countersigns_on_behalf_of_employer(submitted: Team) -> None:
    s, ben = submitted.services, submitted.assistant
    proxy = s.add_member("Frank Huber", "proxy")
    timesheets.submit(s, ben, MONTH)
    row = timesheets.approve(s, ben, MONTH, by=proxy)
    assert (row["counter_member"], row["on_behalf_of"]) == (proxy, submitted.employer)
    bundle = timesheets.bundle(s, ben, MONTH)
    counter = bundle["signatures"][1]
    assert (counter["member_role"], counter["on_behalf_of_name"]) == ("proxy", "Anna Becker")
    verdict = check(bundle)
    assert verdict.ok and verdict.signers[1]["on_behalf_of"] == "Anna Becker"
    # A proxy signature that drops the employer is refused by verify.
    counter["on_behalf_of"] = ""
    assert check(bundle).failed == "counter.binding"


def test_timesheets_assistant_signs_with_own_registered_device(submitted: Team) -> None:
    s, ben, store = submitted.services, submitted.assistant, submitted.store
    phone, phone_id = SigningKey(), uuid7()
    store.commit([Change("device.added", "device", phone_id, {
        "member_id": ben, "sign_pub": phone.public.hex(), "dh_pub": "00" * 32,
        "label": "Bens Telefon"})])
    timesheets.submit(s, ben, MONTH, signer=phone, device_id=phone_id)
    timesheets.approve(s, ben, MONTH)
    verdict = check(timesheets.bundle(s, ben, MONTH))
    assert verdict.ok
    assert verdict.signers[0]["device_id"] == phone_id
    assert verdict.signers[0]["shared_device"] is False  # Ben's own phone
    assert verdict.signers[1]["shared_device"] is False  # the employer's own device


def test_timesheets_unregistered_key_cannot_sign(submitted: Team) -> None:
    s, ben, store = submitted.services, submitted.assistant, submitted.store
    before = store.envelope_count()
    with pytest.raises(PermissionDenied, match="nicht"):
        timesheets.submit(s, ben, MONTH, signer=SigningKey())
    assert store.envelope_count() == before
    assert timesheets.status(s, ben, MONTH) == "draft"
