"""First start (no store on this device yet): *Team anlegen*, *Team beitreten*, *Demo ansehen*.

*Team anlegen* creates the encrypted store and the team with this person as employer.
*Demo ansehen* creates the demo team (``app.store.demo``); the passphrase comes from
``ASSISTENZZEIT_PASSPHRASE`` when set (kiosk, tests), else it is asked for twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from app import settings
from app.errors import AssistenzzeitError, InputError
from app.store.services import STATES
from app.views import widgets as w

if TYPE_CHECKING:
    from app.views.host import Host

MIN_PASSPHRASE = 8


def build(app: Host) -> ft.Control:
    s = app.session
    return ft.Column([
        w.heading(s, app.t("start.title")),
        w.text(s, app.t("start.intro")),
        w.button(s, app.t("start.create"), lambda e: app.go("create"), primary=True,
                 icon=ft.Icons.GROUP_ADD),
        w.text(s, app.t("start.create_hint"), base=14),
        w.button(s, app.t("start.join"), lambda e: app.go("join"), icon=ft.Icons.QR_CODE),
        w.text(s, app.t("start.join_hint"), base=14),
        w.button(s, app.t("start.demo"), lambda e: open_demo(app), icon=ft.Icons.PLAY_CIRCLE),
        w.text(s, app.t("start.demo_hint"), base=14),
        _language_row(app),
    ], spacing=12)


def _language_row(app: Host) -> ft.Control:
    s = app.session

    def pick(lang: str) -> None:
        s.lang = lang
        s.save_device_prefs()
        app.render()

    return w.choice(s, [("de", "Deutsch"), ("en", "English"), ("de-LS", "Leichte Sprache")],
                    s.lang, pick, label=app.t("settings.language"))


def check_passphrase(app: Host, first: str, second: str) -> str:
    if len(first or "") < MIN_PASSPHRASE:
        raise InputError("start.passphrase_short", "passphrase", n=MIN_PASSPHRASE)
    if first != second:
        raise InputError("start.passphrase_mismatch", "passphrase2")
    return first


CREATE_FIELDS = ("team_name", "your_name", "passphrase", "passphrase2")


def build_create(app: Host) -> ft.Control:
    """*Team anlegen*. A wrong or missing input keeps everything typed (the form lives in
    the session's params) and is said under its own field, which gets the focus."""
    s = app.session
    form: dict[str, Any] = s.params.setdefault("create", {})
    boxes = {key: w.bound(s, form, key, app.t(f"field.{key}"),
                          password=key.startswith("passphrase")) for key in CREATE_FIELDS}
    for key, box in boxes.items():
        w.field_error(s, form, key, box)
    state = w.dropdown(s, app.t("field.state"), [(k, app.t(f"state.{k}")) for k in STATES],
                       form.get("state", "NW"), on_select=lambda e: form.update(
                           state=e.control.value))

    def create(e: Any) -> None:
        form.pop(w.FORM_ERROR, None)
        # The fields' own values: a change event may still be on its way in another thread.
        form.update({key: box.value or "" for key, box in boxes.items()})
        try:
            for key in ("team_name", "your_name"):
                if not str(form.get(key) or "").strip():
                    raise InputError("error.required", key)
            phrase = check_passphrase(app, form.get("passphrase", ""),
                                      form.get("passphrase2", ""))
            s.holder.create_team(phrase, form["team_name"], form["your_name"],
                                 form.get("state") or "NW")
        except InputError as err:
            if err.field in CREATE_FIELDS:
                form[w.FORM_ERROR] = (err.field, err.text(s.lang))
                app.render()
            else:
                app.say(app.error_text(err), error=True)
            return
        except AssistenzzeitError as err:
            app.say(app.error_text(err), error=True)
            return
        s.member_id = s.holder.store.member_id if s.holder.store else None
        s.message = ""
        app.go(app.home())

    return ft.Column([
        w.heading(s, app.t("create.title")),
        w.text(s, app.t("create.intro")),
        boxes["team_name"], boxes["your_name"], w.named(state, app.t("field.state")),
        boxes["passphrase"], boxes["passphrase2"],
        w.text(s, app.t("create.passphrase_hint"), base=14),
        ft.Row([w.button(s, app.t("create.submit"), create, primary=True),
                w.button(s, app.t("common.back"), lambda e: app.go("start"))], wrap=True),
    ], spacing=12)


def open_demo(app: Host) -> None:
    phrase = settings.get("passphrase")
    if phrase:
        make_demo(app, str(phrase))
    else:
        app.go("demo")


def make_demo(app: Host, phrase: str) -> None:
    try:
        app.session.holder.create_demo(phrase)
    except AssistenzzeitError as err:
        app.say(app.error_text(err), error=True)
        return
    app.session.proven = True
    app.go("who")


def build_demo(app: Host) -> ft.Control:
    s = app.session
    pw1 = w.field(s, app.t("field.passphrase"), password=True)
    pw2 = w.field(s, app.t("field.passphrase2"), password=True)

    def create(e: Any) -> None:
        try:
            phrase = check_passphrase(app, pw1.value or "", pw2.value or "")
        except AssistenzzeitError as err:
            app.say(app.error_text(err), error=True)
            return
        make_demo(app, phrase)

    pw2.on_submit = create
    return ft.Column([
        w.heading(s, app.t("demo.title")),
        w.text(s, app.t("demo.intro")),
        pw1, pw2,
        ft.Row([w.button(s, app.t("demo.submit"), create, primary=True),
                w.button(s, app.t("common.back"), lambda e: app.go("start"))], wrap=True),
    ], spacing=12)
