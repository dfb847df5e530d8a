"""``assistenzzeit pay CASE.json``: run one pay case and print the result as JSON.

The case format is described in ``../shared/fixtures/pay/README.md``. This module only reads
the file, turns it into domain objects and prints; all rules live in ``app.domain.pay``.
Any bad input becomes a ``CaseError`` whose one-line message names the field, e.g.
"shifts[0].end is before shifts[0].start"; ``app.cli.main`` prints it and exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from app.domain.pay import CLASSES, month_result
from app.domain.worktime import Break, ContractTerms, WorkShift
from app.errors import CaseError, InputError

# A month of one assistant is a few dozen shifts; the bounds keep a hostile file cheap.
MAX_CASE_BYTES = 1024 * 1024
MAX_SHIFTS = 1000


def register(subparsers: Any) -> None:
    """Add the ``pay`` command."""
    p = subparsers.add_parser(
        "pay", help="compute hours, pay and warnings of a pay case file",
        description="Compute hours per pay class, pay and warnings of a pay case (JSON).")
    p.add_argument("case", metavar="CASE.json", help="the case file")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Read the case, compute, print JSON on stdout; return the exit code."""
    case = _load(Path(args.case))
    try:
        raw_shifts = _list(case, "shifts")
        if len(raw_shifts) > MAX_SHIFTS:
            raise CaseError("error.case.too_many_shifts", n=MAX_SHIFTS)
        shifts = [_shift(s, f"shifts[{i}]") for i, s in enumerate(raw_shifts)]
        contract = _obj(case, "contract")
        result = month_result(shifts, _terms(contract), _str(case, "tz", "tz"),
                              _str(case, "state", "state"))
    except CaseError:
        raise
    except InputError as err:  # from the domain: already names the field in its message
        raise CaseError(err.key or str(err), **err.params) from err  # keeps its language
    out: dict[str, Any] = {
        "hours": {k: str(v) for k, v in result.hours.items() if k in CLASSES},
        "pay": {"base": str(result.pay.base), "surcharges": str(result.pay.surcharges),
                "standby": str(result.pay.standby), "gross": str(result.pay.gross)},
    }
    if result.minijob is not None:
        out["minijob"] = {"counted": str(result.minijob.counted),
                          "limit": f"{result.minijob.limit:.2f}"}
    out["warnings"] = [{"code": w.code, "message": w.message_de} for w in result.warnings]
    json.dump(out, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def _load(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_CASE_BYTES:
            raise CaseError("error.case.too_large", path=path, kib=MAX_CASE_BYTES // 1024)
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaseError("error.case.not_found", path=path) from None
    except (OSError, UnicodeDecodeError) as err:
        raise CaseError("error.case.unreadable", path=path, reason=err) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise CaseError("error.case.not_json", path=path, line=err.lineno,
                        column=err.colno) from None
    if not isinstance(data, dict):
        raise CaseError("error.case.not_object", path=path)
    return data


def _get(obj: dict[str, Any], key: str, where: str) -> Any:
    if key not in obj or obj[key] is None:
        raise CaseError("error.case.missing", name=where)
    return obj[key]


def _str(obj: dict[str, Any], key: str, where: str) -> str:
    value = _get(obj, key, where)
    if not isinstance(value, str):
        raise CaseError("error.case.string", name=where)
    return value


def _obj(obj: dict[str, Any], key: str) -> dict[str, Any]:
    value = _get(obj, key, key)
    if not isinstance(value, dict):
        raise CaseError("error.case.object", name=key)
    return value


def _list(obj: dict[str, Any], key: str, where: str | None = None) -> list[Any]:
    where = where or key
    value = obj.get(key, []) if where != "shifts" else _get(obj, key, where)
    if not isinstance(value, list):
        raise CaseError("error.case.list", name=where)
    return value


def _time(obj: dict[str, Any], key: str, where: str) -> datetime:
    text = _str(obj, key, f"{where}.{key}")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CaseError("error.case.time", name=f"{where}.{key}", text=text) from None
    if value.tzinfo is not None:
        raise CaseError("error.case.local_time", name=f"{where}.{key}", text=text)
    return value


def _amount(obj: dict[str, Any], key: str, where: str) -> Decimal:
    raw = _get(obj, key, where)
    try:
        value = Decimal(str(raw)) if isinstance(raw, str | int) else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0:
        raise CaseError("error.case.amount", name=where, value=repr(raw))
    return value


def _shift(raw: Any, where: str) -> WorkShift:
    if not isinstance(raw, dict):
        raise CaseError("error.case.object", name=where)
    breaks = []
    for j, b in enumerate(_list(raw, "breaks", f"{where}.breaks")):
        if not isinstance(b, dict):
            raise CaseError("error.case.object", name=f"{where}.breaks[{j}]")
        breaks.append(Break(_time(b, "start", f"{where}.breaks[{j}]"),
                            _time(b, "end", f"{where}.breaks[{j}]")))
    kind = raw.get("kind", "work")
    if not isinstance(kind, str):
        raise CaseError("error.case.string", name=f"{where}.kind")
    return WorkShift(_time(raw, "start", where), _time(raw, "end", where), kind, tuple(breaks))


def _terms(raw: dict[str, Any]) -> ContractTerms:
    surcharges = raw.get("surcharges")
    if surcharges is not None and not isinstance(surcharges, dict):
        raise CaseError("error.case.object", name="contract.surcharges")
    live_in = raw.get("live_in", False)
    if not isinstance(live_in, bool):
        raise CaseError("error.case.bool", name="contract.live_in")
    return ContractTerms(
        hourly_wage=_amount(raw, "hourly_wage", "contract.hourly_wage"),
        employment=_str(raw, "employment", "contract.employment"),
        standby_wage=(_amount(raw, "standby_wage", "contract.standby_wage")
                      if raw.get("standby_wage") is not None else None),
        surcharges=({k: _amount(surcharges, k, f"contract.surcharges.{k}") for k in surcharges}
                    if surcharges else None),
        live_in=live_in,
    )
