"""The command line loads only the family of the command it runs: its table of which family
owns which command must match what the families register."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import app.cli

REPO = Path(__file__).resolve().parents[2]


def _commands(parser: argparse.ArgumentParser) -> set[str]:
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return set(subs.choices)


def test_every_command_is_mapped_to_the_family_that_registers_it() -> None:
    assert _commands(app.cli.build_parser()) == set(app.cli.COMMANDS)
    for command, family in app.cli.COMMANDS.items():
        assert command in _commands(app.cli.build_parser(command)), (command, family)


def test_one_command_registers_only_its_family() -> None:
    assert _commands(app.cli.build_parser("pay")) == {"pay"}
    assert _commands(app.cli.build_parser("--help")) == set(app.cli.COMMANDS)


def test_pay_runs_without_the_store_or_the_exports() -> None:
    probe = ("import sys\nfrom app.cli import main\ntry:\n    main(['pay', '--help'])\n"
             "except SystemExit:\n    pass\n"
             "print(sorted(m for m in ('sqlmodel', 'fpdf', 'icalendar') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
