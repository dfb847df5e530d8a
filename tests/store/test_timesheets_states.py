"""States draft → submitted → approved → exported, reject, and reopen as version n+1."""

from __future__ import annotations

import pytest

from app.errors import InputError, PermissionDenied
from app.exports.verify import check
from app.store import timesheets
from tests.store.conftest import Team

MONTH = "2026-03"


@pytest.fixture
def worked(team: Team) -> Team:
    s = team.services
    s.add_entry(team.assistant, "2026-03-02T08:00", "2026-03-02T14:00", "Papier")
    s.add_entry(team.assistant, "2026-03-08T22:00", "2026-03-09T06:00", "Papier")
    return team


def test_timesheets_full_cycle(worked: Team) -> None:
    s, ben = worked.services, worked.assistant
    assert timesheets.status(s, ben, MONTH) == "draft"
    row = timesheets.submit(s, ben, MONTH)
    assert (row["status"], row["version"]) == ("submitted", 1)
    assert row["assistant_device"] == worked.store.device_id and row["assistant_sig"]
    assert row["signed_at"] == "2026-03-09T07:00:00Z"
    row = timesheets.approve(s, ben, MONTH, "passt")
    assert (row["status"], row["counter_member"], row["on_behalf_of"]) == (
        "approved", worked.employer, "")
    assert row["comment"] == "passt"
    row = timesheets.mark_exported(s, ben, MONTH)
    assert row["status"] == "exported"
    assert check(timesheets.bundle(s, ben, MONTH)).ok


def test_timesheets_refuse_wrong_transitions(worked: Team) -> None:
    s, ben = worked.services, worked.assistant
    with pytest.raises(InputError, match="'draft'"):
        timesheets.approve(s, ben, MONTH)
    with pytest.raises(InputError) as err:
        timesheets.reopen(s, ben, MONTH)
    assert err.value.field == "status"
    timesheets.submit(s, ben, MONTH)
    with pytest.raises(InputError, match="submitted"):
        timesheets.submit(s, ben, MONTH)
    with pytest.raises(InputError) as err:
        timesheets.reject(s, ben, MONTH, "  ")
    assert err.value.field == "comment"
    with pytest.raises(InputError, match="Nur Assistenzkräfte"):
        timesheets.submit(s, worked.employer, MONTH)


def test_timesheets_reject_then_resubmit_makes_a_new_version(worked: Team) -> None:
    s, ben = worked.services, worked.assistant
    first = timesheets.submit(s, ben, MONTH)
    rejected = timesheets.reject(s, ben, MONTH, "Der 2.3. war bis 15 Uhr")
    assert (rejected["status"], rejected["comment"]) == ("rejected", "Der 2.3. war bis 15 Uhr")
    entry = s.month_entries(ben, MONTH)[0]
    s.correct_entry(entry["id"], "bis 15 Uhr", end="2026-03-02T15:00")  # not locked
    second = timesheets.submit(s, ben, MONTH)
    assert second["version"] == 2 and second["id"] != first["id"]
    rows = timesheets.versions(s, ben, MONTH)
    assert [(r["version"], r["status"]) for r in rows] == [(1, "rejected"), (2, "submitted")]
    changes = timesheets.version_diff(s, ben, MONTH)
    assert any(c["what"] == "entry" and c["new"]["end"] == "2026-03-02T15:00" for c in changes)


def test_timesheets_reopen_keeps_version_n_with_its_signatures(worked: Team) -> None:
    s, ben = worked.services, worked.assistant
    timesheets.submit(s, ben, MONTH)
    timesheets.approve(s, ben, MONTH)
    v1 = timesheets.bundle(s, ben, MONTH)
    draft = timesheets.reopen(s, ben, MONTH, "Korrektur 8.3.")
    assert (draft["version"], draft["status"], draft["assistant_sig"]) == (2, "draft", "")
    kept = timesheets.versions(s, ben, MONTH)[0]
    assert (kept["version"], kept["status"]) == (1, "reopened")
    assert kept["assistant_sig"] == v1["signatures"][0]["signature"]
    assert check(timesheets.bundle(s, ben, MONTH, version=1)).ok
    # The month is open again: a correction is accepted, then version 2 is signed.
    night = s.month_entries(ben, MONTH)[1]
    s.correct_entry(night["id"], "Ende 05:30", end="2026-03-09T05:30")
    v2 = timesheets.submit(s, ben, MONTH)
    assert (v2["id"], v2["version"]) == (draft["id"], 2)
    assert timesheets.document_for(s, ben, MONTH, 2)["entries"][1]["end"] == "2026-03-09T05:30"
    changes = timesheets.version_diff(s, ben, MONTH)
    assert {"what": "hours", "key": "base", "old": "14.00", "new": "13.50"} in changes
    timesheets.approve(s, ben, MONTH)
    assert check(timesheets.bundle(s, ben, MONTH)).version == 2


def test_timesheets_only_employer_or_proxy_approve(worked: Team) -> None:
    s, ben = worked.services, worked.assistant
    payroll = s.add_member("Lohnbüro", "payroll")
    timesheets.submit(s, ben, MONTH)
    with pytest.raises(PermissionDenied):
        timesheets.approve(s, ben, MONTH, by=ben)
    with pytest.raises(PermissionDenied):
        timesheets.approve(s, ben, MONTH, by=payroll)
    timesheets.approve(s, ben, MONTH)
    assert timesheets.mark_exported(s, ben, MONTH, by=payroll)["status"] == "exported"


def test_timesheets_submit_refuses_a_running_entry(worked: Team) -> None:
    s, ben = worked.services, worked.assistant
    with worked.store.acting_as(ben):
        s.clock_in(ben)
    before = worked.store.envelope_count()
    with pytest.raises(InputError, match="noch im Dienst"):
        timesheets.submit(s, ben, MONTH)
    assert worked.store.envelope_count() == before
