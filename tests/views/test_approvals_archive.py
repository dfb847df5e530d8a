"""The Freigaben list reads signed months through the store, so a month that was archived
(issue 16) still shows its signed document. Here, not in tests/store: it imports Flet, which
the mobile-floor venv that runs the store tests does not have."""

from __future__ import annotations

from app.store.services import Services
from app.views.approval_view import waiting
from tests.store.conftest import Team, team  # noqa: F401  (the fixture)
from tests.store.test_archive import JANUARY, _reopened, _signed_january


def test_approvals_list_shows_the_signed_document_of_an_archived_month(team: Team) -> None:  # noqa: F811
    _signed_january(team)
    shown = {r["month"]: r["document"] for r in waiting(team.services)}
    store = _reopened(team)
    assert store.projection.archived_months == {JANUARY}
    again = {r["month"]: r["document"] for r in waiting(Services(store))}
    assert again == shown and again[JANUARY]
    store.close()
