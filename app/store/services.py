"""The store API: what views, the CLI and tests call (STYLE.md #3). No SQL outside the store.

Every method validates its input (``InputError`` naming the field, checks in
``app.store.validation``), turns the request into ``Change``s, and lets ``Store.commit``
make them durable and fold them. Reads return plain dicts, so a view never holds a live
database object.

How it is put together: one ``Services`` object per open store, whose methods come from one
class per concept, each building on the one below it::

    MasterData   (masterdata.py)   team, members, devices, contracts, funders, budgets
    Shifts       (shifts.py)       plan, change, cancel and read shifts
    Timekeeping  (timekeeping.py)  clock, breaks, entries, a month's entries, absences
    Services     (here)            the reads screens need that span concepts

A chain rather than side-by-side mixins because the concepts do use each other (a shift's
assignee must be a member, clocking in links the shift that is on now, every time is read
in the team's zone): each layer sees the methods below it, and so does mypy.

What builds on these methods takes a ``Services`` and lives in a module of its own:
``planning`` (needs, gaps, templates, weekly plans, copied weeks, open shifts, appointments),
``teamwork`` (requests, handover notes, availability), ``timesheets`` (signing a month),
``reports`` (pay, plan warnings, cost per budget) and ``conflicts``.
"""

from __future__ import annotations

from typing import Any

from app.store.timekeeping import Timekeeping
from app.store.validation import STATES as STATES  # the forms offer these

# Timesheet states that wait on the employer's *Freigaben* screen.
WAITING = ("submitted", "approved")


class Services(Timekeeping):
    """One object per open store; the composition root passes it to views and commands."""

    def waiting_timesheets(self) -> list[dict[str, Any]]:
        """The latest version of every member's month that is submitted (to countersign)
        or approved (to export or reopen): the submitted ones first, each group by month.
        An archived month's signed document comes back with it."""
        latest: dict[tuple[str, str], dict[str, Any]] = {}
        for row in self.store.projection.rows["timesheet"].values():
            key = (row["member_id"], row["month"])
            if not row["deleted"] and (key not in latest
                                       or row["version"] > latest[key]["version"]):
                latest[key] = row
        # ``_row`` (the projection's ``get``) loads an archived month back: the row never
        # left memory, its signed document did.
        rows = [dict(self._row("timesheet", r["id"])) for r in latest.values()
                if r["status"] in WAITING]
        return sorted(rows, key=lambda r: (r["status"] != "submitted", r["month"]))
