"""*Geräte & Sync* (employer/proxy): invite a device, approve join requests, revoke a lost
phone, see envelopes set aside in quarantine (and block their author), sync now, and settle
conflicts.

Everything goes through ``app.sync.device_sync`` and ``app.store.conflicts``. Relay calls only
happen when a button is pressed (never while the screen builds), so an unreachable relay
never freezes the screen. ``sync_panel`` (status line and *Jetzt synchronisieren*) is also
shown on other screens (who, today).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import flet as ft

from app.errors import AssistenzzeitError, StoreLocked
from app.store import conflicts as conflict_service
from app.sync import device_sync
from app.views import widgets as w

if TYPE_CHECKING:
    from app.views.host import Host

INVITE_ROLES = ("assistant", "proxy", "payroll")


def sync_panel(app: Host, quiet: bool = False) -> ft.Control:
    """The "Zuletzt synchronisiert" line and the *Jetzt synchronisieren* button; ``quiet``
    shows nothing at all on a device without a relay (a store that never syncs)."""
    s, services = app.session, app.services
    st = device_sync.status(services)
    if not st["relay"]:
        return ft.Column([]) if quiet else w.text(s, app.t("sync.no_relay"), key="sync-status")
    last = st["last_synced"]
    lines = [app.t("sync.last", when=last.strftime("%Y-%m-%d %H:%M:%S")) if last
             else app.t("sync.never")]
    if st["error"]:
        lines.append(app.t("sync.error", error=st["error"]))
    started = st["checkpoint"] or {}
    if started.get("state") in ("started", "refused"):  # verified: nothing left to say
        lines.append(app.t(f"sync.checkpoint_{started['state']}",
                           reason=started.get("reason") or ""))
    return ft.Column([
        w.text(s, " · ".join(lines), key="sync-status", live=True),
        w.button(s, app.t("sync.now"), lambda e: sync_now(app), icon=ft.Icons.SYNC),
    ], spacing=8)


def relay_action(app: Host, work: Callable[[], Any], ok_key: str | None = None,
                 **values: object) -> bool:
    """Like ``app.act`` for work that talks to the relay, but without holding the store's
    ``acting_as`` lock around it: ``device_sync`` takes its round lock first and acts as the
    session's member inside it (one lock order, so the background sync cannot deadlock)."""
    app.session.touch()
    try:
        work()
    except StoreLocked:
        app.lock()
        return False
    except AssistenzzeitError as err:
        app.say(app.error_text(err), error=True)
        return False
    if ok_key:
        app.say(app.t(ok_key, **values))
    else:
        app.render()
    return True


def sync_now(app: Host) -> None:
    def work() -> None:
        report = device_sync.sync_now(app.services)
        app.session.params["sync_report"] = report

    if relay_action(app, work):
        report = app.session.params.pop("sync_report", None)
        key = "sync.waiting" if report is not None and report.waiting else "sync.done"
        app.say(app.t(key, received=getattr(report, "ops", 0)))


def build(app: Host) -> ft.Control:
    return ft.Column([
        w.card(w.heading(app.session, app.t("sync.title"), 2), sync_panel(app)),
        _quarantine_card(app), _invite_card(app), _requests_card(app), _devices_card(app),
        _conflicts_card(app),
    ], spacing=12)


# ---------------------------------------------------------------------- invite
def _invite_card(app: Host) -> ft.Control:
    s, services = app.session, app.services
    form: dict[str, Any] = s.params.setdefault("invite_form", {"role": "assistant"})
    relay = w.bound(s, form, "relay", app.t("field.relay"), device_sync.relay_url(services))
    name = w.bound(s, form, "name", app.t("field.invite_name"))

    def pick(role: str) -> None:
        form["role"] = role
        app.render()

    def create(e: Any) -> None:
        # The fields' own values: a change event may still be on its way in another thread.
        form.update(relay=relay.value or "", name=name.value or "")

        def work() -> None:
            invite = device_sync.invite(services, form.get("relay", ""), form["role"],
                                        form.get("name", ""), s.member_id)
            form["invite"] = {"code": invite.code, "qr": invite.qr_png_data_uri(),
                              "relay": device_sync.relay_url(services),
                              "name": form.get("name", "").strip()}
        relay_action(app, work, "devices.invite_made", name=(form.get("name") or "").strip())

    def lan(e: Any) -> None:
        def work() -> None:
            form["relay"] = device_sync.start_lan(services)
        if relay_action(app, work):
            app.say(app.t("devices.lan_started", url=device_sync.lan_url() or ""))

    parts: list[ft.Control] = [
        w.heading(s, app.t("devices.invite_title"), 2),
        w.text(s, app.t("devices.invite_intro")),
        relay,
        w.button(s, app.t("devices.lan_start"), lan, icon=ft.Icons.WIFI),
        name,
        w.choice(s, [(r, app.t(f"role.{r}")) for r in INVITE_ROLES], form["role"], pick,
                 label=app.t("field.role")),
        w.button(s, app.t("devices.invite_create"), create, primary=True,
                 icon=ft.Icons.QR_CODE),
    ]
    made = form.get("invite")
    if made:
        png = base64.b64decode(made["qr"].split(",", 1)[1])
        parts += [
            w.heading(s, app.t("devices.invite_for", name=made["name"]), 3),
            w.text(s, app.t("devices.invite_relay", url=made["relay"]), key="invite-relay"),
            w.text(s, app.t("devices.invite_code_label")),
            # Plain text for reading (a selectable Text becomes an unnamed text box in
            # Flutter web), and a read-only named field to select and copy it from.
            ft.Semantics(identifier="invite-code", content=ft.Text(
                made["code"], size=w.size(s, 14), font_family="monospace")),
            ft.TextField(label=app.t("devices.invite_copy"), value=made["code"],
                         read_only=True, text_size=w.size(s, 14)),
            ft.Image(src=png, width=260, height=260,
                     semantics_label=app.t("devices.invite_qr", name=made["name"])),
            w.text(s, app.t("devices.invite_next")),
        ]
    return w.card(*parts, key="invite-card")


# ---------------------------------------------------------------------- join requests
def _requests_card(app: Host) -> ft.Control:
    s, services = app.session, app.services
    loaded = s.params.get("requests")

    def load(e: Any = None) -> None:
        def work() -> None:
            s.params["requests"] = [r.__dict__ for r in device_sync.pending(services)]
        relay_action(app, work)

    def decide(device: str, ok: bool) -> None:
        def work() -> None:
            if ok:
                device_sync.approve(services, device, s.member_id)
            else:
                device_sync.reject(services, device)
            s.params["requests"] = [r for r in s.params.get("requests", [])
                                    if r["device"] != device]
        relay_action(app, work, "devices.approved" if ok else "devices.rejected")

    parts: list[ft.Control] = [w.heading(s, app.t("devices.requests_title"), 2),
                               w.button(s, app.t("devices.requests_load"), load,
                                        icon=ft.Icons.REFRESH)]
    if loaded is not None and not loaded:
        parts.append(w.text(s, app.t("devices.requests_none")))
    for r in loaded or []:
        who = app.t("devices.request_line", name=r["member_name"], said=r["said_name"],
                    role=app.t(f"role.{r['role']}"))
        parts += [
            w.text(s, who, bold=True, key="request-who"),
            w.text(s, app.t("devices.safety", number=r["safety_number"]), base=20,
                   key="request-safety"),
            w.text(s, app.t("devices.safety_compare"), base=14),
            ft.Row([
                w.button(s, app.t("devices.approve", name=r["member_name"]),
                         w.call(decide, r["device"], True), primary=True,
                         icon=ft.Icons.CHECK),
                w.button(s, app.t("devices.reject", name=r["member_name"]),
                         w.call(decide, r["device"], False), icon=ft.Icons.BLOCK),
            ], wrap=True, spacing=8, run_spacing=8),
        ]
    return w.card(*parts, key="requests-card")


# ---------------------------------------------------------------------- devices
def _devices_card(app: Host) -> ft.Control:
    s, services = app.session, app.services
    parts: list[ft.Control] = [w.heading(s, app.t("devices.list_title"), 2),
                               w.text(s, app.t("devices.lost_phone"), base=14)]
    for d in device_sync.devices(services):
        line = app.t("devices.device_line", name=d["name"], label=d["label"] or d["id"][:8],
                     role=app.t(f"role.{d['role']}"))
        if d["this"]:
            parts.append(w.text(s, app.t("devices.this_device", line=line), key="device-line"))
            continue
        parts += [w.text(s, line, key="device-line"),
                  w.button(s, app.t("devices.revoke", line=line),
                           w.call(_confirm_revoke, app, d["id"], line),
                           icon=ft.Icons.PHONELINK_LOCK)]
    return w.card(*parts, key="devices-card")


def _quarantine_card(app: Host) -> ft.Control:
    """Envelopes of others that do not open, each with its author and one tap to block
    that device; nothing at all while there are none."""
    s = app.session
    items = device_sync.quarantined(app.services)
    if not items:
        return ft.Column([])
    parts: list[ft.Control] = [w.heading(s, app.t("devices.quarantine_title"), 2),
                               w.text(s, app.t("devices.quarantine_intro"), base=14)]
    offered: set[str] = set()
    for q in items:
        who = {"name": q["name"] or "?", "label": q["label"]}
        parts.append(w.text(s, app.t("devices.quarantine_line", seq=q["seq"], scope=q["scope"],
                                     why=app.t(f"devices.quarantine_{q['kind']}"), **who),
                            key="quarantine-line"))
        if q["revoked"]:
            parts.append(w.text(s, app.t("devices.quarantine_revoked"), base=14))
        elif q["device"] not in offered and q["device"] != app.services.store.device_id:
            offered.add(q["device"])
            parts.append(w.button(s, app.t("devices.quarantine_revoke", **who),
                                  _revoke_now(app, q["device"], f"{who['name']} ({who['label']})"),
                                  icon=ft.Icons.PHONELINK_LOCK))
    return w.card(*parts, key="quarantine-card")


def _revoke_now(app: Host, device: str, line: str) -> w.Handler:
    """One tap: the device's own data says who it is, so no second question is asked."""
    def revoke(e: Any) -> None:
        relay_action(app, lambda: device_sync.revoke_device(app.services, device,
                                                            app.session.member_id),
                     "devices.revoked", line=line)
    return revoke


def _confirm_revoke(app: Host, device: str, line: str) -> None:
    s = app.session

    def close(e: Any = None) -> None:
        app.page.pop_dialog()

    def revoke(e: Any) -> None:
        close()
        relay_action(app, lambda: device_sync.revoke_device(app.services, device,
                                                            s.member_id), "devices.revoked",
                line=line)

    app.page.show_dialog(ft.AlertDialog(
        modal=True, title=ft.Text(app.t("devices.revoke_title")),
        content=ft.Text(app.t("devices.revoke_confirm", line=line), size=w.size(s, 16)),
        actions=[w.button(s, app.t("devices.revoke_yes"), revoke, primary=True),
                 w.button(s, app.t("common.cancel"), close)]))


# ---------------------------------------------------------------------- conflicts
def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _conflicts_card(app: Host) -> ft.Control:
    s, services = app.session, app.services
    items = conflict_service.open_conflicts(services)
    parts: list[ft.Control] = [w.heading(s, app.t("conflicts.title"), 2)]
    if not items:
        parts.append(w.text(s, app.t("conflicts.none")))
    for c in items:
        parts.append(w.text(s, app.t("conflicts.what", entity=app.t(f"entity.{c['entity']}"),
                                     id=c["entity_id"][:8], field=c["field"]), bold=True))
        for side in conflict_service.SIDES:
            v = c[side]
            parts += [
                w.text(s, app.t("conflicts.value", value=_show(v["value"]), who=v["who"],
                                when=v["when"])),
                w.button(s, app.t("conflicts.keep", value=_show(v["value"])),
                         _keep(app, c["id"], side), icon=ft.Icons.CHECK),
            ]
    return w.card(*parts, key="conflicts-card")


def _keep(app: Host, conflict_id: str, side: str) -> w.Handler:
    def keep(e: Any) -> None:
        app.act(lambda: conflict_service.resolve(app.services, conflict_id, side),
                "conflicts.resolved")
    return keep
