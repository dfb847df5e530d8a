"""*Kalender*: subscribe to shifts in a calendar app, export an .ics, import *Termine*.

For each feed the member may have (own shifts, open shifts, and for the employer or a proxy
the whole team) the screen shows the ``webcal://`` link and a QR code once published, and
buttons to publish, refresh, renew or withdraw the link, or to save the feed as a file. It
says plainly that the calendar provider sees what the feed contains. The employer also
decides whether feeds show location and instructions, and imports their own appointments.

Reads and writes go through ``app/calendar`` (feeds, publish, ics_import, service); the
relay calls block for a moment, so they run in Flet's handler threads.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import flet as ft
import segno

from app.calendar.feeds import build_feed
from app.calendar.ics_import import import_ics
from app.calendar.publish import CalendarPublisher, Link, configured_relay, load_links
from app.calendar.service import CalendarService
from app.errors import AssistenzzeitError
from app.views import widgets as w

if TYPE_CHECKING:
    from app.views.host import Host


def feeds_for(app: Host) -> list[tuple[str, str | None]]:
    """(kind, member id) of the feeds this session's member may have."""
    kinds: list[tuple[str, str | None]] = []
    if app.session.role != "payroll":
        kinds.append(("member", app.session.member_id))
        kinds.append(("open", None))
    if app.session.is_employer:
        kinds.append(("team", None))
    return kinds


def feed_name(kind: str, member_id: str | None) -> str:
    return f"member-{member_id}" if kind == "member" else kind


def qr_png(url: str) -> bytes:
    """The link as a QR code (PNG), big enough to scan from a phone screen."""
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=6, border=2)
    return buf.getvalue()


def build(app: Host) -> ft.Control:
    s, services = app.session, app.services
    cal = CalendarService(services)
    team = services.team()
    relay = configured_relay(services)
    links = load_links(services)
    items: list[ft.Control] = [
        w.text(s, app.t("calendar.privacy", short=team.get("short_name") or ""),
               key="calendar-privacy"),
    ]
    if not relay:
        items.append(w.text(s, app.t("calendar.no_relay")))
    for kind, member_id in feeds_for(app):
        items.append(_feed_card(app, kind, member_id, links.get(feed_name(kind, member_id)),
                                relay))
    if s.is_employer:
        items += _employer_part(app, cal)
    return ft.Column(items, spacing=12)


def _handler(fn: Callable[[Any], Awaitable[None]]) -> Any:
    """Flet awaits ``async def`` handlers itself; the widgets' type only names sync ones."""
    return fn


def _as_member(app: Host, fn: Callable[[], Any]) -> Any:
    """Reads that check rights (building a feed) run as the session's member too."""
    with app.as_member():
        return fn()


def _feed_card(app: Host, kind: str, member_id: str | None, link: Link | None,
               relay: str) -> ft.Control:
    s, services = app.session, app.services
    title = app.t(f"calendar.feed.{kind}")

    def publish(rotate: bool) -> Callable[[Any], None]:
        def run(e: Any) -> None:
            def action() -> None:
                feed = build_feed(services, kind, member_id)
                with CalendarPublisher(services, relay) as publisher:
                    publisher.publish(feed, rotate=rotate)
            app.act(action, "calendar.rotated" if rotate else "calendar.published")
        return run

    def revoke(e: Any) -> None:
        def action() -> None:
            with CalendarPublisher(services, relay) as publisher:
                publisher.revoke(feed_name(kind, member_id))
        app.act(action, "calendar.revoked")

    async def export(e: Any) -> None:
        try:
            feed = _as_member(app, lambda: build_feed(services, kind, member_id))
            saved = await ft.FilePicker().save_file(
                dialog_title=app.t("calendar.export"), file_name=f"assistenzzeit-{kind}.ics",
                file_type=ft.FilePickerFileType.CUSTOM, allowed_extensions=["ics"],
                src_bytes=feed.body)
        except AssistenzzeitError as err:
            app.say(app.error_text(err), error=True)
            return
        if saved is not None or e.page.web:
            app.say(app.t("calendar.exported"))

    controls: list[ft.Control] = [w.heading(s, title, 2)]
    buttons: list[ft.Control] = []
    if link is not None:
        url = link.webcal

        async def copy(e: Any) -> None:
            await ft.Clipboard().set(url)
            app.say(app.t("calendar.copied"))

        controls += [
            ft.Text(link.webcal, selectable=True, size=w.size(s, 15),
                    semantics_label=app.t("calendar.link", url=link.webcal)),
            ft.Image(src=qr_png(link.webcal), width=220, height=220,
                     semantics_label=app.t("calendar.qr", feed=title)),
        ]
        buttons.append(w.button(s, app.t("calendar.copy"), _handler(copy),
                                icon=ft.Icons.CONTENT_COPY, key=f"copy-{kind}"))
    elif relay:
        controls.append(w.text(s, app.t("calendar.not_published")))
    if relay:
        if link is None:
            buttons.append(w.button(s, app.t("calendar.publish"), publish(False), primary=True,
                                    icon=ft.Icons.PUBLISH, key=f"publish-{kind}"))
        else:
            buttons += [
                w.button(s, app.t("calendar.update"), publish(False), icon=ft.Icons.SYNC),
                w.button(s, app.t("calendar.rotate"), publish(True), icon=ft.Icons.AUTORENEW),
                w.button(s, app.t("calendar.revoke"), revoke, icon=ft.Icons.LINK_OFF,
                         key=f"revoke-{kind}"),
            ]
    buttons.append(w.button(s, app.t("calendar.export_feed", feed=title), _handler(export),
                            icon=ft.Icons.DOWNLOAD, key=f"export-{kind}"))
    controls.append(ft.Row(buttons, wrap=True, spacing=8, run_spacing=8))
    return w.card(*controls, key=f"calendar-{kind}")


def _employer_part(app: Host, cal: CalendarService) -> list[ft.Control]:
    s, services = app.session, app.services

    def details(e: Any) -> None:
        on = bool(e.control.value)
        app.act(lambda: cal.set_details(on),
                "calendar.details_on" if on else "calendar.details_off")

    async def import_file(e: Any) -> None:
        files = await ft.FilePicker().pick_files(
            dialog_title=app.t("calendar.import"), file_type=ft.FilePickerFileType.CUSTOM,
            allowed_extensions=["ics", "ical"], with_data=True)
        if not files:
            return
        data = files[0].bytes
        if data is None and files[0].path:
            with open(files[0].path, "rb") as fh:
                data = fh.read()
        result: list[Any] = []
        app.act(lambda: result.append(import_ics(services, data or b"")))
        if result:
            r = result[0]
            app.say(app.t("calendar.imported", added=r.added, updated=r.updated,
                          removed=r.removed))

    now = datetime.fromisoformat(services.now())
    upcoming = cal.appointments_between(now.strftime("%Y-%m-%dT%H:%M"),
                                        (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"))
    rows: list[ft.Control] = [
        ft.Text(f"{a['start'].replace('T', ' ')}–{a['end'][11:]}  {a['summary']}"
                + (f" ({a['location']})" if a["location"] else ""), size=w.size(s, 15))
        for a in upcoming[:50]] or [w.text(s, app.t("calendar.no_appointments"))]
    return [
        w.card(w.heading(s, app.t("calendar.details_title"), 2),
               w.checkbox(s, app.t("calendar.details"), cal.details_enabled(), details),
               key="calendar-details"),
        w.card(w.heading(s, app.t("calendar.appointments"), 2), *rows,
               w.button(s, app.t("calendar.import"), _handler(import_file),
                        icon=ft.Icons.UPLOAD_FILE,
                        key="calendar-import"),
               key="calendar-appointments"),
    ]
