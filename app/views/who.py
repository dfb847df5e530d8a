"""*Wer sind Sie?*: who uses this browser session (the shared device in the flat).

The store belongs to the machine; each session picks a member, and every write of that
session is made ``acting_as`` that member. In the demo this is also *Rolle wechseln*.

Switching to a person with more rights (assistant → employer, proxy or payroll) first asks
for that person's PIN, or the passphrase (``app.store.pins``); a wrong one leaves the
session with whoever used it before. A session that has just been unlocked with the
passphrase may pick anybody once. Without a PIN the passphrase is asked, and then the
person may set a PIN for next time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from app.errors import InputError, PinLocked, WrongPassphrase, WrongPin
from app.store import pins
from app.views import widgets as w
from app.views.devices import sync_panel

if TYPE_CHECKING:
    from app.views.host import Host


def build(app: Host) -> ft.Control:
    s = app.session
    proving = s.params.get("prove")
    if proving:
        member = next((m for m in app.services.members() if m["id"] == proving), None)
        if member is not None:
            return _prove(app, member)
    current = s.member()

    def pick(member: dict[str, Any]) -> None:
        free = current is None and s.proven
        if not free and pins.needs_proof(current["role"] if current else None, member["role"]):
            app.go("who", prove=member["id"])
            return
        switch(app, member["id"])

    buttons = [w.button(s, app.t("who.pick", name=m["display_name"],
                                 role=app.t(f"role.{m['role']}")),
                        w.call(pick, m), icon=ft.Icons.PERSON)
               for m in app.services.members()]
    if not buttons:  # a joined device before its approval: nothing to pick yet
        buttons = [w.text(s, app.t("who.waiting")), sync_panel(app)]
    back = ([w.button(s, app.t("who.back", name=current["display_name"]),
                      lambda e: app.go(app.home()), icon=ft.Icons.ARROW_BACK)]
            if current else [])
    return ft.Column([
        w.heading(s, app.t("who.title")),
        w.text(s, app.t("who.intro")),
        *buttons,
        *back,
        w.button(s, app.t("shell.lock"), app.lock, icon=ft.Icons.LOCK),
    ], spacing=12)


def switch(app: Host, member_id: str) -> None:
    app.session.member_id = member_id
    app.session.proven = False
    app.go(app.home())


def _prove(app: Host, member: dict[str, Any]) -> ft.Control:
    """Ask for the PIN (or the passphrase) of ``member``; then offer to set a PIN."""
    s, store = app.session, app.services.store
    name, mid = member["display_name"], member["id"]
    if s.params.get("set_pin"):
        return _set_pin(app, member)
    has_pin = pins.has_pin(store, mid)
    use_phrase = s.params.get("phrase", False) or not has_pin
    box = w.field(s, app.t("field.passphrase" if use_phrase else "field.pin"), password=True)

    def submit(e: Any) -> None:
        value = box.value or ""
        try:
            if use_phrase:
                pins.prove(store, mid, passphrase=value)
            else:
                pins.prove(store, mid, pin=value)
        except PinLocked as err:
            app.say(app.t("who.locked", seconds=err.seconds), error=True)
            return
        except (WrongPin, WrongPassphrase):
            app.say(app.t("who.wrong_phrase" if use_phrase else "who.wrong_pin"), error=True)
            return
        if not has_pin:
            app.go("who", prove=mid, set_pin=True)
        else:
            switch(app, mid)

    box.on_submit = submit
    other = ([] if not has_pin else [w.button(
        s, app.t("who.use_pin" if use_phrase else "who.use_phrase"),
        lambda e: app.go("who", prove=mid, phrase=not use_phrase), icon=ft.Icons.KEY)])
    intro = ("who.prove_phrase_no_pin" if not has_pin else
             "who.prove_phrase" if use_phrase else "who.prove_pin")
    return ft.Column([
        w.heading(s, app.t("who.prove_title", name=name)),
        w.text(s, app.t(intro, name=name)),
        box,
        w.button(s, app.t("who.switch", name=name), submit, primary=True,
                 icon=ft.Icons.LOCK_OPEN, key="who-switch"),
        *other,
        w.button(s, app.t("common.cancel"), lambda e: app.go("who"), icon=ft.Icons.CLOSE),
    ], spacing=12)


def _set_pin(app: Host, member: dict[str, Any]) -> ft.Control:
    """First use: the person (who has just given the passphrase) chooses a PIN."""
    s, store = app.session, app.services.store
    name, mid = member["display_name"], member["id"]
    pin1 = w.field(s, app.t("field.new_pin"), password=True)
    pin2 = w.field(s, app.t("field.new_pin2"), password=True)

    def save(e: Any) -> None:
        if (pin1.value or "") != (pin2.value or ""):
            app.say(app.t("who.pin_mismatch"), error=True)
            return
        try:
            pins.set_pin(store, mid, pin1.value or "", s.holder.kdf_n())
        except InputError:
            app.say(app.t("who.pin_format"), error=True)
            return
        switch(app, mid)
        app.say(app.t("who.pin_set", name=name))

    pin2.on_submit = save
    return ft.Column([
        w.heading(s, app.t("who.set_pin_title", name=name)),
        w.text(s, app.t("who.set_pin_intro")),
        pin1, pin2,
        w.button(s, app.t("who.set_pin"), save, primary=True, icon=ft.Icons.PIN),
        w.button(s, app.t("who.skip_pin"), lambda e: switch(app, mid), icon=ft.Icons.ARROW_FORWARD),
    ], spacing=12)
