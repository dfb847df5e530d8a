"""Three stores (employer + two assistants joined by invite code) sync through a real relay
process — on SQLite and on PostgreSQL — and converge; the relay's database holds no plaintext."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from app.domain.ops import EMPLOYER_FIELDS
from app.store.services import Services
from tests.sync.conftest import TODAY, Team, join, make_team

MARKERS = ["Anna Becker", "Ben Meyer", "Clara Schmidt", "Frank Huber", "Lohnbüro",
           "Severinstraße", "Rollstuhl", "Landschaftsverband", "Eingliederungshilfe",
           "Assistenzteam", "Lagerung", "Medikamente", "PB-2024-0815", "Dienstbeginn heute"]


def visible(services: Services, member_id: str) -> dict[str, Any]:
    """What an assistant may read, from any store's projection: the team scope and the
    assistant's own member scope."""
    rows = services.store.projection.rows

    def shown(entity: str) -> dict[str, Any]:  # without the fields of the employer scope
        hidden = EMPLOYER_FIELDS.get(entity, set())
        return {k: {f: v for f, v in r.items() if f not in hidden}
                for k, r in rows[entity].items()}

    return {
        "team": shown("team"), "shift": rows["shift"], "device": rows["device"],
        "member": shown("member"),
        "entry": {k: e for k, e in rows["entry"].items() if e["member_id"] == member_id},
        "contract": {k: c for k, c in rows["contract"].items() if c["member_id"] == member_id},
    }


def relay_plaintext_dump(db: str, tmp: Path) -> bytes:
    if db.startswith("postgresql"):
        bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
        return subprocess.run([str(bindir / "pg_dump"), "--data-only", "--inserts", db],
                              check=True, capture_output=True).stdout
    data = b""
    for suffix in ("", "-wal"):
        f = Path(db + suffix)
        if f.exists():
            data += f.read_bytes()
    return data


def test_relay_three_stores_converge(relay_db: str, relay_factory: Any, tmp_path: Path) -> None:
    relay = relay_factory(relay_db)
    team = make_team(tmp_path, relay.url)
    try:
        employer, ben, clara = team.employer, *team.assistants
        # Everyone writes, some of it concurrently and offline.
        ben.clock_in(ben.store.member_id, note="Dienstbeginn heute")
        clara.add_entry(clara.store.member_id, "2026-03-16T15:00", "2026-03-16T21:00",
                        "vergessen")
        shift = employer.shifts_between("2026-03-01T00:00", "2026-03-31T23:59")[0]
        employer.update_shift(shift["id"], location="Praxis Dr. Weiß")
        team.sync_all()

        second = join(team, tmp_path, "Anna Becker", role="employer")  # employer's 2nd device
        team.assistants.append(second)
        team.sync_all()

        # The employer's two devices agree on everything.
        assert employer.store.projection.fingerprint() == second.store.projection.fingerprint()
        for assistant in (ben, clara):
            mid = assistant.store.member_id
            assert visible(assistant, mid) == visible(employer, mid)
        assert employer.running_entry(ben.store.member_id)["note"] == "Dienstbeginn heute"
        assert ben.shift(shift["id"])["location"] == "Praxis Dr. Weiß"
        # An assistant cannot read another's time entries or the employer scope.
        assert not any(e["member_id"] == clara.store.member_id
                       for e in ben.store.projection.rows["entry"].values())
        assert ben.store.projection.rows["budget"] == {}
        assert employer.store.projection.rows["budget"]
        # The budget holder's address stays in the employer scope too.
        assert employer.team()["holder_address"] and ben.team()["holder_address"] == ""
    finally:
        team.close()
    dump = relay_plaintext_dump(relay_db, tmp_path)
    assert len(dump) > 50_000  # the envelopes are in there …
    for marker in MARKERS:  # … but no name, note or place
        assert marker.encode() not in dump, marker
        assert marker.encode("utf-16-le") not in dump, marker


def test_relay_demo_month_matches_on_assistant(relay_factory: Any, tmp_path: Path) -> None:
    relay = relay_factory(str(tmp_path / "relay.db"))
    team: Team = make_team(tmp_path, relay.url)
    try:
        ben = team.assistants[0]
        mid = ben.store.member_id
        month = f"{TODAY.year}-{TODAY.month - 1:02d}"
        assert ben.month_summary(mid, month) == team.employer.month_summary(mid, month)
        assert ben.month_entries(mid, month)
    finally:
        team.close()
