"""The house style is checked by the test suite too, so `make test` keeps main clean:
ruff over everything, mypy --strict over the domain and the wire protocol (pyproject)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_ruff_finds_nothing() -> None:
    proc = subprocess.run([str(BIN / "ruff"), "check", "app", "tests", "bench"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_strict_on_domain_and_protocol() -> None:
    proc = subprocess.run([str(BIN / "mypy")], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_module_over_600_lines() -> None:
    big = [f"{p.relative_to(ROOT)} ({n})" for p in (ROOT / "app").rglob("*.py")
           if (n := len(p.read_text("utf-8").splitlines())) > 600]
    assert not big, f"split these by concept (STYLE.md #1): {big}"
