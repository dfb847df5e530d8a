"""Errors show in the session's language: three everyday ones in English and Leichte Sprache,
rendered by the function the shell uses for every error it shows (``App.error_text``)."""

from __future__ import annotations

import pytest

from app.errors import AssistenzzeitError
from app.views.shell import App
from app.views.state import StoreHolder
from tests.views.conftest import app_for

# (what a person did, how the message reads in en, in de-LS)
EXPECTED = {
    "already_on_duty": ("You are already on duty.", "Ihr Dienst hat schon begonnen."),
    "wrong_passphrase": ("The passphrase is wrong.", "Der geheime Satz ist falsch."),
    "end_before_start": ("The end is not after the start.", "Das Ende muss nach dem Anfang sein."),
}


def _raise(holder: StoreHolder, what: str) -> AssistenzzeitError:
    services = holder.services
    assert services is not None
    ben = services.member_by_name("Ben Meyer")["id"]
    with pytest.raises(AssistenzzeitError) as caught:
        if what == "already_on_duty":
            services.clock_in(ben)
            services.clock_in(ben)
        elif what == "wrong_passphrase":
            holder.lock()
            holder.unlock("not the passphrase")
        else:
            services.add_entry(ben, "2026-03-10T15:00", "2026-03-10T07:00", "Papierzettel")
    return caught.value


@pytest.mark.parametrize("what", sorted(EXPECTED))
@pytest.mark.parametrize("lang", ["en", "de-LS"])
def test_error_shows_in_the_session_language(demo_holder: StoreHolder, what: str, lang: str):
    app = app_for(demo_holder, "Ben Meyer")
    err = _raise(demo_holder, what)
    app.session.lang = lang
    shown = App.error_text(app, err)  # type: ignore[arg-type]  # FakeApp has what it reads
    assert EXPECTED[what][lang == "de-LS"] in shown
    assert "/" not in shown  # one language, not the old "de / en" pair
    app.session.lang = "de"
    assert shown not in App.error_text(app, err)  # type: ignore[arg-type]
