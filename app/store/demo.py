"""The demo team: what *Demo ansehen* and ``assistenzzeit demo`` create.

An employer (Anna Becker, Köln), four assistants — one full-time, one part-time, two minijob —
with contracts, two Teilbudgets from two funders, the previous two months of shifts and
clocked time, and the current month planned. Deterministic for a given "today".
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from app.store.services import Services

ASSISTANTS = [
    # name, employment, wage, weekly hours, staff number
    ("Ben Meyer", "full_time", "16.50", "39", "1001"),
    ("Clara Schmidt", "part_time", "16.00", "20", "1002"),
    ("Deniz Kaya", "minijob", "14.00", "8", "1003"),
    ("Emil Wagner", "minijob", "14.00", "8", "1004"),
]

# A week of care: (weekday 0=Mon, start, end, assistant index, kind)
WEEK = [
    *[(d, "07:00", "15:00", 0, "work") for d in range(0, 5)],
    *[(d, "15:00", "21:00", 1, "work") for d in (0, 1, 2)],
    (3, "15:00", "21:00", 2, "work"),
    (4, "15:00", "21:00", 3, "work"),
    (5, "09:00", "17:00", 1, "work"),
    # Minijobs stay under the monthly limit: about 9 hours a week each.
    (6, "09:00", "12:00", 2, "work"),
    (6, "12:00", "15:00", 3, "work"),
    # Night standby by someone who is free the day before and after.
    (3, "21:00", "07:00", 1, "standby"),
    (5, "21:00", "07:00", 0, "standby"),
]

INSTRUCTIONS = {
    "07:00": "Aufstehen, Duschen, Frühstück. Rollstuhl laden.",
    "15:00": "Einkauf, Abendessen, Begleitung zum Termin.",
    "09:00": "Wochenende: Ausflug nach Absprache.",
    "12:00": "Mittagessen, Haushalt, Wäsche.",
    "21:00": "Nachtbereitschaft: Lagerung um 2 Uhr.",
}
CHECKLIST = {"07:00": ["Medikamente", "Rollstuhl laden", "Post holen"],
             "15:00": ["Einkaufsliste", "Abendessen"], "21:00": ["Lagerung 02:00"]}


def month_start(day: date, back: int) -> date:
    year, month = day.year, day.month - back
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)


def build(services: Services, today: date, employer_name: str = "Anna Becker") -> dict[str, Any]:
    """Create the demo team in an empty, unlocked store. Returns the ids made."""
    services.create_team("Assistenzteam Anna", employer_name, state="NW", short_name="Anna")
    services.update_team(holder_address="Severinstraße 12\n50678 Köln")
    ids: dict[str, Any] = {"assistants": []}
    first = month_start(today, 2)
    for name, employment, wage, hours, staff in ASSISTANTS:
        mid = services.add_member(name, "assistant", staff_number=staff)
        services.set_contract(mid, (first - timedelta(days=365)).isoformat(), wage, employment,
                              hours, days_per_week=5 if employment == "full_time" else 3,
                              vacation_days=30 if employment == "full_time" else 20)
        ids["assistants"].append(mid)
    ids["proxy"] = services.add_member("Frank Huber", "proxy")
    ids["payroll"] = services.add_member("Lohnbüro Rhein", "payroll")
    lvr = services.add_funder("Landschaftsverband Rheinland", "PB-2024-0815")
    pk = services.add_funder("Pflegekasse AOK Rheinland", "PK-77-1234")
    ids["budgets"] = [
        services.add_budget(lvr, "Eingliederungshilfe", "9500.00", "2024-01-01",
                            support_kind="Teilhabe", cost_center="EGH"),
        services.add_budget(pk, "Pflegesachleistung", "3300.00", "2024-01-01",
                            support_kind="Pflege", cost_center="PFL"),
    ]
    end = month_start(today, -1)
    specs = []
    day = first - timedelta(days=first.weekday())
    while day < end:
        for weekday, start, stop, who, kind in WEEK:
            d = day + timedelta(days=weekday)
            if not first <= d < end:
                continue
            stop_day = d + timedelta(days=1) if stop <= start else d
            specs.append({
                "start": f"{d.isoformat()}T{start}", "end": f"{stop_day.isoformat()}T{stop}",
                "kind": kind, "assignee_id": ids["assistants"][who],
                "budget_id": ids["budgets"][1 if start == "07:00" else 0],
                "location": "Zuhause, Severinstraße 12",
                "instructions": INSTRUCTIONS.get(start, ""), "checklist": CHECKLIST.get(start, [])})
        day += timedelta(days=7)
    shift_ids = services.plan_shifts(specs)
    # Past shifts were worked: clocked entries, with a break on long ones.
    done = month_start(today, 0)
    for spec, sid in zip(specs, shift_ids, strict=True):
        if spec["start"] >= done.isoformat():
            continue
        breaks = []
        s = datetime.fromisoformat(spec["start"])
        e = datetime.fromisoformat(spec["end"])
        if spec["kind"] == "work" and (e - s) > timedelta(hours=6):
            b = s + timedelta(hours=4)
            breaks = [{"start": b.strftime("%Y-%m-%dT%H:%M"),
                       "end": (b + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")}]
        services.add_entry(spec["assignee_id"], spec["start"], spec["end"], "Demo",
                           breaks=breaks, kind=spec["kind"], shift_id=sid)
    ids["shifts"] = len(shift_ids)
    return ids
