"""Master data of the store API: the team, its members, their contracts and devices, the
funders (*Kostenträger*) and their budgets (*Teilbudgets*).

The lowest layer of ``app.store.services.Services``: it holds the store and the one row
lookup (``_row``) the layers above and the concept modules use.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from app.domain import limits
from app.domain.inputs import required
from app.domain.model import EMPLOYMENT_KINDS, ROLES
from app.domain.timeutil import iso_date
from app.errors import InputError, NotFound
from app.store import validation
from app.store.store import Change, Store, uuid7


class MasterData:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _row(self, entity: str, entity_id: str | None) -> dict[str, Any]:
        """The live row (not a copy); ``NotFound`` for an unknown or deleted id."""
        row = self.store.projection.get(entity, entity_id or "")
        if row is None or row.get("deleted"):
            raise NotFound("error.not_found", entity=entity, id=entity_id)
        return row

    # ------------------------------------------------------------------ team and members
    def create_team(self, name: str, employer_name: str, state: str = "NW",
                    tz: str = "Europe/Berlin", short_name: str = "") -> str:
        """Found a team on this device; this device's owner becomes its employer."""
        store = self.store
        if store.projection.rows["team"]:
            raise InputError("error.team.exists", "team")
        name, employer_name = required(name, "name"), required(employer_name, "employer_name")
        validation.state(state)
        validation.tz(tz)
        team_id, member_id = uuid7(), uuid7()
        store.set_identity(team_id, member_id)
        for scope in ("team", "employer", f"member:{member_id}"):
            store.new_scope_key(scope)
        ring = store.ring
        store.commit([
            Change("device.added", "device", store.device_id,
                   {"member_id": member_id, "sign_pub": ring.signing.public.hex(),
                    "dh_pub": ring.exchange.public.hex(), "label": "Gerät 1"}),
            Change("member.added", "member", member_id,
                   {"role": "employer", "active": True, "display_name": employer_name}),
            Change("team.created", "team", team_id,
                   {"name": name, "short_name": short_name or employer_name.split()[0],
                    "state": state, "tz": tz}),
        ])
        return team_id

    def update_team(self, **fields: Any) -> None:
        if "state" in fields:
            validation.state(fields["state"])
        if "tz" in fields:
            validation.tz(fields["tz"])
        if "holder_address" in fields:
            fields["holder_address"] = validation.address(fields["holder_address"])
        self.store.commit([Change("team.updated", "team", self.team()["id"], fields)])

    def team(self) -> dict[str, Any]:
        teams = list(self.store.projection.rows["team"].values())
        if not teams:
            raise NotFound("error.team.none")
        return dict(teams[0])

    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.team()["tz"])

    def add_member(self, name: str, role: str = "assistant", staff_number: str = "",
                   preferences: str = "") -> str:
        name = required(name, "name")
        validation.role(role)
        if any(m["display_name"] == name for m in self.members()):
            raise InputError("error.member.name_taken", "name", name=name)
        member_id = uuid7()
        self.store.new_scope_key(f"member:{member_id}")
        self.store.commit([Change("member.added", "member", member_id, {
            "role": role, "active": True, "display_name": name,
            "staff_number": staff_number, "preferences": preferences})])
        return member_id

    def update_member(self, member_id: str, **fields: Any) -> None:
        self._row("member", member_id)
        if "role" in fields:
            validation.role(fields["role"])
        self.store.commit([Change("member.updated", "member", member_id, fields)])

    def members(self, role: str | None = None, include_inactive: bool = False
                ) -> list[dict[str, Any]]:
        rows = [dict(m) for m in self.store.projection.rows["member"].values()
                if not m["deleted"] and (include_inactive or m["active"])
                and (role is None or m["role"] == role)]
        return sorted(rows, key=lambda m: (ROLES.index(m["role"]), m["display_name"]))

    def member(self, member_id: str) -> dict[str, Any]:
        return dict(self._row("member", member_id))

    def member_by_name(self, name: str) -> dict[str, Any]:
        wanted = name.strip().casefold()
        for m in self.members(include_inactive=True):
            if m["display_name"].casefold() == wanted or m["id"] == name:
                return m
        raise NotFound("error.member.unknown", name=name)

    def me(self) -> dict[str, Any]:
        return self.member(self.store.acting_member)

    def device(self, device_id: str) -> dict[str, Any] | None:
        """A device row (member, public keys, label), a revoked one too: a signature it
        made stays readable. None for a device this store never heard of."""
        row = self.store.projection.get("device", device_id)
        return dict(row) if row is not None else None

    # ------------------------------------------------------------------ contracts and budgets
    def set_contract(self, member_id: str, valid_from: str, hourly_wage: str,
                     employment: str = "part_time", weekly_hours: str = "0",
                     contract_id: str | None = None, **extra: Any) -> str:
        self._row("member", member_id)
        if employment not in EMPLOYMENT_KINDS:
            raise InputError("error.contract.employment", "employment",
                             employment=employment)
        limits.parse_amount(hourly_wage, "hourly_wage", limits.MAX_WAGE)
        if extra.get("standby_wage") not in (None, ""):
            limits.parse_amount(extra["standby_wage"], "standby_wage", limits.MAX_WAGE)
        for name, rate in (extra.get("surcharges") or {}).items():
            limits.parse_amount(rate, f"surcharges.{name}", limits.MAX_RATE)
        iso_date(valid_from, "valid_from")
        cid = contract_id or uuid7()
        fields = {"member_id": member_id, "valid_from": valid_from, "hourly_wage": hourly_wage,
                  "employment": employment, "weekly_hours": weekly_hours, **extra}
        self.store.commit([Change("contract.set", "contract", cid, fields)])
        return cid

    def contract_on(self, member_id: str, day: str) -> dict[str, Any] | None:
        """The contract valid on ``day`` ('YYYY-MM-DD'): latest valid_from not after it."""
        valid = [c for c in self.store.projection.rows["contract"].values()
                 if c["member_id"] == member_id and not c["deleted"] and c["valid_from"] <= day
                 and (not c["valid_to"] or c["valid_to"] >= day)]
        return dict(max(valid, key=lambda c: c["valid_from"])) if valid else None

    def contracts(self, member_id: str) -> list[dict[str, Any]]:
        return sorted((dict(c) for c in self.store.projection.rows["contract"].values()
                       if c["member_id"] == member_id and not c["deleted"]),
                      key=lambda c: c["valid_from"])

    def add_funder(self, name: str, reference: str = "") -> str:
        fid = uuid7()
        self.store.commit([Change("funder.set", "funder", fid,
                                  {"name": required(name, "name"), "reference": reference})])
        return fid

    def add_budget(self, funder_id: str, name: str, monthly_amount: str, valid_from: str,
                   valid_to: str | None = None, support_kind: str = "",
                   cost_center: str = "") -> str:
        self._row("funder", funder_id)
        limits.parse_amount(monthly_amount, "monthly_amount")
        iso_date(valid_from, "valid_from")
        bid = uuid7()
        self.store.commit([Change("budget.set", "budget", bid, {
            "funder_id": funder_id, "name": required(name, "name"),
            "monthly_amount": monthly_amount, "valid_from": valid_from, "valid_to": valid_to,
            "support_kind": support_kind, "cost_center": cost_center})])
        return bid

    def funders(self) -> list[dict[str, Any]]:
        return [dict(f) for f in self.store.projection.rows["funder"].values()
                if not f["deleted"]]

    def budgets(self) -> list[dict[str, Any]]:
        return sorted((dict(b) for b in self.store.projection.rows["budget"].values()
                       if not b["deleted"]), key=lambda b: b["name"])
